from .views import ExpertViewSet, InspectionItemViewSet, InspectorViewSet, RegulatedUnitViewSet


def register(router):
    router.register("units", RegulatedUnitViewSet, basename="regulatedunit")
    router.register("inspectors", InspectorViewSet, basename="inspector")
    router.register("experts", ExpertViewSet, basename="expert")
    router.register("items", InspectionItemViewSet, basename="inspectionitem")
