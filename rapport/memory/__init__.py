"""Memory: what each person told us, as versioned memories kept current by supersession."""
