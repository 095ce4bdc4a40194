from .views import InspectionResultViewSet, UpperTaskImportViewSet


def register(router):
    router.register("results", InspectionResultViewSet, basename="inspectionresult")
    router.register("upper-tasks", UpperTaskImportViewSet, basename="uppertask")
