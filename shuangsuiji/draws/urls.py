from django.urls import path

from . import views

app_name = "draws"

urlpatterns = [
    path("", views.DrawListView.as_view(), name="draw_list"),
    path("records/", views.record_pdf_batch, name="record_pdf_batch"),
    path("new/<int:task_pk>/", views.draw_start, name="draw_start"),
    path("new/<int:task_pk>/witnesses/", views.witness_invite, name="witness_invite"),
    path("witness-tool/", views.witness_tool, name="witness_tool"),
    path("witnesses/<int:pk>/", views.witness_page, name="witness_page"),
    path("witnesses/<int:pk>/commit/", views.witness_commit, name="witness_commit"),
    path("witnesses/<int:pk>/reveal/", views.witness_reveal, name="witness_reveal"),
    path("witnesses/<int:pk>/confirm/", views.witness_confirm, name="witness_confirm"),
    path("<int:pk>/", views.draw_detail, name="draw_detail"),
    path("<int:pk>/values/", views.draw_values, name="draw_values"),
    path("<int:pk>/values/fetch-drand/", views.draw_fetch_drand, name="draw_fetch_drand"),
    path("<int:pk>/witnesses/", views.draw_witness, name="draw_witness"),
    path("<int:pk>/lock/", views.draw_lock, name="draw_lock"),
    path("<int:pk>/cancel/", views.draw_cancel, name="draw_cancel"),
    path("<int:pk>/verify/", views.draw_verify, name="draw_verify"),
    path("<int:pk>/files/<str:kind>/", views.draw_file, name="draw_file"),
    path("<int:pk>/record/", views.draw_record, name="draw_record"),
    path("<int:pk>/roster-key.json", views.draw_roster_key, name="draw_roster_key"),
    path("<int:pk>/record.pdf", views.draw_record_pdf, name="draw_record_pdf"),
    path("sources/<int:pk>/enter/", views.source_enter, name="source_enter"),
    path("sources/<int:pk>/confirm/", views.source_confirm, name="source_confirm"),
    path("sources/<int:pk>/announcement/", views.source_announcement, name="source_announcement"),
    path("targets/<int:pk>/substitute/", views.target_substitute, name="target_substitute"),
    path("targets/<int:pk>/cancel/", views.target_cancel, name="target_cancel"),
    path("targets/<int:pk>/replace-inspector/", views.inspector_replace, name="inspector_replace"),
    path("targets/<int:pk>/experts/draw/", views.expert_draw, name="expert_draw"),
    path("targets/<int:pk>/experts/designate/", views.expert_designate, name="expert_designate"),
    path("inspector-changes/<int:pk>/decide/", views.inspector_change_decide, name="inspector_change_decide"),
]
