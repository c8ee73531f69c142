"""Rapport's REST API: thin FastAPI routes over the service operations."""
