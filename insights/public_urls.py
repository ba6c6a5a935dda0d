"""The public transparency page at /transparency/ (docs/transparency.md)."""

from django.urls import path

from insights import public_views

app_name = "transparency"

urlpatterns = [
    path("", public_views.transparency, name="page"),
]
