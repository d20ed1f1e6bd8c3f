"""Passages → model → vectors and BM25 → a saved index folder; search over it."""
