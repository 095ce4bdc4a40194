"""JSON API for 一单两库: read endpoints and the 审管联动 unit sync (`/api/v1/units/sync/`)."""
