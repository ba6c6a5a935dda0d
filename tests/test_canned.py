"""Canned replies and crisis playbooks: fields, who sees and keeps what, the staff pages,
starting and ending a playbook, and what the pages cost in queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Person, Role
from conversations import services
from conversations.models import AuditEvent, Category, Channel, Kind, KnownIssueStatus
from inbox import canned
from inbox.models import CannedReply, Playbook, PlaybookRun
from tests.conftest import make_staff, signed_in
from tests.test_query_counts import count_queries

LIST = "/staff/canned/"
NEW = "/staff/canned/new/"
PLAYBOOKS = "/staff/playbooks/"
ORDER_TEXT = "Hi {first_name}, I am checking order {{LL-1}} now: {link}\n\n{agent_name}"


# --- Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def bea(db):
    """A second agent, for replies that are someone else's own."""
    return make_staff("bea@example.com", "Bea K.", "Customer Care, evenings", Role.AGENT)


@pytest.fixture
def bea_client(bea):
    return signed_in(bea)


@pytest.fixture
def deliveries(db):
    return Category.objects.create(name="Deliveries", slug="deliveries")


@pytest.fixture
def billing(db):
    return Category.objects.create(name="Billing", slug="billing")


@pytest.fixture
def shared_reply(priya):
    return canned.save_canned_reply(
        None, by=priya, title="Where is my order?", body_md=ORDER_TEXT, shared=True
    )


@pytest.fixture
def alex_reply(alex):
    return canned.save_canned_reply(
        None, by=alex, title="My sign-off", body_md="Speak soon, {first_name}! {agent_name}"
    )


@pytest.fixture
def outage_reply(priya, deliveries):
    return canned.save_canned_reply(
        None,
        by=priya,
        title="Courier delay",
        body_md="Sorry {first_name}, the courier is down. Updates: {link}",
        link="https://status.example.com/",
        category=deliveries,
        shared=True,
    )


@pytest.fixture
def playbook(outage_reply, deliveries):
    playbook = Playbook.objects.create(
        name="Courier outage",
        issue_title="Deliveries delayed: courier outage",
        issue_affected_area="Home deliveries",
        issue_body_md="Our courier partner is down; deliveries run late.",
        issue_category=deliveries,
        next_update_minutes=45,
    )
    playbook.canned_replies.set([outage_reply])
    return playbook


@pytest.fixture
def email_case(maria):
    message = services.receive_private_message(
        conversation=None,
        author=maria.person,
        title="Refund?",
        body_md="Where is my refund?",
        channel=Channel.EMAIL,
    )
    return message.conversation


def fill(reply, *, conversation=None, customer=None, agent=None):
    return canned.render(reply, conversation=conversation, customer=customer, agent=agent)


# --- Fields -----------------------------------------------------------------------------------


def test_render_fills_in_the_fields(shared_reply, known_issue, maria, alex):
    text = fill(shared_reply, conversation=known_issue, customer=maria.person, agent=alex)
    link = settings.SITE_URL + known_issue.get_absolute_url()
    assert text == f"Hi Maria, I am checking order {{LL-1}} now: {link}\n\nAlex R."


@pytest.mark.parametrize("name", [None, "", "   "])
def test_an_unknown_name_is_there(shared_reply, alex, name):
    customer = None if name is None else Person(display_name=name)
    assert fill(shared_reply, customer=customer, agent=alex).startswith("Hi there, ")


def test_agent_name_comes_from_the_person_or_nobody(alex_reply, alex, maria):
    assert fill(alex_reply, customer=maria.person, agent=alex.person).endswith("Alex R.")
    assert fill(alex_reply, customer=maria.person, agent=None) == "Speak soon, Maria! "


def test_double_braces_stay_literal(alex):
    reply = canned.save_canned_reply(
        None,
        by=alex,
        title="Braces",
        body_md="{{first_name}} is a field; {{}} and {{{first_name}}}",
    )
    assert fill(reply, customer=Person(display_name="Ann Lee")) == (
        "{first_name} is a field; {} and {Ann}"
    )


