from django.urls import path

from . import views

app_name = "disclosure"

urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.item_list, name="item_list"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<str:code>/", views.task_detail, name="task_detail"),
    path("draws/", views.draw_list, name="draw_list"),
    path("draws/<str:code>/", views.draw_detail, name="draw_detail"),
    path("draws/<str:code>/verify/", views.draw_verify, name="draw_verify"),
    path("draws/<str:code>/files/<str:kind>/", views.draw_file, name="draw_file"),
    path("draws/<str:code>/proof/<str:unit_id>/", views.draw_unit_proof, name="draw_unit_proof"),
    path("draws/<str:code>/replacements.json", views.draw_replacements, name="draw_replacements"),
    path("results/", views.result_search, name="result_search"),
    path("log/commitments.jsonl", views.commitment_log, name="commitment_log"),
    path("verifier/fairdraw-verify.pyz", views.verifier_download, name="verifier_download"),
    path("penalties/", views.penalty_list, name="penalty_list"),
    path("results/<int:pk>/objection/", views.result_objection, name="result_objection"),
]
