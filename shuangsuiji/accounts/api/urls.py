from .views import OrganizationViewSet


def register(router):
    router.register("organizations", OrganizationViewSet, basename="organization")
