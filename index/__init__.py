"""Passages → embeddings + FAISS + BM25 → a saved index folder; search over it."""
