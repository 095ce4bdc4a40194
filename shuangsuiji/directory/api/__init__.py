"""JSON API for 一单两库 (TODO issue #7: serializers, viewsets and urls built on selectors/services)."""
