from .views import DrawViewSet, ExpertAttachmentViewSet, InspectorChangeViewSet


def register(router):
    router.register("draws", DrawViewSet, basename="draw")
    router.register("inspector-changes", InspectorChangeViewSet, basename="inspectorchange")
    router.register("expert-attachments", ExpertAttachmentViewSet, basename="expertattachment")
