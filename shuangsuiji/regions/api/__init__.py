"""JSON API for administrative divisions."""
