"""Plan text in → structured passages and indicator records (no ML here)."""
