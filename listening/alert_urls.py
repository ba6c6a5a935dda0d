from django.urls import path

from listening import alert_views

# Included under /staff/listening/, in the "listening" namespace.
urlpatterns = [
    path("alerts/", alert_views.alerts, name="alerts"),
    path("alerts/<int:pk>/", alert_views.alert, name="alert"),
]
