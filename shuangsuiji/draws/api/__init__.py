"""JSON API for draws."""
