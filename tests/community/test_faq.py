"""The FAQ: staff write, edit and promote entries; the public page groups and searches them."""

from __future__ import annotations

import json
import re

import pytest
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

from community import faq
from community.models import FaqEntry
from community.services import accept_answer
from conversations import services
from conversations.models import AuditEvent, Category, Moderation
from conversations.services import PostingError
from tests.test_query_counts import count_queries

pytestmark = pytest.mark.django_db

FAQ = reverse("community:faq")
NEW = reverse("community:faq_new")


@pytest.fixture(autouse=True)
def _uncached(settings):
    """Pages are rendered afresh unless a test turns the anonymous page cache on."""
    settings.PAGE_CACHE_SECONDS = 0


def entry_url(entry):
    return reverse("community:faq_entry", args=[entry.slug])


def edit_url(entry):
    return reverse("community:faq_edit", args=[entry.slug])


def promote_url(conversation):
    return reverse("community:faq_promote", args=[conversation.slug])


def visible(message, by):
    if message.moderation == Moderation.HELD:
        services.approve(message, by=by)
    message.refresh_from_db()
    return message


def opening_of(conversation):
    return conversation.messages.get(is_opening=True)


@pytest.fixture
def billing(db):
    return Category.objects.create(name="Billing", slug="billing")


@pytest.fixture
def official_reply(question, alex):
    return services.answer(
        opening_of(question),
        by=alex,
        body_md="Yes: open **Orders**, choose the order and *Change address*.",
    )


@pytest.fixture
def accepted_reply(question, sam, maria, ada):
    reply = visible(
        services.post_comment(
            question, author=sam.person, body_md="I did it in the app under Orders, no fuss."
        ),
        ada,
    )
    accept_answer(question, reply, by=maria)
    return reply


def write(by, question="How long does delivery take?", answer="Two to three working days.", **kw):
    return faq.write_entry(by=by, question=question, answer_md=answer, **kw)


