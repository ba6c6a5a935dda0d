from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from blog.sitemaps import SITEMAPS
from blog.views import healthz

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("inbox.urls")),
    path("staff/listening/", include(("listening.alert_urls", "listening"))),
    path("mail/", include("mail.urls")),
    path("satisfaction/", include("satisfaction.urls")),
    path("sitemap.xml", sitemap_views.sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", healthz, name="healthz"),
    path("", include("blog.urls")),
]
