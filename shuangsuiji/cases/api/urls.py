from .views import FollowUpCaseViewSet


def register(router):
    router.register("cases", FollowUpCaseViewSet, basename="followupcase")
