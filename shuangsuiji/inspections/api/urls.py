from .views import InspectionResultViewSet


def register(router):
    router.register("results", InspectionResultViewSet, basename="inspectionresult")
