"""Dense vector stores behind one interface: FAISS exact and HNSW, NumPy exact."""
