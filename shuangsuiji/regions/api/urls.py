from .views import RegionViewSet


def register(router):
    router.register("regions", RegionViewSet, basename="region")
