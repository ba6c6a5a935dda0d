from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from conversations.models import BLOG_KINDS, COMMUNITY_KINDS, Category, Conversation, Label


class PostSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return (
            Conversation.objects.published()
            .filter(kind__in=[*BLOG_KINDS, *COMMUNITY_KINDS], merged_into__isnull=True)
            .order_by("-published_at")
            .only("slug", "kind", "updated_at")
        )

    def lastmod(self, item):
        return item.updated_at


class ListingSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return [*Category.objects.only("slug"), *Label.objects.only("slug")]


class StaticSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return ["blog:home", "blog:known_issues"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"static": StaticSitemap, "posts": PostSitemap, "listings": ListingSitemap}
