"""`ipqa bench`: model cost, /ask over HTTP, throughput, cold start, memory and index scale."""