def test_a_customer_name_stays_text_in_the_markdown(alex_reply):
    customer = Person(display_name="*Bo*<b>[x](y)")
    assert fill(alex_reply, customer=customer).startswith(r"Speak soon, \*Bo\*\<b\>\[x\](y)!")


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("Hi {frist_name}!", "Unknown field {frist_name}: the fields are"),
        ("{order} and {ticket}", "Unknown fields {order}, {ticket}"),
        ("Hi {first_name.upper}", "{first_name.upper}"),
        ("A lone { brace", "A lone { or }"),
        ("Hi {first_name", "A lone { or }"),
        ("Hi first_name}", "A lone { or }"),
    ],
)
def test_unknown_fields_are_refused_on_save(alex, body, named):
    with pytest.raises(ValidationError) as refused:
        canned.save_canned_reply(None, by=alex, title="Bad", body_md=body)
    assert named in " ".join(refused.value.message_dict["body_md"])
    assert not CannedReply.objects.exists()


def test_rendering_never_fails_on_text_saved_before_a_check(alex):
    reply = CannedReply.objects.create(
        title="Old", body_md="Hi {name} {first_name} { } {", owner=alex
    )
    assert fill(reply, customer=Person(display_name="Ann Lee")) == "Hi {name} Ann { } {"


def test_link_is_the_replys_own_then_the_public_conversation(
    shared_reply, outage_reply, known_issue, email_case
):
    public = settings.SITE_URL + known_issue.get_absolute_url()
    assert canned.link_for(outage_reply, known_issue) == "https://status.example.com/"
    assert canned.link_for(shared_reply, known_issue) == public
    assert canned.link_for(shared_reply, email_case) == ""  # a private e-mail thread
    assert canned.link_for(shared_reply, None) == ""


# --- Who sees what ----------------------------------------------------------------------------


def test_available_for_orders_playbook_then_department_then_the_rest(
    alex, priya, deliveries, billing, shared_reply, alex_reply, playbook, outage_reply
):
    canned.save_canned_reply(
        None, by=priya, title="Z: late van", body_md="Late", category=deliveries, shared=True
    )
    canned.save_canned_reply(
        None, by=priya, title="A: refund", body_md="Refund", category=billing, shared=True
    )
    run = canned.start_playbook(playbook, by=priya)
    conversation = run.known_issue  # in Deliveries, like the playbook's known issue

    replies = canned.available_for(alex, conversation)

    assert [r.title for r in replies] == [
        "Courier delay",  # the running playbook's
        "Z: late van",  # same department
        "A: refund",
        "My sign-off",
        "Where is my order?",
    ]
    assert [r.picker_group for r in replies] == [
        (0, "Playbook: Courier outage"),
        (1, "Shared"),
        (1, "Shared"),
        (2, "Your own"),
        (1, "Shared"),
    ]
    assert replies[0].active_run == run
    assert all(r.active_run is None for r in replies[1:])


def test_personal_replies_are_their_owners_alone(alex, bea, alex_reply, shared_reply):
    assert {r.title for r in canned.available_for(alex, None)} == {
        "My sign-off",
        "Where is my order?",
    }
    assert [r.title for r in canned.available_for(bea, None)] == ["Where is my order?"]
    assert canned.chosen(canned.available_for(bea, None), alex_reply.pk) is None
    assert canned.chosen(canned.available_for(alex, None), str(alex_reply.pk)) == alex_reply
    assert canned.chosen(canned.available_for(alex, None), "nonsense") is None
    assert canned.chosen(canned.available_for(alex, None), None) is None


def test_customers_and_visitors_get_no_replies(maria, shared_reply):
    from django.contrib.auth.models import AnonymousUser

    assert canned.available_for(maria, None) == []
    assert canned.available_for(AnonymousUser(), None) == []


def test_available_for_costs_two_queries(
    alex, priya, known_issue, playbook, shared_reply, alex_reply, django_assert_num_queries
):
    canned.start_playbook(playbook, by=priya)
    for i in range(5):
        canned.save_canned_reply(None, by=priya, title=f"More {i}", body_md="x", shared=True)
    with django_assert_num_queries(2):
        replies = canned.available_for(alex, known_issue)
        texts = [fill(r, conversation=known_issue, customer=None, agent=None) for r in replies]
    assert len(texts) == 8


