"""JSON API for organisations, and the API token authentication named in settings.REST_FRAMEWORK."""
