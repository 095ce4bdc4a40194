from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.ResultListView.as_view(), name="result_list"),
    path("export/", views.result_export, name="result_export"),
    path("publish/", views.publish_queue, name="publish_queue"),
    path("progress/", views.progress, name="progress"),
    path("<int:pk>/", views.result_detail, name="result_detail"),
    path("<int:pk>/save/", views.result_save, name="result_save"),
    path("<int:pk>/sign/", views.result_sign, name="result_sign"),
    path("<int:pk>/sign-paper/", views.result_sign_paper, name="result_sign_paper"),
    path("<int:pk>/return/", views.result_return, name="result_return"),
    path("<int:pk>/publish/", views.result_publish, name="result_publish"),
    path("<int:pk>/correct/", views.result_correct, name="result_correct"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("upper-tasks/import/", views.upper_task_import, name="upper_task_import"),
    path("upper-tasks/template/", views.upper_task_template, name="upper_task_template"),
    path("non-random/new/", views.non_random_create, name="non_random_create"),
    path("records/<int:pk>/cancel/", views.record_cancel, name="record_cancel"),
    path("checklists/", views.checklist_list, name="checklist_list"),
    path("checklists/new/", views.checklist_edit, name="checklist_create"),
    path("checklists/<int:pk>/", views.checklist_edit, name="checklist_edit"),
]
