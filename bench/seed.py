"""Benchmark data, written through Openline's own services.

Run as `python -m bench.seed` with OPENLINE_DATA_DIR pointing at a throwaway folder:
migrates, collects static files, publishes one article with COMMENTS visible customer
comments, and prints {"path": ..., "comments": ...} as JSON on its last line.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta

CUSTOMERS = 25

BODIES = [
    "My parcel was marked **delivered** but it is not here. Order {n}; is anyone else seeing this?",
    "Same here. The tracking page says it was left in a *safe place*, which I cannot find.\n\n"
    "I checked with the neighbours at numbers 12 and 14 as well.",
    "Thanks for the update. Could you say whether refunds go back to the card or to store "
    "credit? The [returns page](https://example.com/returns) is not clear about it.",
    "It arrived this morning, two days late but intact. Thanks to whoever packed it:\n\n"
    "- the box was taped twice\n- the glasses were wrapped one by one\n- the note was a nice touch",
    "Order {n} still shows `in transit` after a week. What should I do next?",
    "Is the app showing the right delivery window? Mine says 9:00-13:00 but the e-mail said "
    "afternoon.",
]


def seed(comments: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import create_staff, register_customer
    from conversations import services
    from conversations.models import Category, Kind, Moderation

    User = get_user_model()
    blogger = create_staff(
        email="blogger@bench.invalid", display_name="Lionel M.", title="Chief Blogger",
        role=Role.BLOGGER,
    )  # fmt: skip
    category = Category.objects.create(
        name="Deliveries", slug="deliveries", description="Parcels, couriers and tracking."
    )
    start = timezone.now() - timedelta(days=3)
    post = services.publish_post(
        author=blogger,
        kind=Kind.ARTICLE,
        title="How we pack and ship your order",
        body_md=(
            "Every parcel is packed **by hand** in our Leeds warehouse and handed to the "
            "courier the same day.\n\n## What happens next\n\n"
            "1. You get an e-mail with a tracking link.\n"
            "2. The courier delivers within two working days.\n"
            "3. If anything is missing, comment below and we answer within a day.\n"
        ),
        category=category,
        labels=services.labels_from_names(["Delivery", "Packaging"]),
        published_at=start,
    )
    people = []
    for i in range(CUSTOMERS):
        email = f"customer{i}@bench.invalid"
        user = User.objects.create_user(username=email, email=email, password=None)
        people.append(register_customer(user, f"Customer {i} Example"))
    posted = []
    for i in range(comments):
        author = people[i % CUSTOMERS]
        reply_to = posted[i - 3] if i >= 3 and i % 4 == 0 else None
        message = services.post_comment(
            post,
            author=author,
            body_md=BODIES[i % len(BODIES)].format(n=1000 + i),
            reply_to=reply_to,
            at=start + timedelta(minutes=10 * (i + 1)),
        )
        if message.moderation == Moderation.HELD:  # a customer's first comment
            services.approve(message, by=blogger.user)
        posted.append(message)
    post.refresh_from_db()
    visible = post.messages.filter(moderation=Moderation.VISIBLE, is_opening=False).count()
    if visible != comments or post.comment_count != comments:
        raise SystemExit(f"seeding made {visible} visible comments, wanted {comments}")
    return {"path": post.get_absolute_url(), "comments": visible}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=100)
    args = parser.parse_args()
    if not os.environ.get("OPENLINE_DATA_DIR"):
        raise SystemExit("set OPENLINE_DATA_DIR to a throwaway folder first")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(json.dumps(seed(args.comments)))


if __name__ == "__main__":
    main()
