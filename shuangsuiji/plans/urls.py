from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/do/<str:action>/", views.plan_transition, name="plan_transition"),
    path("<int:pk>/versions/<int:version>/", views.plan_version, name="plan_version"),
    path("<int:plan_pk>/tasks/new/", views.task_create, name="task_create"),
    path("<int:plan_pk>/tasks/preview/", views.task_preview, name="task_preview"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/ready/", views.TaskReadyView.as_view(), name="task_ready"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/delete/", views.task_delete, name="task_delete"),
    path("tasks/<int:pk>/items/add/", views.task_item_add, name="task_item_add"),
    path("tasks/<int:pk>/items/<int:item_pk>/remove/", views.task_item_remove, name="task_item_remove"),
    path("tasks/<int:pk>/rules/save/", views.stratum_rule_save, name="stratum_rule_save"),
    path("tasks/<int:pk>/rules/<int:rule_pk>/delete/", views.stratum_rule_delete, name="stratum_rule_delete"),
    path("tasks/<int:pk>/rules/suggest/", views.task_suggest, name="task_suggest"),
]
