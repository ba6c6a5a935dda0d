"""Shared fixtures: named personas and a small published blog.

Personas: `maria` (a customer with an approved comment history), `sam` (a second
customer), `newbie` (a customer who has never posted), `olga` (an outsider with no
login), `alex` (agent), `lionel` (blogger), `mona` (moderator), `priya` (manager),
`ada` (admin). Each `*_client` fixture is a test client signed in as that persona.
"""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Role, User
from accounts.services import create_staff, register_customer
from conversations import services
from conversations.models import Kind, Moderation

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch):
    """Only loopback: any other connection attempt fails the test."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach {address!r}: only loopback is allowed")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _clear_cache():
    from openline import pagecache

    cache.clear()
    pagecache._local.clear()
    pagecache._bump()
    yield
    cache.clear()
    pagecache._local.clear()


def make_customer(email: str, name: str, *, verified: bool = True) -> User:
    user = User.objects.create_user(username=email, email=email, password=PASSWORD)
    register_customer(user, name)
    if verified:
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_staff(email: str, name: str, title: str, role: str) -> User:
    person = create_staff(email=email, display_name=name, title=title, role=role, password=PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=person.user, email=email, verified=True, primary=True)
    return person.user


@pytest.fixture
def maria(db):
    return make_customer("maria@example.com", "Maria Keller")


@pytest.fixture
def sam(db):
    return make_customer("sam@example.com", "Sam Osei")


@pytest.fixture
def newbie(db):
    return make_customer("newbie@example.com", "Nina Novak")


@pytest.fixture
def alex(db):
    return make_staff("alex@example.com", "Alex R.", "Customer Care", Role.AGENT)


@pytest.fixture
def lionel(db):
    return make_staff("lionel@example.com", "Lionel M.", "Chief Blogger", Role.BLOGGER)


@pytest.fixture
def mona(db):
    return make_staff("mona@example.com", "Mona T.", "Community Moderator", Role.MODERATOR)


@pytest.fixture
def priya(db):
    return make_staff("priya@example.com", "Priya S.", "Head of Service", Role.MANAGER)


@pytest.fixture
def ada(db):
    return make_staff("ada@example.com", "Ada L.", "Administrator", Role.ADMIN)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _signed_in_fixture(persona: str):
    @pytest.fixture
    def client_for(request, db):
        return signed_in(request.getfixturevalue(persona))

    client_for.__doc__ = f"A test client signed in as {persona}."
    return client_for


maria_client = _signed_in_fixture("maria")
sam_client = _signed_in_fixture("sam")
newbie_client = _signed_in_fixture("newbie")
alex_client = _signed_in_fixture("alex")
lionel_client = _signed_in_fixture("lionel")
mona_client = _signed_in_fixture("mona")
priya_client = _signed_in_fixture("priya")
ada_client = _signed_in_fixture("ada")


@pytest.fixture
def outcomes(db):
    """The outcomes a new installation has. Migration 0007 writes them, but tests that run in
    transactions empty every table afterwards, so tests that need them ask for them."""
    from conversations.models import DEFAULT_OUTCOMES, Outcome

    for position, (name, stance, description) in enumerate(DEFAULT_OUTCOMES):
        Outcome.objects.get_or_create(
            name=name,
            defaults={"stance": stance, "description": description, "position": position},
        )
    return {o.name: o for o in Outcome.objects.all()}


@pytest.fixture
def article(lionel):
    return services.publish_post(
        author=lionel.person,
        kind=Kind.ARTICLE,
        title="How we pack your order",
        body_md="Every parcel is packed **by hand** in our Leeds warehouse.",
        labels=services.labels_from_names(["Packaging"]),
    )


@pytest.fixture
def known_issue(lionel):
    from datetime import timedelta

    from django.utils import timezone

    return services.publish_post(
        author=lionel.person,
        kind=Kind.KNOWN_ISSUE,
        title="Deliveries to the north are running late",
        body_md="A storm closed the motorway; parcels are a day or two behind.",
        affected_area="Deliveries to Scotland and the North East",
        next_update_due=timezone.now() + timedelta(hours=4),
        labels=services.labels_from_names(["Delivery"]),
    )


@pytest.fixture
def maria_comment(maria, known_issue):
    """Maria's comment, visible (she is not new) and awaiting a response."""
    message = services.post_comment(
        known_issue, author=maria.person, body_md="Where is my parcel? Order 1042."
    )
    if message.moderation == Moderation.HELD:
        services.approve(message, by=maria)
    message.refresh_from_db()
    return message


@pytest.fixture
def idea_statuses(db):
    """The idea statuses a new installation has (migration community 0002 writes them; tests
    that run in transactions empty every table afterwards, so they ask for them)."""
    from community.models import DEFAULT_IDEA_STATUSES, IdeaStatus

    for position, (slug, name, description, is_open, on_roadmap) in enumerate(
        DEFAULT_IDEA_STATUSES
    ):
        IdeaStatus.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "position": position * 10,
                "is_open": is_open,
                "on_roadmap": on_roadmap,
                "builtin": True,
            },
        )
    return {s.slug: s for s in IdeaStatus.objects.all()}


@pytest.fixture
def deliveries(db):
    from conversations.models import Category

    return Category.objects.get_or_create(slug="deliveries", defaults={"name": "Deliveries"})[0]


def _visible_topic(kind, author, title, body, category=None):
    from community.services import start_topic

    conversation = start_topic(
        kind=kind, author=author.person, title=title, body_md=body, category=category
    )
    opening = conversation.messages.get(is_opening=True)
    if opening.moderation == Moderation.HELD:
        moderator = User.objects.filter(role=Role.ADMIN).first() or author
        services.approve(opening, by=moderator)
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def question(maria, deliveries):
    """Maria's question in Deliveries, visible and awaiting a response."""
    return _visible_topic(
        Kind.QUESTION,
        maria,
        "Can I change my delivery address after ordering?",
        "I moved last week. Order 2001 still shows the old address.",
        deliveries,
    )


@pytest.fixture
def discussion(maria, deliveries):
    return _visible_topic(
        Kind.DISCUSSION,
        maria,
        "Share your unboxing photos",
        "Post a picture of your latest parcel!",
        deliveries,
    )


@pytest.fixture
def idea(maria, idea_statuses, deliveries):
    return _visible_topic(
        Kind.IDEA,
        maria,
        "Let us pick a delivery time slot",
        "A two-hour window would let me stay in for the parcel.",
        deliveries,
    )
