from django.urls import path

from . import job_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audit/verify/", views.audit_verify, name="audit_verify"),
    path("audit/heads/", views.audit_heads, name="audit_heads"),
    path("audit/heads/<str:name>", views.audit_head_download, name="audit_head_download"),
    path("calendar/", views.HolidayListView.as_view(), name="holiday_list"),
    path("calendar/add/", views.holiday_add, name="holiday_add"),
    path("calendar/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("calendar/confirm-year/", views.calendar_year_confirm, name="calendar_year_confirm"),
    path("calendar/propose/", views.calendar_propose, name="calendar_propose"),
    path("calendar/proposals/<int:pk>/decide/", views.calendar_proposal_decide, name="calendar_proposal_decide"),
    path("jobs/", job_views.job_list, name="job_list"),
    path("jobs/<uuid:pk>/", job_views.job_detail, name="job_detail"),
    path("jobs/<uuid:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("jobs/<uuid:pk>/download/", job_views.job_download, name="job_download"),
    path("jobs/<uuid:pk>/retry/", job_views.job_retry, name="job_retry"),
]
