"""Routes for capability verbs; the nine generic operations live in ``crud_routes``."""
