"""JSON API for draws (TODO issue #7)."""
