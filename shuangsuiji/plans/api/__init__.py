"""JSON API for plans and tasks (TODO issue #7)."""