def test_note_used_counts(shared_reply):
    canned.note_used(shared_reply)
    canned.note_used(shared_reply)
    shared_reply.refresh_from_db()
    assert shared_reply.use_count == 2


# --- Keeping replies (services) ---------------------------------------------------------------


def test_only_managers_and_admins_share(alex, priya, ada, shared_reply):
    with pytest.raises(PermissionDenied):
        canned.save_canned_reply(None, by=alex, title="Mine", body_md="x", shared=True)
    with pytest.raises(PermissionDenied):
        canned.save_canned_reply(shared_reply, by=alex, title="Changed", body_md="x")
    with pytest.raises(PermissionDenied):
        canned.delete_canned_reply(shared_reply, by=alex)
    canned.save_canned_reply(shared_reply, by=ada, title="Changed", body_md="x", shared=True)
    shared_reply.refresh_from_db()
    assert shared_reply.title == "Changed" and shared_reply.owner is None


def test_customers_keep_no_replies(maria):
    with pytest.raises(PermissionDenied):
        canned.save_canned_reply(None, by=maria, title="Mine", body_md="x")


def test_someone_elses_reply_cannot_be_changed(alex, bea, alex_reply):
    with pytest.raises(PermissionDenied):
        canned.save_canned_reply(alex_reply, by=bea, title="Taken", body_md="x")
    with pytest.raises(PermissionDenied):
        canned.delete_canned_reply(alex_reply, by=bea)


def test_titles_are_unique_among_shared_and_among_ones_own(alex, bea, priya, alex_reply):
    canned.save_canned_reply(None, by=bea, title="MY SIGN-OFF", body_md="x")  # Bea's own
    canned.save_canned_reply(None, by=priya, title="My sign-off", body_md="x", shared=True)
    with pytest.raises(ValidationError, match="already a shared reply"):
        canned.save_canned_reply(None, by=priya, title="my sign-off", body_md="y", shared=True)
    with pytest.raises(ValidationError, match="already have a reply"):
        canned.save_canned_reply(None, by=alex, title="My Sign-off", body_md="y")


def test_access_helper(alex, bea, maria, alex_reply, shared_reply):
    assert canned.get_canned_reply_for_user(alex, alex_reply.pk, write=True) == alex_reply
    assert canned.get_canned_reply_for_user(bea, shared_reply.pk) == shared_reply
    from django.http import Http404

    with pytest.raises(Http404):
        canned.get_canned_reply_for_user(bea, alex_reply.pk)
    with pytest.raises(Http404):
        canned.get_canned_reply_for_user(alex, 999_999)
    with pytest.raises(PermissionDenied):
        canned.get_canned_reply_for_user(bea, shared_reply.pk, write=True)
    with pytest.raises(PermissionDenied):
        canned.get_canned_reply_for_user(maria, shared_reply.pk)


# --- Pages: who may open them -----------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, NEW, PLAYBOOKS])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("maria_client", 403),
        ("alex_client", 200),
        ("lionel_client", 200),
        ("mona_client", 200),
        ("priya_client", 200),
        ("ada_client", 200),
    ],
)
def test_who_opens_the_pages(request, persona, status, url):
    assert request.getfixturevalue(persona).get(url).status_code == status


