"""The demo's listening post: queries, sources and a day of mentions from elsewhere.

Written for the demo, like the rest of its text. The mentions go through the real pipeline
(`listening.pipeline.ingest`) as if a webhook had delivered them; the feed source is paused,
so a demo never reaches out to the internet.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from listening import pipeline
from listening.items import Item
from listening.models import Query, Source, SourceKind, ToInbox

QUERIES = [
    ("Larder & Ladle", 'larder OR "larder & ladle" OR @larderandladle', ToInbox.RULES),
    ("Deliveries", "(larder OR ladle) AND (deliver* OR courier OR parcel OR late)", ToInbox.RULES),
    ("Refunds", 'refund* OR "money back" OR chargeback', ToInbox.ALWAYS),
    ("Job posts", "hiring OR vacancy OR vacancies", ToInbox.NEVER),
]

# (minutes ago, network, site, handle, name, text)
MENTIONS = [
    (25, "mastodon", "social.example", "@tomek@social.example", "Tomek W.",
     "Third Larder & Ladle box in a row that turns up after 9pm. The courier says the depot is "
     "swamped. Anyone else?"),
    (48, "bluesky", "bsky.example", "ines.bsky.example", "Inês",
     "Does Larder & Ladle deliver to Cork yet? Their site is not clear about Ireland."),
    (70, "reddit", "reddit.example", "u/panfriedpaul", "panfriedpaul",
     "PSA: Larder's cast-iron pan is back in stock and it is genuinely great. Seasoned mine "
     "last night."),
    (95, "mastodon", "social.example", "@cook_ada@social.example", "Ada Cooks",
     "Asked @larderandladle for a refund on a cracked jar, money back in two days. Painless."),
    (130, "", "foodblog.example", "", "The Weeknight Kitchen",
     "Our weekly shop this time came from Larder & Ladle: good veg, slightly pricey herbs, "
     "and the recipe cards are a nice touch."),
    (200, "bluesky", "bsky.example", "mo.bsky.example", "Mo",
     "Larder & Ladle app keeps logging me out when I change my delivery slot. Annoying."),
    (260, "reddit", "reddit.example", "u/jobhunter22", "jobhunter22",
     "Larder & Ladle is hiring warehouse staff in Leeds, decent pay apparently."),
    (1300, "mastodon", "social.example", "@tomek@social.example", "Tomek W.",
     "Larder & Ladle delivery late again and the soup arrived cold. Not impressed."),
]  # fmt: skip


def load(now: datetime) -> int:
    """Add the demo's listening post; returns the number of mentions stored."""
    for name, text, to_inbox in QUERIES:
        Query.objects.create(name=name, text=text, to_inbox=to_inbox)
    Source.objects.create(
        name="Food blogs (RSS)",
        kind=SourceKind.FEED,
        config={"url": "https://foodblog.example/feed.xml"},
        active=False,
        keep_all=False,
    )
    hook = Source.objects.create(name="Social listening webhook", kind=SourceKind.WEBHOOK)
    items = []
    for n, (minutes, network, site, handle, name, text) in enumerate(MENTIONS):
        path = f"{handle.strip('@').split('@')[0] or 'post'}/{1000 + n}"
        items.append(
            Item(
                external_id=f"demo-{n}",
                url=f"https://{site}/{path}",
                body=text,
                author_name=name,
                author_handle=handle,
                published_at=now - timedelta(minutes=minutes),
                network=network,
            )
        )
    return pipeline.ingest(items, source=hook, now=now).stored
