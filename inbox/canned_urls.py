from django.urls import path

from inbox import canned_views as views

urlpatterns = [
    path("canned/", views.canned_list, name="canned_list"),
    path("canned/new/", views.canned_new, name="canned_new"),
    path("canned/<int:pk>/", views.canned_edit, name="canned_edit"),
    path("canned/<int:pk>/delete/", views.canned_delete, name="canned_delete"),
    path("playbooks/", views.playbooks, name="playbooks"),
    path("playbooks/<int:pk>/start/", views.playbook_start, name="playbook_start"),
    path("playbooks/runs/<int:pk>/end/", views.playbook_run_end, name="playbook_run_end"),
]