def test_anonymous_is_sent_to_sign_in(client, shared_reply, playbook, priya):
    run = canned.start_playbook(playbook, by=priya)
    for method, url in [
        ("get", LIST),
        ("get", NEW),
        ("get", PLAYBOOKS),
        ("get", reverse("inbox:canned_edit", args=[shared_reply.pk])),
        ("post", reverse("inbox:canned_delete", args=[shared_reply.pk])),
        ("post", reverse("inbox:playbook_start", args=[playbook.pk])),
        ("post", reverse("inbox:playbook_run_end", args=[run.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert CannedReply.objects.filter(pk=shared_reply.pk).exists()
    assert PlaybookRun.objects.active().count() == 1


def test_wrong_methods(alex_client, priya, shared_reply, playbook):
    run = canned.start_playbook(playbook, by=priya)
    assert alex_client.post(LIST).status_code == 405
    assert alex_client.put(NEW).status_code == 405
    assert (
        alex_client.delete(reverse("inbox:canned_edit", args=[shared_reply.pk])).status_code == 405
    )
    assert (
        alex_client.get(reverse("inbox:canned_delete", args=[shared_reply.pk])).status_code == 405
    )
    assert alex_client.post(PLAYBOOKS).status_code == 405
    assert alex_client.get(reverse("inbox:playbook_start", args=[playbook.pk])).status_code == 405
    assert alex_client.get(reverse("inbox:playbook_run_end", args=[run.pk])).status_code == 405


def test_edit_and_delete_by_role(
    alex_client, bea_client, priya_client, maria_client, alex_reply, shared_reply
):
    mine = reverse("inbox:canned_edit", args=[alex_reply.pk])
    shared = reverse("inbox:canned_edit", args=[shared_reply.pk])
    assert alex_client.get(mine).status_code == 200
    assert bea_client.get(mine).status_code == 404  # someone else's own: not even seen
    assert priya_client.get(mine).status_code == 404
    assert bea_client.post(mine, {"title": "Taken", "body_md": "x"}).status_code == 404
    assert bea_client.post(mine + "delete/").status_code == 404
    assert alex_client.get(shared).status_code == 403  # seen, but kept by managers
    assert alex_client.post(shared + "delete/").status_code == 403
    assert maria_client.get(shared).status_code == 403
    assert priya_client.get(shared).status_code == 200
    assert alex_client.get(reverse("inbox:canned_edit", args=[999_999])).status_code == 404
    assert CannedReply.objects.count() == 2
    alex_reply.refresh_from_db()
    assert alex_reply.title == "My sign-off"


# --- Pages: keeping replies -------------------------------------------------------------------


def test_an_agent_writes_a_reply_of_their_own(alex, alex_client, deliveries):
    page = alex_client.get(NEW).content.decode()
    assert 'name="shared"' not in page  # agents do not share
    response = alex_client.post(
        NEW,
        {
            "title": "Thanks",
            "body_md": "Thanks, {first_name}!",
            "link": "example.com/help",
            "category": deliveries.pk,
            "shared": "on",  # ignored: not a field for agents
        },
    )
    assert response.status_code == 302 and response["Location"] == LIST
    reply = CannedReply.objects.get(title="Thanks")
    assert reply.owner == alex and reply.created_by == alex
    assert reply.link == "https://example.com/help" and reply.category == deliveries
    listing = alex_client.get(LIST).content.decode()
    assert "Thanks, Jamie!" in listing and "Only you" in listing


def test_a_manager_shares_a_reply(priya, priya_client, bea_client):
    assert 'name="shared"' in priya_client.get(NEW).content.decode()
    response = priya_client.post(
        NEW, {"title": "Hello", "body_md": "Hello {first_name}", "shared": "on"}
    )
    assert response.status_code == 302
    assert CannedReply.objects.get(title="Hello").owner is None
    assert "Hello Jamie" in bea_client.get(LIST).content.decode()


def test_bad_input_is_shown_and_nothing_saved(alex_client, alex_reply):
    response = alex_client.post(NEW, {"title": "Bad", "body_md": "Hi {firstname}"})
    assert response.status_code == 400
    assert "Unknown field {firstname}" in response.content.decode()
    response = alex_client.post(NEW, {"title": "my sign-off", "body_md": "Again"})
    assert response.status_code == 400
    assert "You already have a reply with this title." in response.content.decode()
    response = alex_client.post(NEW, {"title": "", "body_md": "x", "link": "not a link"})
    assert response.status_code == 400
    assert CannedReply.objects.count() == 1


def test_editing_and_deleting_through_the_pages(alex_client, alex_reply):
    url = reverse("inbox:canned_edit", args=[alex_reply.pk])
    page = alex_client.get(url).content.decode()
    assert "Speak soon, {first_name}!" in page
    response = alex_client.post(url, {"title": "Sign-off", "body_md": "Bye {first_name}"})
    assert response.status_code == 302
    alex_reply.refresh_from_db()
    assert (alex_reply.title, alex_reply.body_md) == ("Sign-off", "Bye {first_name}")
    response = alex_client.post(url, {"title": "Sign-off", "body_md": "Bye {name}"})
    assert response.status_code == 400
    alex_reply.refresh_from_db()
    assert alex_reply.body_md == "Bye {first_name}"
    assert alex_client.post(url + "delete/").status_code == 302
    assert not CannedReply.objects.filter(pk=alex_reply.pk).exists()


def test_search(alex_client, shared_reply, alex_reply):
    page = alex_client.get(LIST + "?q=order").content.decode()
    assert "Where is my order?" in page and "My sign-off" not in page
    page = alex_client.get(LIST + "?q=speak").content.decode()
    assert "My sign-off" in page and "Where is my order?" not in page
    assert "No canned reply mentions" in alex_client.get(LIST + "?q=zebra").content.decode()


# --- Playbooks --------------------------------------------------------------------------------


def test_starting_a_playbook_publishes_the_known_issue(priya, priya_client, playbook, outage_reply):
    before = timezone.now()
    response = priya_client.post(reverse("inbox:playbook_start", args=[playbook.pk]))
    run = PlaybookRun.objects.get()
    issue = run.known_issue
    assert response.status_code == 302 and response["Location"] == issue.get_absolute_url()
    assert issue.kind == Kind.KNOWN_ISSUE and issue.is_published and issue.is_public
    assert issue.title == "Deliveries delayed: courier outage"
    assert issue.category == playbook.issue_category and issue.author == priya.person
    known = issue.known_issue
    assert known.affected_area == "Home deliveries"
    assert known.status == KnownIssueStatus.INVESTIGATING
    assert before + timedelta(minutes=45) <= known.next_update_due
    assert known.next_update_due <= timezone.now() + timedelta(minutes=45)
    assert run.started_by == priya and run.ended_at is None
    assert AuditEvent.objects.filter(verb="started a playbook", conversation=issue).exists()
    # While it runs, {link} in the playbook's replies is the known issue.
    fresh = CannedReply.objects.get(pk=outage_reply.pk)
    assert canned.link_for(fresh) == settings.SITE_URL + issue.get_absolute_url()
    page = priya_client.get(PLAYBOOKS).content.decode()
    assert issue.title in page and "Running" in page


def test_a_playbook_runs_once_at_a_time(priya, priya_client, playbook):
    canned.start_playbook(playbook, by=priya)
    response = priya_client.post(reverse("inbox:playbook_start", args=[playbook.pk]), follow=True)
    assert "already running" in response.content.decode()
    assert PlaybookRun.objects.count() == 1


def test_a_switched_off_playbook_does_not_start(priya, playbook):
    playbook.active = False
    playbook.save(update_fields=["active"])
    with pytest.raises(services.PostingError, match="switched off"):
        canned.start_playbook(playbook, by=priya)
    assert not PlaybookRun.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("maria_client", 403),
        ("alex_client", 403),
        ("mona_client", 403),
        ("lionel_client", 302),
        ("priya_client", 302),
        ("ada_client", 302),
    ],
)
def test_who_starts_a_playbook(request, playbook, persona, status):
    url = reverse("inbox:playbook_start", args=[playbook.pk])
    assert request.getfixturevalue(persona).post(url).status_code == status
    assert PlaybookRun.objects.count() == (1 if status == 302 else 0)


def test_start_and_end_buttons_only_for_those_who_may(alex_client, priya_client, priya, playbook):
    assert "Start<span" not in alex_client.get(PLAYBOOKS).content.decode()
    assert "Start<span" in priya_client.get(PLAYBOOKS).content.decode()
    canned.start_playbook(playbook, by=priya)
    assert "End<span" not in alex_client.get(PLAYBOOKS).content.decode()
    assert "End<span" in priya_client.get(PLAYBOOKS).content.decode()
    assert priya_client.post(reverse("inbox:playbook_start", args=[999_999])).status_code == 404


def test_ending_a_run(priya, alex_client, lionel_client, playbook, outage_reply):
    run = canned.start_playbook(playbook, by=priya)
    url = reverse("inbox:playbook_run_end", args=[run.pk])
    assert alex_client.post(url).status_code == 403
    response = lionel_client.post(url)
    assert response.status_code == 302 and response["Location"] == PLAYBOOKS
    run.refresh_from_db()
    assert run.ended_at is not None and run.ended_by.person.display_name == "Lionel M."
    assert not PlaybookRun.objects.active().exists()
    assert AuditEvent.objects.filter(verb="ended a playbook").count() == 1
    lionel_client.post(url)  # ending twice changes nothing
    assert AuditEvent.objects.filter(verb="ended a playbook").count() == 1
    fresh = CannedReply.objects.get(pk=outage_reply.pk)
    assert canned.link_for(fresh) == "https://status.example.com/"
    assert lionel_client.post(reverse("inbox:playbook_run_end", args=[999_999])).status_code == 404
    assert run.known_issue.title in lionel_client.get(PLAYBOOKS).content.decode()  # "Ended"


def test_resolving_the_known_issue_ends_the_run(priya, lionel, playbook, outage_reply):
    first = canned.start_playbook(playbook, by=priya)
    services.post_status_update(
        first.known_issue, author=lionel.person, status=KnownIssueStatus.RESOLVED, body_md="Fixed"
    )
    assert not PlaybookRun.objects.active().exists()
    assert canned.link_for(CannedReply.objects.get(pk=outage_reply.pk)) == (
        "https://status.example.com/"
    )
    second = canned.start_playbook(playbook, by=priya)  # the next crisis
    first.refresh_from_db()
    assert first.ended_at == first.known_issue.known_issue.resolved_at
    assert list(PlaybookRun.objects.active()) == [second]


# --- Admin and demo ---------------------------------------------------------------------------


def test_admin_pages(ada_client, shared_reply, playbook, priya):
    run = canned.start_playbook(playbook, by=priya)
    for url in [
        "/admin/inbox/cannedreply/",
        "/admin/inbox/cannedreply/add/",
        f"/admin/inbox/cannedreply/{shared_reply.pk}/change/",
        "/admin/inbox/playbook/",
        "/admin/inbox/playbook/add/",
        f"/admin/inbox/playbook/{playbook.pk}/change/",
        "/admin/inbox/playbookrun/",
        f"/admin/inbox/playbookrun/{run.pk}/change/",
    ]:
        assert ada_client.get(url).status_code == 200, url


def test_admin_refuses_unknown_fields(ada_client):
    response = ada_client.post(
        "/admin/inbox/cannedreply/add/", {"title": "X", "body_md": "Hi {nom}", "link": ""}
    )
    assert response.status_code == 200 and "Unknown field {nom}" in response.content.decode()
    assert not CannedReply.objects.exists()


def test_demo_replies_and_playbook_load_once(priya, db):
    from openline.demo.loader import _Loader

    loader = _Loader(timezone.now())
    loader.make_taxonomy()
    loader.staff = {"priya": priya.person}
    loader.make_canned_replies()
    loader.make_canned_replies()
    assert CannedReply.objects.filter(owner__isnull=True).count() == 3
    playbook = Playbook.objects.get()
    assert playbook.canned_replies.count() == 2
    for reply in CannedReply.objects.all():
        assert canned.field_problems(reply.body_md) == []
    run = canned.start_playbook(playbook, by=priya)
    assert run.known_issue.is_published


# --- Queries ----------------------------------------------------------------------------------


def add_replies(priya, alex, n, start=0):
    for i in range(start, start + n):
        canned.save_canned_reply(
            None, by=priya, title=f"Shared {i}", body_md="Hi {first_name} {link}", shared=True
        )
        canned.save_canned_reply(None, by=alex, title=f"Own {i}", body_md="{agent_name}")


def test_canned_list_is_constant(alex, alex_client, priya, playbook):
    canned.start_playbook(playbook, by=priya)
    add_replies(priya, alex, 2)
    few = count_queries(alex_client, LIST)
    add_replies(priya, alex, 15, start=2)
    assert count_queries(alex_client, LIST) == few <= 6
    assert count_queries(alex_client, LIST + "?q=Shared") == few


def test_playbook_list_is_constant(priya, priya_client, lionel, deliveries, outage_reply):
    def add_playbooks(n, start):
        for i in range(start, start + n):
            playbook = Playbook.objects.create(
                name=f"Crisis {i}",
                issue_title=f"Crisis {i}",
                issue_affected_area="Everything",
                issue_body_md="Down",
                issue_category=deliveries,
            )
            playbook.canned_replies.set([outage_reply])
            run = canned.start_playbook(playbook, by=priya)
            if i % 2:
                canned.end_playbook_run(run, by=priya)
                canned.start_playbook(playbook, by=priya)

    add_playbooks(2, 0)
    few = count_queries(priya_client, PLAYBOOKS)
    add_playbooks(8, 2)
    assert count_queries(priya_client, PLAYBOOKS) == few <= 7


# --- The picker partial -----------------------------------------------------------------------


def picker(rf, user, conversation, query=""):
    from django.template.loader import render_to_string

    request = rf.get("/staff/conversations/1/" + query)
    request.user = user
    replies = canned.available_for(user, conversation)
    return render_to_string(
        "inbox/_canned_picker.html",
        {"canned_replies": replies, "conversation": conversation},
        request=request,
    )


def test_picker_groups_by_playbook_shared_and_own(
    rf, alex, priya, playbook, outage_reply, shared_reply, alex_reply
):
    run = canned.start_playbook(playbook, by=priya)
    html = picker(rf, alex, run.known_issue, f"?canned={shared_reply.pk}")
    assert '<form method="get" action="#reply"' in html and 'name="canned"' in html
    groups = [
        '<optgroup label="Playbook: Courier outage">',
        '<optgroup label="Shared">',
        '<optgroup label="Your own">',
    ]
    assert [html.index(group) for group in groups] == sorted(html.index(g) for g in groups)
    assert f'<option value="{shared_reply.pk}" selected>Where is my order?</option>' in html
    assert "Courier delay (Deliveries)" in html  # same department as the conversation
    assert ">Use</button>" in html


def test_picker_escapes_titles_and_says_when_there_is_nothing(rf, alex, priya):
    assert "write one" in picker(rf, alex, None)
    canned.save_canned_reply(None, by=priya, title="<b>Bold</b>", body_md="x", shared=True)
    assert "&lt;b&gt;Bold&lt;/b&gt;" in picker(rf, alex, None)


# --- Edges ------------------------------------------------------------------------------------


def test_agent_name_of_a_login_without_a_person(alex_reply, db):
    from accounts.models import User

    login = User.objects.create_user(
        username="sam.lee", first_name="Sam", last_name="Lee", role=Role.AGENT
    )
    assert fill(alex_reply, customer=None, agent=login) == "Speak soon, there! Sam Lee"


def test_a_title_taken_at_the_same_moment_is_refused(alex, alex_reply, monkeypatch):
    # Another request saved the same title between the check and the insert.
    monkeypatch.setattr(CannedReply, "validate_constraints", lambda self, exclude=None: None)
    with pytest.raises(ValidationError, match="already a reply with this title"):
        canned.save_canned_reply(None, by=alex, title="My sign-off", body_md="x")
    assert CannedReply.objects.count() == 1


def test_a_run_resolved_without_a_time_ends_now(priya, playbook):
    from conversations.models import KnownIssue

    first = canned.start_playbook(playbook, by=priya)
    KnownIssue.objects.filter(pk=first.known_issue_id).update(status=KnownIssueStatus.RESOLVED)
    canned.start_playbook(playbook, by=priya)
    first.refresh_from_db()
    assert first.ended_at is not None


def test_only_publishers_and_managers_end_runs(priya, alex, mona, playbook):
    run = canned.start_playbook(playbook, by=priya)
    for user in (alex, mona):
        with pytest.raises(PermissionDenied):
            canned.end_playbook_run(run, by=user)
    with pytest.raises(PermissionDenied):
        canned.start_playbook(playbook, by=alex)
    assert PlaybookRun.objects.active().get() == run
