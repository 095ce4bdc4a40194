from django.urls import path

from . import views

app_name = "paperwork"

urlpatterns = [
    path("", views.index, name="index"),
    path("numbering/", views.numbering_rules, name="numbering_rules"),
    path("tasks/<int:pk>/", views.task_documents, name="task_documents"),
    path("tasks/<int:pk>/batch/", views.task_batch, name="task_batch"),
    path("results/<int:pk>/document/", views.result_document, name="result_document"),
    path("outbound/", views.outbound, name="outbound"),
    path("prints/<int:pk>/", views.print_download, name="print_download"),
    path("exports/gsxt.xlsx", views.gsxt_export, name="gsxt_export"),
    path("exports/case-cards.xlsx", views.case_card_export, name="case_card_export"),
]