def form_data(**overrides):
    data = {
        "question": "How do I return an item?",
        "answer": "Use the **returns form** within 30 days.",
        "category": "",
        "position": "0",
        "slug": "",
        "published": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def jsonld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


# --- Writing and editing -----------------------------------------------------------------


def test_staff_write_an_entry_and_everyone_reads_it(alex_client, alex, client, billing):
    response = alex_client.post(NEW, form_data(category=str(billing.pk), position="3"))
    entry = FaqEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert entry.slug == "how-do-i-return-an-item"
    assert entry.answer_html == "<p>Use the <strong>returns form</strong> within 30 days.</p>\n"
    assert (entry.category, entry.position, entry.published) == (billing, 3, True)
    assert entry.created_by == alex and entry.source is None
    assert AuditEvent.objects.filter(verb="wrote FAQ entry", actor=alex).exists()

    page = client.get(FAQ).content.decode()
    assert "How do I return an item?" in page and "<strong>returns form</strong>" in page
    html = client.get(entry_url(entry)).content.decode()
    assert '<h1 id="entry-title">How do I return an item?</h1>' in html
    assert "Edit entry" not in html  # no staff links for the public
    assert "Edit entry" in alex_client.get(entry_url(entry)).content.decode()


@pytest.mark.parametrize(
    "persona, status",
    [("maria", 403), ("alex", 200), ("lionel", 200), ("mona", 200), ("priya", 200), ("ada", 200)],
)
def test_who_may_write_entries(request, persona, status):
    client = request.getfixturevalue(f"{persona}_client")
    assert client.get(NEW).status_code == status


def test_customers_and_visitors_change_nothing(
    client, maria_client, alex, question, official_reply
):
    entry = write(alex)
    for url in (NEW, edit_url(entry), promote_url(question)):
        assert maria_client.get(url).status_code == 403
        assert maria_client.post(url, form_data()).status_code == 403
        response = client.post(url, form_data())
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    entry.refresh_from_db()
    assert FaqEntry.objects.count() == 1 and entry.question == "How long does delivery take?"


def test_wrong_methods(client, alex_client, alex, question):
    entry = write(alex)
    assert client.post(FAQ).status_code == 405
    assert client.post(entry_url(entry)).status_code == 405
    assert alex_client.put(NEW).status_code == 405
    assert alex_client.delete(edit_url(entry)).status_code == 405
    assert alex_client.patch(promote_url(question)).status_code == 405
    assert client.head(FAQ).status_code == 200


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"question": "   "}, "Write the question first."),
        ({"question": None}, "Write the question first."),
        ({"answer": " \n "}, "Write the answer first."),
        ({"question": "Why? " * 41}, "That question is 204 characters; the limit is 200."),
        ({"answer": "x" * 20_001}, "That answer is 20,001 characters; the limit is 20,000."),
        ({"slug": "new"}, "is taken by a page of the FAQ"),
        ({"slug": "no spaces/here"}, "The address takes letters, digits, hyphens and underscores"),
        ({"slug": "delivery"}, "Another FAQ entry has that address; choose another."),
        ({"position": "40000"}, "less than or equal to 32767"),
        ({"category": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_input_changes_nothing_and_says_why(alex_client, alex, overrides, message):
    write(alex, slug="delivery")
    response = alex_client.post(NEW, form_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert FaqEntry.objects.count() == 1


def test_a_long_answer_counts_line_breaks_once(alex):
    # Browsers send CR LF; twenty thousand characters typed are twenty thousand stored.
    text = ("y" * 99 + "\r\n") * 200
    entry = write(alex, answer=text)
    assert len(entry.answer_md) == 20_000 - 1  # the last line break is trimmed


def test_addresses_are_made_unique_and_never_shadow_pages(alex):
    first = write(alex, question="Where is my parcel?")
    second = write(alex, question="Where is my parcel??")
    third = write(alex, question="New")
    odd = write(alex, question="?!")
    assert (first.slug, second.slug) == ("where-is-my-parcel", "where-is-my-parcel-2")
    assert third.slug == "new-2" and odd.slug == "entry"


def test_only_staff_who_answer_write(maria):
    with pytest.raises(PostingError):
        write(maria)
    assert not FaqEntry.objects.exists()


def test_answers_are_sanitised_but_staff_may_use_inline_html(alex):
    entry = write(
        alex, answer='Press <kbd>Ctrl</kbd>. <script>alert(1)</script> <a href="javascript:x">x</a>'
    )
    assert "<kbd>Ctrl</kbd>" in entry.answer_html
    assert "<script" not in entry.answer_html and "javascript:" not in entry.answer_html


def test_edit_an_entry(alex_client, alex, billing):
    entry = write(alex)
    form = alex_client.get(edit_url(entry)).content.decode()
    assert 'value="How long does delivery take?"' in form and "Two to three working days." in form
    response = alex_client.post(
        edit_url(entry),
        form_data(
            question="How long does standard delivery take?",
            answer="Two to *four* working days.",
            category=str(billing.pk),
            position="7",
            slug=entry.slug,
        ),
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.question == "How long does standard delivery take?"
    assert entry.answer_html == "<p>Two to <em>four</em> working days.</p>\n"
    assert (entry.category, entry.position, entry.slug) == (
        billing,
        7,
        "how-long-does-delivery-take",
    )
    assert AuditEvent.objects.filter(verb="edited FAQ entry").count() == 1


def test_edit_can_move_an_entry_to_a_free_address_only(alex_client, alex):
    entry, other = write(alex), write(alex, question="Do you ship abroad?")
    taken = alex_client.post(edit_url(entry), form_data(slug=other.slug))
    assert taken.status_code == 400
    assert "Another FAQ entry has that address" in taken.content.decode()
    entry.refresh_from_db()
    assert (
        entry.slug == "how-long-does-delivery-take" and entry.question != "How do I return an item?"
    )
    moved = alex_client.post(edit_url(entry), form_data(slug="delivery-times"))
    assert moved["Location"] == "/community/faq/delivery-times/"


def test_edit_with_bad_input_keeps_the_entry(alex_client, alex):
    entry = write(alex)
    response = alex_client.post(edit_url(entry), form_data(question="", slug=entry.slug))
    assert response.status_code == 400 and "Write the question first." in response.content.decode()
    entry.refresh_from_db()
    assert entry.question == "How long does delivery take?"


def test_unpublished_entries_are_for_staff_only(client, maria_client, alex_client, alex):
    shown = write(alex, question="Do you ship abroad?")
    draft = write(alex, question="Secret sale dates", published=False)
    for viewer in (client, maria_client):
        page = viewer.get(FAQ).content.decode()
        assert "Do you ship abroad?" in page and "Secret sale dates" not in page
        assert viewer.get(entry_url(draft)).status_code == 404
        assert viewer.get(FAQ, {"q": "secret"}).content.decode().count("Secret sale") == 0
        assert viewer.get(entry_url(shown)).status_code == 200
    staff_page = alex_client.get(FAQ).content.decode()
    assert "Secret sale dates" in staff_page and "Unpublished" in staff_page
    assert "Unpublished: only staff" in alex_client.get(entry_url(draft)).content.decode()
    # The markup for search engines never lists what is unpublished.
    names = [q["name"] for q in jsonld(staff_page)["mainEntity"]]
    assert names == ["Do you ship abroad?"]


def test_unpublishing_takes_an_entry_off_the_public_pages(client, alex_client, alex):
    entry = write(alex)
    response = alex_client.post(edit_url(entry), form_data(slug=entry.slug, published=None))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.published is False
    assert client.get(entry_url(entry)).status_code == 404
    assert "No questions here yet." in client.get(FAQ).content.decode()


def test_unknown_entry_is_404(client, alex_client):
    assert client.get("/community/faq/no-such-thing/").status_code == 404
    assert alex_client.get("/community/faq/no-such-thing/edit/").status_code == 404


# --- Promoting a community question -----------------------------------------------------


def test_promote_starts_from_the_accepted_answer(alex_client, question, accepted_reply, deliveries):
    response = alex_client.get(promote_url(question))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Can I change my delivery address after ordering?"' in html
    assert "I did it in the app under Orders, no fuss." in html
    assert f'<option value="{deliveries.pk}" selected>' in html
    assert "the accepted answer by Sam Osei" in html


def test_promote_falls_back_to_the_latest_official_reply(
    alex_client, alex, question, official_reply
):
    services.answer(opening_of(question), by=alex, body_md="Update: the app does it too.")
    services.add_internal_note(question, by=alex, body_md="Internal: never quote this")
    html = alex_client.get(promote_url(question)).content.decode()
    assert "Update: the app does it too." in html and "Internal" not in html
    assert "the latest official reply by Alex R." in html


def test_a_hidden_accepted_answer_is_not_promoted(
    alex, mona, question, accepted_reply, official_reply
):
    services.remove(accepted_reply, by=mona)
    assert faq.answer_to_promote(question) == official_reply


def test_promote_saves_an_entry_linked_to_the_question(
    alex_client, alex, client, question, accepted_reply, deliveries
):
    data = form_data(
        question="Can I change my delivery address?",
        answer="Yes, in the app under **Orders** until the parcel ships.",
        category=str(deliveries.pk),
    )
    response = alex_client.post(promote_url(question), data)
    entry = FaqEntry.objects.get()
    assert response.status_code == 302 and response["Location"] == entry_url(entry)
    assert entry.source == question and entry.category == deliveries
    assert AuditEvent.objects.filter(verb="promoted to FAQ", conversation=question).exists()

    link = f'From the community: <a href="{question.get_absolute_url()}">{question.title}</a>'
    assert link in client.get(entry_url(entry)).content.decode()
    assert link in client.get(FAQ).content.decode()


def test_promote_with_bad_input_changes_nothing(alex_client, question, official_reply):
    response = alex_client.post(promote_url(question), form_data(answer="z" * 20_001))
    assert response.status_code == 400
    assert "That answer is 20,001 characters" in response.content.decode()
    assert not FaqEntry.objects.exists()


def test_unanswered_questions_are_refused(alex_client, alex, question):
    services.add_internal_note(question, by=alex, body_md="Checking with the warehouse")
    for response in (
        alex_client.get(promote_url(question)),
        alex_client.post(promote_url(question), form_data()),
    ):
        assert response.status_code == 400
        assert "This question has no accepted answer or official reply yet." in (
            response.content.decode()
        )
    assert not FaqEntry.objects.exists()


def test_only_questions_are_promoted(alex_client, discussion):
    response = alex_client.post(promote_url(discussion), form_data())
    assert response.status_code == 400
    assert "Only community questions are added to the FAQ." in response.content.decode()
    assert not FaqEntry.objects.exists()


def test_promoting_twice_offers_the_existing_entry(alex_client, alex, question, official_reply):
    alex_client.post(promote_url(question), form_data())
    entry = FaqEntry.objects.get()
    for response in (
        alex_client.get(promote_url(question)),
        alex_client.post(promote_url(question), form_data(question="Another copy")),
    ):
        html = response.content.decode()
        assert response.status_code == 400
        assert "This question is already in the FAQ; edit that entry instead." in html
        assert f'href="{edit_url(entry)}">Edit the FAQ entry</a>' in html
    assert FaqEntry.objects.count() == 1
    with pytest.raises(PostingError):
        faq.promote_question(question, by=alex, question="Again", answer_md="Again")


def test_the_question_page_pieces(alex, maria, question, official_reply):
    promote = get_template("community/faq/_promote.html")
    note = get_template("community/faq/_in_faq.html")
    assert "Add to FAQ" in promote.render({"post": question, "user": alex})
    assert promote.render({"post": question, "user": maria}).strip() == ""
    assert note.render({"post": question}).strip() == ""

    entry = faq.promote_question(question, by=alex, question="Address change?", answer_md="Yes.")
    staff_html = promote.render({"post": question, "user": alex})
    assert "Add to FAQ" not in staff_html and "In the FAQ" in staff_html
    assert edit_url(entry) in staff_html
    assert entry_url(entry) in note.render({"post": question})

    faq.edit_entry(entry, by=alex, question="Address change?", answer_md="Yes.", published=False)
    assert "In the FAQ (unpublished)" in promote.render({"post": question, "user": alex})
    assert note.render({"post": question}).strip() == ""


# --- The FAQ page ------------------------------------------------------------------------


def test_entries_are_grouped_by_category_uncategorised_last(client, alex, billing, deliveries):
    write(alex, question="Zebra-print boxes?", category=deliveries)
    write(alex, question="Do you ship abroad?", category=deliveries, position=1)
    write(alex, question="Ask anything?")
    write(alex, question="Can I pay by invoice?", category=billing)
    write(alex, question="Alpha delivery?", category=deliveries)
    html = client.get(FAQ).content.decode()
    order = [
        "<h2", "Billing", "Can I pay by invoice?",
        "<h2", "Deliveries", "Alpha delivery?", "Zebra-print boxes?", "Do you ship abroad?",
        "<h2", "Other questions", "Ask anything?",
    ]  # fmt: skip
    at = 0
    for text in order:
        found = html.index(text, at)
        assert found >= at, text
        at = found + len(text)
    assert html.count("<details") == 5 and '<details class="faq-entry" id="q-' in html
    assert 'href="#faq-billing"' in html and 'id="faq-other"' in html


def test_search_filters_by_words_in_question_and_answer(client, alex):
    write(alex, question="How do refunds work?", answer="Money back in five days.")
    write(
        alex, question="Can I change my order?", answer="Yes, until it ships; a refund otherwise."
    )
    write(alex, question="Do you ship abroad?", answer="To the EU and the UK.")
    write(alex, question="Über-fast delivery?", answer="Next day in cities.")

    html = client.get(FAQ, {"q": "REFUND"}).content.decode()
    assert "How do <mark>refund</mark>s work?" in html and "Can I change my order?" in html
    assert "Do you ship abroad?" not in html
    assert "2 of 4 entries match “REFUND”." in html
    assert (
        html.count("<details") == 2
        and '<details class="faq-entry" id="q-how-do-refunds-work" open>' in html
    )

    both = client.get(FAQ, {"q": "refund ships"}).content.decode()
    assert "Can I change my order?" in both and "How do refunds work?" not in both
    assert "1 of 4 entries matches" in both

    assert "<mark>Über</mark>-fast delivery?" in client.get(FAQ, {"q": "über"}).content.decode()
    assert "Next day" in client.get(FAQ, {"q": "CITIES"}).content.decode()


def test_search_words_are_escaped_and_an_empty_result_says_so(client, alex):
    write(alex, question="Is <b> bold?", answer="Angle brackets & all.")
    html = client.get(FAQ, {"q": "<b>"}).content.decode()
    assert "Is <mark>&lt;b&gt;</mark> bold?" in html
    none = client.get(FAQ, {"q": '"><script>x'}).content.decode()
    assert "<script>x" not in none
    assert "No entry matches “&#34;&gt;&lt;script&gt;x”." in none
    assert "Show all" in none


def test_empty_faq(client, db):
    html = client.get(FAQ).content.decode()
    assert "No questions here yet." in html and "application/ld+json" not in html
    assert 'for="faq-search"' in html


def test_search_helpers():
    assert faq.search_words("  Refund refund  ÜBER ") == ["refund", "über"]
    assert len(faq.search_words(" ".join(f"w{i}" for i in range(30)))) == faq.SEARCH_WORDS_MAX
    assert str(faq.highlight("a&b", ["b"])) == "a&amp;<mark>b</mark>"
    assert str(faq.highlight("x < y", [])) == "x &lt; y"


@pytest.mark.parametrize("persona", ["client", "alex_client"])
def test_faq_page_queries_do_not_grow_with_entries(request, persona, alex, billing, question):
    viewer = request.getfixturevalue(persona)

    def add(n, start):
        for i in range(start, start + n):
            write(
                alex,
                question=f"Question {i}?",
                category=billing if i % 2 else None,
                source=question if i % 3 == 0 else None,
                published=i % 5 != 0,
            )

    add(2, 0)
    few = count_queries(viewer, FAQ)
    few_search = count_queries(viewer, FAQ + "?q=question")
    add(10, 2)
    assert count_queries(viewer, FAQ) == few
    assert count_queries(viewer, FAQ + "?q=question") == few_search
    if persona == "client":
        assert few <= 2


# --- schema.org markup -------------------------------------------------------------------


def test_faq_markup_cannot_break_out_of_its_script(client, alex):
    nasty = "</script><script>alert('x')</script> & <!--"
    entry = write(alex, question=nasty, answer="Fine <em>answer</em>\u2028 </script>")
    for url in (FAQ, entry_url(entry)):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert html.count("</script>") == html.count("<script")
        data = jsonld(html)
        assert data["@type"] == "FAQPage"
        (main,) = data["mainEntity"]
        assert main["name"] == nasty
        assert main["acceptedAnswer"]["text"] == entry.answer_html
        assert main["url"].endswith(entry_url(entry))


# --- The page cache ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # pages are forgotten when the change commits
def test_anonymous_faq_is_cached_until_an_entry_changes(settings, alex):
    settings.PAGE_CACHE_SECONDS = 60
    visitor = Client()
    entry = write(alex)
    assert visitor.get(FAQ)["X-Page-Cache"] == "miss"
    assert visitor.get(FAQ)["X-Page-Cache"] == "hit"
    assert visitor.get(entry_url(entry))["X-Page-Cache"] == "miss"
    faq.edit_entry(entry, by=alex, question="How fast is delivery?", answer_md="Quick.")
    fresh = visitor.get(FAQ)
    assert fresh["X-Page-Cache"] == "miss" and "How fast is delivery?" in fresh.content.decode()
    assert visitor.get(entry_url(entry))["X-Page-Cache"] == "miss"
    write(alex, question="Do you ship abroad?")
    assert "Do you ship abroad?" in visitor.get(FAQ).content.decode()
