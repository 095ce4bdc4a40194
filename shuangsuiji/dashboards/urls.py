from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.kpi, name="kpi"),
    path("monthly.xlsx", views.monthly_report, name="monthly_report"),
    path("fairness/", views.fairness, name="fairness"),
    path("summary/", views.work_summary, name="work_summary"),
    path("ledger.xlsx", views.ledger, name="ledger"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
]
