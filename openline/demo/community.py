"""The demo's community: discussions, questions (solved by staff, by customers, and not yet),
ideas with votes and statuses, and a FAQ.

Written for the demo, like the rest of its text. Everything goes through the services, as if
members had typed it, with times in the past; first posts are let through by the moderator.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from accounts.models import Person
from community import faq, ideas
from community import services as community_services
from conversations import services
from conversations.models import Category, Kind, Message, Moderation, Subscription

# (key, kind, hours ago, author, category, title, body)
TOPICS = [
    ("unboxing", Kind.DISCUSSION, 70, "maria", "products",
     "Show us your best Larder box so far",
     "Mine had the Yorkshire rhubarb **and** the sourdough from Crumb & Co. What did yours have?"),
    ("vans", Kind.DISCUSSION, 30, "jonas", "deliveries",
     "The new electric vans are quiet. Too quiet?",
     "Our driver made me jump this morning: didn't hear a thing until the knock."),
    ("address", Kind.QUESTION, 50, "sam", "deliveries",
     "Can I change the delivery address after ordering?",
     "I am staying with my parents this weekend. Order 48213 still goes to my flat."),
    ("substitute", Kind.QUESTION, 26, "maria", "orders-refunds",
     "How do I stop substitutions for one item only?",
     "Happy with swaps in general, but **not** for the gluten-free bread."),
    ("collect", Kind.QUESTION, 3, "jonas", "stores",
     "Is click & collect open on bank holidays?",
     "Planning to pick up at Bradford on Monday."),
    ("slots", Kind.IDEA, 90, "maria", "deliveries",
     "Let us choose a one-hour delivery slot",
     "Two-hour slots are long when you have to stay in. One hour, even for a small fee?"),
    ("darkmode", Kind.IDEA, 60, "sam", "the-app",
     "Dark mode in the app",
     "The white screen at 11pm when I remember the milk is painful."),
    ("refill", Kind.IDEA, 40, "jonas", "products",
     "Refill pouches for the olive oil",
     "The glass bottles pile up. Refill pouches would be lighter to deliver too."),
    ("paper", Kind.IDEA, 20, "maria", "products",
     "Paper bags instead of plastic for loose veg",
     "Same idea as the oil refills: less plastic in the box."),
]  # fmt: skip

# (topic key, hours after the topic, author, text, reply to the opening?)
REPLIES = [
    ("unboxing", 2, "sam", "Cast-iron pan and a jar of the smoked salt. Very happy.", False),
    ("unboxing", 5, "lionel",
     "Love these, Maria. We may feature a few on the blog, if you all agree!", True),
    ("vans", 1, "maria", "Same here. Maybe a little chime when they arrive?", False),
    ("vans", 3, "tomasz",
     "Good point, Jonas: we are asking drivers to knock a bit louder meanwhile.", True),
    ("address", 1, "maria", "I did it in the app under Orders, until the order is packed.", True),
    ("address", 2, "sam", "Found it, thanks Maria!", False),
    ("substitute", 2, "alex",
     "Hi Maria, open the order, tap the item and choose **No substitute**. It applies to "
     "that item only.", True),
    ("slots", 6, "jonas", "Yes please. Even a text when the van is ten minutes away would help.",
     False),
    ("darkmode", 3, "maria", "Seconded.", False),
]  # fmt: skip

# Accepted answers: (question key, index into that topic's replies, accepted by)
ACCEPTED = [("address", 0, "sam"), ("substitute", 0, "maria")]

IDEA_VOTES = {
    "slots": ["maria", "sam", "jonas"],
    "darkmode": ["sam", "maria"],
    "refill": ["jonas", "maria", "sam"],
    "paper": ["maria"],
}
# (idea key, status, by, public reason)
IDEA_STATUSES = [
    ("slots", "planned", "priya",
     "We will trial one-hour slots in Leeds from next month, for a small fee at busy times."),
    ("refill", "in-progress", "priya",
     "Our olive-oil grower is testing pouches that survive the van. First batch in spring."),
    ("paper", "done", "tomasz", "Loose veg now comes in paper bags in every box. Thank you!"),
]  # fmt: skip

# (question, answer, category) written by staff; the "substitute" question is promoted too.
FAQ = [
    ("When will my delivery arrive?",
     "Your slot is in the app and in the confirmation e-mail. The driver texts you when the van "
     "is about ten minutes away.", "deliveries"),
    ("How do I get a refund for a missing item?",
     "Open the order, choose the item and **Report a problem**. Refunds reach your card in two "
     "to five working days.", "orders-refunds"),
    ("Why does the app sign me out?",
     "Update to the latest version from your app store. If it still happens, sign out and in "
     "once; your basket is kept.", "the-app"),
]  # fmt: skip


def _people() -> dict[str, Person]:
    people = {}
    for person in Person.objects.select_related("user").filter(user__isnull=False):
        key = person.user.email.split("@")[0]
        people[key] = person
    return people


def load(now: datetime) -> dict:
    """Write the demo's community; returns how many topics and replies it wrote."""
    people = _people()
    moderator = people["mona"].user
    categories = {c.slug: c for c in Category.objects.all()}
    topics = {}
    replies: dict[str, list[Message]] = {}
    for key, kind, hours, author, category, title, body in TOPICS:
        at = now - timedelta(hours=hours)
        conversation = community_services.start_topic(
            kind=kind,
            author=people[author],
            title=title,
            body_md=body,
            category=categories.get(category),
            at=at,
        )
        opening = conversation.messages.get(is_opening=True)
        if opening.moderation == Moderation.HELD:
            services.approve(opening, by=moderator)
            conversation.refresh_from_db()
        topics[key] = conversation
        replies[key] = []
    for key, after, author, text, to_opening in REPLIES:
        conversation = topics[key]
        at = conversation.created_at + timedelta(hours=after)
        opening = conversation.messages.get(is_opening=True)
        message = services.post_comment(
            conversation,
            author=people[author],
            body_md=text,
            reply_to=opening if to_opening else None,
            at=at,
        )
        if message.moderation == Moderation.HELD:
            services.approve(message, by=moderator)
        replies[key].append(message)
    for key, index, by in ACCEPTED:
        community_services.accept_answer(topics[key], replies[key][index], by=people[by].user)
    for key, voters in IDEA_VOTES.items():
        for voter in voters:
            ideas.vote(topics[key], people[voter])
    for key, status, by, reason in IDEA_STATUSES:
        ideas.set_status(topics[key], status, by=people[by].user, reason_md=reason)
    editor = people["alex"].user
    for position, (question, answer, category) in enumerate(FAQ):
        faq.write_entry(
            by=editor,
            question=question,
            answer_md=answer,
            category=categories.get(category),
            position=position,
        )
    substitute = topics["substitute"]
    faq.promote_question(
        substitute,
        by=editor,
        question=substitute.title,
        answer_md=faq.answer_to_promote(substitute).body_md,
        category=substitute.category,
        position=len(FAQ),
    )
    # No e-mail about the demo's made-up past (see _Loader.quiet_notifications).
    Subscription.objects.filter(conversation__in=topics.values()).delete()
    return {"topics": len(topics), "replies": sum(len(r) for r in replies.values())}
