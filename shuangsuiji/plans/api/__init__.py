"""JSON API for plans and tasks."""
