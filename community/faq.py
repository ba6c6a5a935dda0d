"""The FAQ: entries staff write, or promote from an answered community question.

The FAQ is company content: staff who answer customers write, edit, unpublish and order
entries, and the answer's Markdown is rendered as staff text (inline HTML allowed, still
sanitised). A promoted entry keeps its question as `source`, so the entry links back to the
discussion and the question can say it is in the FAQ; a question is promoted once.

The FAQ is small (hundreds of entries at most), so the public page loads every published
entry in one query and searches them in Python, which matches words case-insensitively the
same way on SQLite and PostgreSQL, accents and all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from markupsafe import Markup, escape

from accounts.models import User
from community.models import FaqEntry, Question
from conversations.markup import plain_text, render_markdown
from conversations.models import Category, Conversation, Kind, Message, Moderation
from conversations.services import PostingError, audit, require_answerer
from openline import pagecache
from openline.jinja import json_ld
from openline.routing import cached_reverse
from openline.text import written_text

QUESTION_MAX = 200
ANSWER_MAX = 20_000
SLUG_MAX = 200  # leaves room for a "-12" suffix within the column's 220
POSITION_MAX = 32_767  # what a PositiveSmallIntegerField holds on every database
SEARCH_MAX = 200
SEARCH_WORDS_MAX = 10
# Addresses under /community/faq/ that belong to pages, not entries.
RESERVED_SLUGS = frozenset({"new"})
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


# --- Who may see and change what ---------------------------------------------------------


def can_edit(user) -> bool:
    return user.is_authenticated and user.can("answer")


def get_entry_for_user(user, slug: str, *, write: bool = False) -> FaqEntry:
    """An entry by its address: 404 when absent or unpublished (unless the viewer edits the
    FAQ), 403 when `write` and the viewer does not."""
    entry = FaqEntry.objects.select_related("category", "source").filter(slug=slug).first()
    if entry is None or not (entry.published or can_edit(user)):
        raise Http404("No such FAQ entry")
    if write and not can_edit(user):
        raise PermissionDenied("Only staff who answer customers edit the FAQ.")
    return entry


# --- Checking what staff wrote -----------------------------------------------------------


def clean_question(text: str | None) -> str:
    """The question as stored: one line, spaces collapsed, at most QUESTION_MAX long."""
    text = " ".join((text or "").replace("\x00", "").split())
    if not text:
        raise PostingError("Write the question first.")
    if len(text) > QUESTION_MAX:
        raise PostingError(
            f"That question is {len(text):,} characters; the limit is {QUESTION_MAX}. "
            "Please shorten it."
        )
    return text


def clean_answer(text: str | None) -> str:
    # Browsers send line breaks as CR LF; counted as one, as the text box counts them.
    text = (text or "").replace("\r\n", "\n")
    if not text.replace("\x00", "").strip():
        raise PostingError("Write the answer first.")
    return written_text(text, ANSWER_MAX, PostingError, what="answer")


def clean_position(position: int | None) -> int:
    position = position or 0
    if not 0 <= position <= POSITION_MAX:
        raise PostingError(f"The position is a number from 0 to {POSITION_MAX:,}.")
    return position


def _clean_slug(slug: str, question: str, *, entry: FaqEntry | None = None) -> str:
    """The address asked for, checked; or one made from the question, made unique."""
    others = FaqEntry.objects.all() if entry is None else FaqEntry.objects.exclude(pk=entry.pk)
    slug = (slug or "").strip().lower()
    if slug:
        if len(slug) > SLUG_MAX or not _SLUG.match(slug):
            raise PostingError(
                f"The address takes letters, digits, hyphens and underscores, at most "
                f"{SLUG_MAX} of them."
            )
        if slug in RESERVED_SLUGS:
            raise PostingError(f"“{slug}” is taken by a page of the FAQ; choose another address.")
        if others.filter(slug=slug).exists():
            raise PostingError("Another FAQ entry has that address; choose another.")
        return slug
    if entry is not None:
        return entry.slug
    base = slugify(question)[:SLUG_MAX].strip("-") or "entry"
    taken = set(others.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- Writing -----------------------------------------------------------------------------


def write_entry(
    *,
    by: User,
    question: str,
    answer_md: str,
    category: Category | None = None,
    position: int = 0,
    published: bool = True,
    slug: str = "",
    source: Conversation | None = None,
) -> FaqEntry:
    """A new FAQ entry. Its address is made from the question unless `slug` is given."""
    require_answerer(by)
    question = clean_question(question)
    answer_md = clean_answer(answer_md)
    position = clean_position(position)
    now = timezone.now()
    try:
        with transaction.atomic():
            entry = FaqEntry.objects.create(
                question=question,
                slug=_clean_slug(slug, question),
                answer_md=answer_md,
                answer_html=render_markdown(answer_md, trusted=True),
                category=category,
                source=source,
                position=position,
                published=published,
                created_by=by,
                created_at=now,
                updated_at=now,
            )
            audit(
                by,
                "promoted to FAQ" if source else "wrote FAQ entry",
                conversation=source,
                faq_entry=entry.pk,
            )
            pagecache.invalidate()
    except IntegrityError:
        # Someone saved an entry with the same address a moment earlier.
        raise PostingError("Another FAQ entry has that address; choose another.") from None
    return entry


def edit_entry(
    entry: FaqEntry,
    *,
    by: User,
    question: str,
    answer_md: str,
    category: Category | None = None,
    position: int = 0,
    published: bool = True,
    slug: str = "",
) -> FaqEntry:
    """Change an entry; an empty `slug` keeps its address. Unpublishing takes it off the
    public pages; its address then answers 404 to everyone but staff."""
    require_answerer(by)
    question = clean_question(question)
    answer_md = clean_answer(answer_md)
    position = clean_position(position)
    try:
        with transaction.atomic():
            entry.slug = _clean_slug(slug, question, entry=entry)
            entry.question = question
            if answer_md != entry.answer_md:
                entry.answer_md = answer_md
                entry.answer_html = render_markdown(answer_md, trusted=True)
            entry.category = category
            entry.position = position
            entry.published = published
            entry.updated_at = timezone.now()
            entry.save(
                update_fields=[
                    "slug", "question", "answer_md", "answer_html", "category", "position",
                    "published", "updated_at",
                ]
            )  # fmt: skip
            audit(by, "edited FAQ entry", conversation=entry.source, faq_entry=entry.pk)
            pagecache.invalidate()
    except IntegrityError:
        raise PostingError("Another FAQ entry has that address; choose another.") from None
    return entry


# --- Promoting a community question ------------------------------------------------------


def entry_for_question(conversation: Conversation) -> FaqEntry | None:
    """The FAQ entry promoted from this question, published or not."""
    return FaqEntry.objects.filter(source=conversation).order_by("pk").first()


def answer_to_promote(conversation: Conversation) -> Message | None:
    """What answers the question: the accepted answer while it is visible, else the latest
    visible official reply; None when nothing does yet."""
    public = {"internal": False, "is_opening": False, "moderation": Moderation.VISIBLE}
    accepted_id = (
        Question.objects.filter(pk=conversation.pk)
        .values_list("accepted_answer_id", flat=True)
        .first()
    )
    if accepted_id is not None:
        accepted = Message.objects.filter(
            pk=accepted_id, conversation=conversation, **public
        ).first()
        if accepted is not None:
            return accepted
    return (
        Message.objects.filter(conversation=conversation, official=True, **public)
        .order_by("-created_at", "-id")
        .first()
    )


def is_accepted_answer(conversation: Conversation, message: Message) -> bool:
    return Question.objects.filter(pk=conversation.pk, accepted_answer=message).exists()


def check_promotable(conversation: Conversation) -> Message:
    """The answer to start the entry from, or PostingError saying why the question cannot
    go into the FAQ (not a question, unanswered, already there)."""
    if conversation.kind != Kind.QUESTION:
        raise PostingError("Only community questions are added to the FAQ.")
    if entry_for_question(conversation) is not None:
        raise PostingError("This question is already in the FAQ; edit that entry instead.")
    answer = answer_to_promote(conversation)
    if answer is None:
        raise PostingError(
            "This question has no accepted answer or official reply yet. Answer it first, "
            "then add it to the FAQ."
        )
    return answer


def promotion_draft(conversation: Conversation, answer: Message) -> dict:
    """The entry form's starting values: the question's title and category, and the text of
    its answer (from `check_promotable`)."""
    return {
        "question": conversation.title[:QUESTION_MAX],
        "answer": answer.body_md[:ANSWER_MAX],
        "category": conversation.category_id,
    }


def promote_question(
    conversation: Conversation,
    *,
    by: User,
    question: str,
    answer_md: str,
    category: Category | None = None,
    position: int = 0,
    published: bool = True,
    slug: str = "",
) -> FaqEntry:
    """Add an answered question to the FAQ, with the text staff settled on; the entry links
    back to the question. A question already in the FAQ is refused, never copied twice."""
    require_answerer(by)
    with transaction.atomic():
        # Two people promoting the same question at once: the second waits, then finds
        # the first one's entry.
        Question.objects.select_for_update().filter(pk=conversation.pk).first()
        check_promotable(conversation)
        return write_entry(
            by=by,
            question=question,
            answer_md=answer_md,
            category=category,
            position=position,
            published=published,
            slug=slug,
            source=conversation,
        )


# --- Reading: the FAQ page ---------------------------------------------------------------


def entries_for(user):
    """The entries a viewer sees, in page order: published ones, or all for staff."""
    entries = FaqEntry.objects.select_related("category", "source").order_by(
        "position", "question", "pk"
    )
    return entries if can_edit(user) else entries.filter(published=True)


def search_words(q: str | None) -> list[str]:
    """The words of a search, lower-cased, without repeats, at most SEARCH_WORDS_MAX."""
    words: list[str] = []
    for word in (q or "")[:SEARCH_MAX].casefold().split():
        if word not in words:
            words.append(word)
    return words[:SEARCH_WORDS_MAX]


def _haystack(entry: FaqEntry) -> str:
    return f"{entry.question} {plain_text(entry.answer_html)}".casefold()


def search(entries, words: list[str]) -> list[FaqEntry]:
    """Entries whose question or answer contains every word (case-insensitive)."""
    entries = list(entries)
    if not words:
        return entries
    return [e for e in entries if all(w in _haystack(e) for w in words)]


def highlight(text: str, words: list[str]) -> Markup:
    """`text`, escaped, with each search word wrapped in <mark>."""
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>{}</mark>").format(match.group()))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


@dataclass
class Group:
    category: Category | None
    entries: list[FaqEntry] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.category.name if self.category else "Other questions"

    @property
    def anchor(self) -> str:
        return f"faq-{self.category.slug}" if self.category else "faq-other"


def by_category(entries: list[FaqEntry]) -> list[Group]:
    """Entries grouped by category, categories by name, the uncategorised last; each
    group keeps the entries' order."""
    groups: dict[int | None, Group] = {}
    for entry in entries:
        group = groups.setdefault(entry.category_id, Group(entry.category))
        group.entries.append(entry)
    return sorted(
        groups.values(),
        key=lambda g: (g.category is None, g.category.name.casefold() if g.category else ""),
    )


def source_link(entry: FaqEntry) -> Conversation | None:
    """The question an entry came from, when the public may read it."""
    source = entry.source
    if source is None or not (source.is_public and source.is_published):
        return None
    return source


def faq_markup(entries: list[FaqEntry]) -> Markup | None:
    """schema.org FAQPage markup for published entries, as JSON-LD that is safe inside a
    <script> element: every character that could close the element is escaped."""
    entries = [e for e in entries if e.published]
    if not entries:
        return None
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": e.question,
                "url": settings.SITE_URL + entry_url(e),
                "acceptedAnswer": {"@type": "Answer", "text": e.answer_html},
            }
            for e in entries
        ],
    }
    return json_ld(data)


def entry_url(entry: FaqEntry) -> str:
    return cached_reverse("community:faq_entry", entry.slug)
