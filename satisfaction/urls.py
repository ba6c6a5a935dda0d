from django.urls import path

from satisfaction import views

app_name = "satisfaction"

urlpatterns = [
    path("<str:token>/", views.survey, name="survey"),
    path("<str:token>/<int:score>/", views.rate, name="rate"),
    path("<str:token>/comment/", views.comment, name="comment"),
    path("<str:token>/stop/", views.stop, name="stop"),
]
