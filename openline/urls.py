from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from blog.sitemaps import SITEMAPS
from blog.views import healthz
from listening.views import webhook as listening_webhook

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("staff/listening/", include("listening.urls")),
    path("staff/insights/", include("insights.urls")),
    path("transparency/", include("insights.public_urls")),
    path("community/", include("community.urls")),
    path("moderation/", include("moderation.urls")),
    path("notifications/", include("notifications.urls")),
    path("search/", include("search.urls")),
    path("staff/", include("inbox.urls")),
    path("mail/", include("mail.urls")),
    path("listening/hooks/<int:pk>/", listening_webhook, name="listening_webhook"),
    path("satisfaction/", include("satisfaction.urls")),
    path("sitemap.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", healthz, name="healthz"),
    path("", include("blog.urls")),
]
