from django.urls import path

from mail import views

app_name = "mail"

urlpatterns = [path("inbound/", views.inbound, name="inbound")]
