from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("new/<int:result_pk>/", views.case_create, name="case_create"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/recheck/", views.case_recheck, name="case_recheck"),
    path("<int:pk>/decide/", views.case_decide, name="case_decide"),
    path("<int:pk>/publish/", views.case_publish, name="case_publish"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path("<int:pk>/receipt/", views.case_receipt, name="case_receipt"),
    path("<int:pk>/feedback/", views.case_feedback, name="case_feedback"),
    path("risk/<int:pk>/review/", views.risk_review, name="risk_review"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
]
