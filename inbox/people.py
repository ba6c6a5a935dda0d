"""People for staff: a customer's profile (everything they said, on every channel, how they
felt, how they rated us, what colleagues noted) and merging a duplicate into it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import PK_MAX, find_people_for_staff, get_person_for_staff
from accounts.merge import MergeError, current_person, merge_persons
from accounts.models import NOTE_MAX, Person
from accounts.services import NoteError, add_person_note
from conversations.markup import plain_text
from conversations.models import Conversation, Message, ResponseState, Sentiment
from inbox.queries import conversations_of
from openline.paging import page_or_404
from satisfaction.services import ratings_for_person

PEOPLE_PER_PAGE = 25
CONVERSATIONS_SHOWN = 50
MESSAGES_SHOWN = 20
NOTES_SHOWN = 50
MERGED_SHOWN = 20
WEEKS_SHOWN = 26


class PersonNoteForm(forms.Form):
    # The length is checked by add_person_note, which says by how much it is over.
    body = forms.CharField(
        label="Note for colleagues",
        help_text="Plain text. Only staff see it; the customer never does.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(
        label="Profile number of the duplicate", min_value=1, max_value=PK_MAX
    )


# --- Pages ------------------------------------------------------------------------------


@login_required
@require_GET
def people(request):
    """Find people by name, e-mail, handle or profile number; with `into`, to merge them."""
    query = request.GET.get("q", "").strip()[:320]
    into = _merge_target(request)
    found = find_people_for_staff(request.user, query)
    if into is not None:
        found = found.exclude(pk=into.pk)
    page = page_or_404(request, found.annotate(message_count=_message_count()), PEOPLE_PER_PAGE)
    return render(request, "inbox/people.html", {"page": page, "q": query, "into": into})


def _merge_target(request) -> Person | None:
    raw = request.GET.get("into", "")
    if not raw:
        return None
    if not raw.isdecimal():
        raise Http404("No such person")
    return current_person(get_person_for_staff(request.user, int(raw)))


def _message_count():
    per_author = (
        Message.objects.filter(author=OuterRef("pk"))
        .order_by()
        .values("author")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(per_author), 0)


@login_required
@require_GET
def person(request, pk):
    person = get_person_for_staff(request.user, pk)
    if person.merged_into_id is not None:
        return redirect("inbox:person", current_person(person).pk)
    return _person_page(request, person)


@login_required
@require_POST
def person_note(request, pk):
    # A note from a page left open while the person was merged goes to whom they now are.
    person = current_person(get_person_for_staff(request.user, pk))
    form = PersonNoteForm(request.POST)
    if form.is_valid():
        try:
            add_person_note(person, by=request.user, body=form.cleaned_data["body"])
        except NoteError as exc:
            form.add_error("body", str(exc))
        else:
            flash.success(request, "Note added. Only staff see it.")
            return redirect("inbox:person", person.pk)
    return _person_page(request, person, note_form=form, status=400)


@login_required
@require_POST
def person_merge(request, pk):
    """Merge the person numbered in the form (the duplicate) into this one."""
    into = current_person(get_person_for_staff(request.user, pk))
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            duplicate = get_person_for_staff(request.user, form.cleaned_data["duplicate"])
            kept = merge_persons(duplicate, into, by=request.user)
        except Http404:
            form.add_error("duplicate", "Nobody has that profile number.")
        except MergeError as exc:
            form.add_error(None, str(exc))
        else:
            flash.success(request, f"Merged {duplicate} into {kept}.")
            return redirect("inbox:person", kept.pk)
    return _person_page(request, into, merge_form=form, status=400)


def _person_page(request, person: Person, *, note_form=None, merge_form=None, status=200):
    conversations = _conversations(person)
    weeks = sentiment_by_week(person)
    return render(
        request,
        "inbox/person.html",
        {
            "person": person,
            "identities": list(person.identities.order_by("kind", "value")),
            "merged_from": list(person.merged_from.order_by("display_name")[:MERGED_SHOWN]),
            "conversations": conversations,
            "conversation_count": conversations_of(person.pk).count(),
            "recent": _recent_messages(person),
            "weeks": weeks,
            "chart": sentiment_chart(weeks),
            "satisfaction": _satisfaction(person),
            "notes": list(person.notes.select_related("author__person")[:NOTES_SHOWN]),
            "note_form": note_form or PersonNoteForm(),
            "merge_form": merge_form or MergeForm(),
        },
        status=status,
    )


# --- What the profile shows ---------------------------------------------------------------


def _conversations(person: Person) -> list[Conversation]:
    """Their latest conversations, each with what they wrote there and whether it waits."""
    theirs = Q(messages__author=person)
    rows = list(
        conversations_of(person.pk)
        .annotate(
            their_messages=Count("messages", filter=theirs),
            waiting=Count(
                "messages", filter=theirs & Q(messages__response_state=ResponseState.AWAITING)
            ),
            answered=Count(
                "messages", filter=theirs & Q(messages__response_state=ResponseState.ANSWERED)
            ),
            no_reply=Count(
                "messages",
                filter=theirs & Q(messages__response_state=ResponseState.NO_REPLY_NEEDED),
            ),
        )
        .order_by("-last_activity_at", "-pk")[:CONVERSATIONS_SHOWN]
    )
    channels: dict[int, set[str]] = {}
    pairs = (
        Message.objects.filter(author=person, conversation__in=[c.pk for c in rows])
        .order_by()
        .values_list("conversation_id", "channel")
        .distinct()
    )
    for conversation_id, channel in pairs:
        channels.setdefault(conversation_id, set()).add(channel)
    labels = dict(Message._meta.get_field("channel").choices)
    for c in rows:
        c.channels = sorted(labels.get(ch, ch) for ch in channels.get(c.pk, ()))
    return rows


def _recent_messages(person: Person) -> list[Message]:
    recent = list(
        Message.objects.filter(author=person)
        .select_related("conversation")
        .order_by("-created_at", "-pk")[:MESSAGES_SHOWN]
    )
    for m in recent:
        m.snippet = plain_text(m.body_html, 240)
    return recent


def _satisfaction(person: Person):
    return ratings_for_person(person)


# --- Sentiment over time ----------------------------------------------------------------


@dataclass
class Week:
    start: date
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    average: float | None = None

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive


def sentiment_by_week(person: Person, weeks: int = WEEKS_SHOWN) -> list[Week]:
    """Their scored messages per week (Monday to Sunday, in the site's time zone), from their
    first scored week to their last, at most `weeks` of them; quiet weeks count zero."""
    scored = (
        Message.objects.filter(author=person, internal=False)
        .exclude(sentiment="")
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)),
            neutral=Count("pk", filter=Q(sentiment=Sentiment.NEUTRAL)),
            positive=Count("pk", filter=Q(sentiment=Sentiment.POSITIVE)),
            average=Avg("sentiment_score"),
        )
        .order_by("-week")[:weeks]
    )
    found = {}
    for row in scored:
        start = timezone.localtime(row.pop("week")).date()
        found[start] = Week(start=start, **row)
    if not found:
        return []
    last = max(found)
    first = max(min(found), last - timedelta(weeks=weeks - 1))
    starts = (first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1))
    return [found.get(start) or Week(start=start) for start in starts]


# The chart's geometry, in SVG user units.
BAR_STEP, BAR_WIDTH, LEFT = 26, 18, 44
COUNTS_TOP, COUNTS_HEIGHT = 12, 120
SCORE_ZERO, SCORE_HALF = 200, 40
LABEL_Y = 262
COLOURS = {"negative": "#a4161a", "neutral": "#68716f", "positive": "#1d6b34"}


@dataclass
class Bar:
    week: Week
    x: int
    label: str
    segments: list[tuple[str, float, float, int]] = field(default_factory=list)
    score: tuple[float, float, str] | None = None


def sentiment_chart(weeks: list[Week]) -> dict | None:
    """Stacked bars of the week's messages by sentiment, and under them the week's average
    score as a bar up (positive) or down (negative) from zero."""
    if not weeks:
        return None
    peak = max(w.total for w in weeks) or 1
    bars = []
    for i, week in enumerate(weeks):
        x = LEFT + i * BAR_STEP + (BAR_STEP - BAR_WIDTH) // 2
        # Every other week: a label is wider than a bar.
        label = f"{week.start.day} {week.start:%b}" if i % 2 == 0 else ""
        bar = Bar(week=week, x=x, label=label)
        bottom = COUNTS_TOP + COUNTS_HEIGHT
        for name in ("negative", "neutral", "positive"):
            count = getattr(week, name)
            if count:
                height = COUNTS_HEIGHT * count / peak
                bottom -= height
                bar.segments.append((name, round(bottom, 2), round(height, 2), count))
        if week.average is not None:
            height = abs(week.average) * SCORE_HALF
            top = SCORE_ZERO - height if week.average >= 0 else SCORE_ZERO
            colour = COLOURS["positive"] if week.average >= 0 else COLOURS["negative"]
            bar.score = (round(top, 2), round(max(height, 1), 2), colour)
        bars.append(bar)
    return {
        "bars": bars,
        "peak": peak,
        "width": LEFT + len(weeks) * BAR_STEP + 8,
        "height": LABEL_Y + 10,
        "left": LEFT,
        "counts_top": COUNTS_TOP,
        "counts_bottom": COUNTS_TOP + COUNTS_HEIGHT,
        "score_zero": SCORE_ZERO,
        "score_half": SCORE_HALF,
        "label_y": LABEL_Y,
        "bar_width": BAR_WIDTH,
        "colours": COLOURS,
        "totals": {
            name: sum(getattr(w, name) for w in weeks)
            for name in ("negative", "neutral", "positive")
        },
    }
