from .views import AnnualPlanViewSet, TaskViewSet


def register(router):
    router.register("plans", AnnualPlanViewSet, basename="annualplan")
    router.register("tasks", TaskViewSet, basename="task")
