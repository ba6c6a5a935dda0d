from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.list, name="list"),
    path("<int:pk>/", views.go, name="open"),
    path("read/", views.read_all, name="read_all"),
    path("unread/", views.unread_link, name="unread"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
