"""The manager dashboard under /staff/insights/ (docs/insights.md)."""

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:slug>.csv", views.export, name="export"),
]
