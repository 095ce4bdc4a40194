from .views import DrawViewSet


def register(router):
    router.register("draws", DrawViewSet, basename="draw")
