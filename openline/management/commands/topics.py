"""`openline topics`: the topics customers write about, and which are trending."""

from __future__ import annotations

from django.core.management import BaseCommand

from conversations import scoring
from conversations.models import Topic


class Command(BaseCommand):
    help = "List the largest topics, or with --trending the ones rising today or this week."

    def add_arguments(self, parser):
        parser.add_argument("--trending", choices=["day", "week"])
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, trending, limit, **options):
        if trending:
            rows = scoring.trending_topics(trending, limit=limit)
            if not rows:
                self.stdout.write(f"Nothing stands out this {trending}.")
            for topic, trend in rows:
                self.stdout.write(
                    f"{trend.count:5d}  (usually {trend.baseline:.1f}, score {trend.score:.1f})"
                    f"  {topic.name}"
                )
            return
        for topic in Topic.objects.all()[:limit]:
            self.stdout.write(f"{topic.size:5d}  {topic.name}  [{', '.join(topic.terms[:6])}]")
