"""OpenAPI extensions (drf-spectacular)."""
