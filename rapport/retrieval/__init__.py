"""Retrieval: embeddings, knowledge documents and the hybrid search over everything."""
