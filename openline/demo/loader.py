"""Loading the demo company: Larder & Ladle, groceries and kitchenware delivered.

`openline demo` (and `openline run` on an empty database) loads a believable few
weeks in the life of a customer-service team: staff with names and titles, about
twenty posts, known issues in every state with their timelines, and a few hundred
customer comments of every tone, most answered, some waiting in the staff queue and
a few held for moderation.

Everything is written through the same services the site uses, so counters,
response states, moderation and timelines come out as they would in real use. All
text is written for the demo. Times are relative to now and everything else comes
from a seeded random generator, so every load tells the same story; only which of
the latest comments are still waiting varies a little with the time of day.
"""

from __future__ import annotations

import heapq
import itertools
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import IdentityKind, Person, User
from accounts.services import add_identity, create_guest_author, create_staff, register_customer
from conversations import services
from conversations.models import (
    Category,
    Conversation,
    Kind,
    KnownIssueStatus,
    Message,
    Moderation,
    ResponseState,
    Subscription,
)
from inbox import canned
from inbox.models import CannedReply, Playbook
from openline.demo.content import (
    ALL_CITIES,
    ANSWERERS,
    CANNED_REPLIES,
    CASES,
    CATEGORIES,
    CLOSERS,
    CLOSINGS,
    COMPANY,
    CUSTOMER_DOMAIN,
    CUSTOMER_LOGINS,
    DAYS,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DOMAIN,
    EMPATHY,
    FIRST_NAMES,
    GREETINGS,
    GRUMBLE_REPLIES,
    GRUMBLES,
    GUEST,
    INLINE_GREETINGS,
    ISSUE_THANKS,
    LAST_NAMES,
    MAX_LEFT_HELD,
    ME_TOO,
    ME_TOO_REPLY,
    MIXES,
    N_PERSONS,
    N_REGULARS,
    OPENERS,
    PLAYBOOK,
    POSTS,
    SARCASM_BY_TOPIC,
    SEED,
    SIGN_OFFS,
    SLOTS,
    SPAM,
    STAFF,
    STORES,
    TEAMS,
    THANKS_BACK,
    TONE_KIND,
    TOPICS,
)

# --- Loading ---------------------------------------------------------------------------


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def already_loaded() -> bool:
    """The demo's logins exist (the admin's first of all): loading again would clash."""
    return User.objects.filter(email__in=[email for email, _ in DEMO_LOGINS]).exists()


def load_demo(stdout=None) -> dict:
    """Load the demo company once; on a database that has it already, change nothing."""
    if already_loaded():
        _say(stdout, "The demo company is already loaded; nothing changed.")
        return {"already_loaded": True}
    from openline.demo import community, listening

    with transaction.atomic():
        now = timezone.now()
        counts = _Loader(now).run()
        counts["mentions"] = listening.load(now)
        counts["community"] = community.load(now)
    # Score everything now, in batches, and cluster the topics once, rather than leave the
    # worker to score message by message (the jobs queued meanwhile find nothing left to do).
    from conversations import scoring

    for _progress in scoring.rescore():
        pass
    counts["topics"] = scoring.refit_topics()
    # The dashboard's daily rollups, at once rather than at the worker's next minute.
    from insights import rollups

    counts["rollup_days"] = len(rollups.refresh_pending())
    _say(
        stdout,
        f"Loaded {COMPANY}: {counts['posts']} posts ({counts['known_issues']} known issues), "
        f"{counts['comments']} customer comments from {counts['customers']} people, "
        f"{counts['staff_replies']} staff replies; {counts['awaiting']} awaiting a response, "
        f"{counts['held']} held for moderation; {counts['mentions']} mentions from elsewhere; "
        f"{counts['community']['topics']} community topics; "
        f"{counts['topics']} topics.",
    )
    _say(stdout, f"Demo logins (password: {DEMO_PASSWORD}):")
    for email, what in DEMO_LOGINS:
        _say(stdout, f"  {email:32} {what}")
    return counts


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class _Post:
    spec: dict
    conversation: Conversation
    published: datetime
    resolved: datetime | None = None
    is_issue: bool = False
    used_items: set = field(default_factory=set)
    answerable: list = field(default_factory=list)  # visible problems and questions

    @property
    def topic(self) -> str:
        return self.spec["topic"]


@dataclass
class _Planned:
    post: _Post
    at: datetime
    person: Person
    tone: str
    rng: random.Random


class _Loader:
    """Builds the company, then replays its comments, answers and status updates in time
    order, so every counter and "last activity" comes out as if it had happened live."""

    def __init__(self, now: datetime):
        self.now = now
        self.rng = random.Random(SEED)
        self.events: list[_Event] = []
        self.seq = itertools.count()
        self.held_left = 0

    def hours(self, h: float) -> timedelta:
        return timedelta(hours=h)

    def schedule(self, at: datetime, run: Callable[[], None]) -> None:
        if at <= self.now:
            heapq.heappush(self.events, _Event(at, next(self.seq), run))

    def run(self) -> dict:
        self.make_taxonomy()
        self.make_staff()
        self.make_canned_replies()
        self.make_customers()
        self.make_posts()
        self.plan_comments()
        while self.events:
            heapq.heappop(self.events).run()
        self.make_cases()
        self.quiet_notifications()
        return self.counts()

    # -- people and posts --

    def make_taxonomy(self) -> None:
        self.categories = {}
        for name, slug, description in CATEGORIES:
            category = Category.objects.filter(Q(slug=slug) | Q(name=name)).first()
            if category is None:
                category = Category.objects.create(name=name, slug=slug, description=description)
            self.categories[slug] = category

    def make_staff(self) -> None:
        # One hash for every demo login: hashing is slow on purpose (about a third of a
        # second each with the default hasher) and these logins share a published password.
        self.password_hash = make_password(DEMO_PASSWORD)
        self.staff: dict[str, Person] = {}
        for key, name, title, role in STAFF:
            email = f"{key}@{DOMAIN}"
            person = create_staff(email=email, display_name=name, title=title, role=role)
            self._can_sign_in(person.user, email)
            self.staff[key] = person
        self.staff["guest"] = create_guest_author(*GUEST)
        self.moderator = self.staff["mona"].user

    def _can_sign_in(self, user: User, email: str) -> None:
        """The shared password, and a verified address: e-mail verification is mandatory."""
        user.password = self.password_hash
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)

    def make_canned_replies(self) -> None:
        """Shared canned replies and the courier-outage playbook, kept by the head of service;
        what exists already is left alone."""
        manager = self.staff["priya"].user
        replies = {}
        for title, slug, body in CANNED_REPLIES:
            reply = CannedReply.objects.filter(owner__isnull=True, title__iexact=title).first()
            if reply is None:
                reply = canned.save_canned_reply(
                    None,
                    by=manager,
                    title=title,
                    body_md=body,
                    category=self.categories[slug],
                    shared=True,
                )
            replies[title] = reply
        spec = {key: value for key, value in PLAYBOOK.items() if key not in ("name", "replies")}
        spec["issue_category"] = self.categories[spec["issue_category"]]
        playbook, created = Playbook.objects.get_or_create(name=PLAYBOOK["name"], defaults=spec)
        if created:
            playbook.canned_replies.set([replies[title] for title in PLAYBOOK["replies"]])

    def make_customers(self) -> None:
        rng = self.rng
        self.members: list[Person] = []
        for key, name in CUSTOMER_LOGINS:
            email = f"{key}@{DOMAIN}"
            user = User.objects.create_user(username=email, email=email)
            self._can_sign_in(user, email)
            self.members.append(register_customer(user, name))
        names = rng.sample(list(itertools.product(FIRST_NAMES, LAST_NAMES)), N_PERSONS)
        self.customers: list[Person] = []
        for first, last in names:
            style = rng.random()
            if style < 0.8:
                display = f"{first} {last}"
            elif style < 0.92:
                display = f"{first} {last[0]}."
            else:
                display = first
            local = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
            person = Person.objects.create(display_name=display)
            add_identity(person, IdentityKind.EMAIL, f"{local}@{CUSTOMER_DOMAIN}")
            self.customers.append(person)
        # Who comments most: the signed-up members and a score of regulars.
        self.regulars = self.members + self.customers[:N_REGULARS]

    def published_at(self, when) -> datetime:
        if isinstance(when, tuple):
            days, hhmm = when
            hour, minute = (int(x) for x in hhmm.split(":"))
            day = timezone.localtime(self.now) - timedelta(days=days)
            return day.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return self.now - self.hours(when)

    def make_posts(self) -> None:
        self.posts: list[_Post] = []
        for spec in POSTS:
            published = self.published_at(spec["when"])
            is_issue = "affected_area" in spec
            conversation = services.publish_post(
                author=self.staff[spec["author"]],
                kind=Kind.KNOWN_ISSUE if is_issue else Kind.ARTICLE,
                title=spec["title"],
                body_md=spec["body"],
                category=self.categories.get(spec["category"] or ""),
                labels=services.labels_from_names(spec["labels"]),
                published_at=published,
                affected_area=spec.get("affected_area", ""),
                status=KnownIssueStatus.INVESTIGATING,
                next_update_due=published + self.hours(spec["due"]) if is_issue else None,
            )
            post = _Post(spec, conversation, published, is_issue=is_issue)
            for offset, status, text, due in spec.get("timeline", ()):
                at = published + self.hours(offset)
                if status == KnownIssueStatus.RESOLVED:
                    post.resolved = at
                self.schedule(
                    at,
                    partial(
                        services.post_status_update,
                        conversation,
                        author=self._updater(post, status),
                        status=status,
                        body_md=text,
                        next_update_due=None if due is None else published + self.hours(due),
                        at=at,
                    ),
                )
            self.posts.append(post)

    def _updater(self, post: _Post, status: str) -> Person:
        if post.topic == "late":
            return self.staff["tomasz"]
        if post.topic == "app" and status != KnownIssueStatus.RESOLVED:
            return self.staff["alex"]
        return self.staff[post.spec["author"]]

    # -- planning comments --

    def plan_comments(self) -> None:
        rng = self.rng
        planned: list[_Planned] = []
        for post in self.posts:
            age = (self.now - post.published).total_seconds() / 3600
            if post.resolved is not None:  # most comments while it lasts, few after
                span = (post.resolved - post.published).total_seconds() / 3600 + 12
                age = min(age, span + 60)
            else:
                span = age if post.is_issue else min(age, 96)
            used: set[int] = set()
            for _ in range(post.spec["comments"]):
                offset = 0.1 + rng.expovariate(3 / span)
                if offset > age - 0.05 or rng.random() < 0.12:  # latecomers find old posts
                    offset = rng.uniform(0.1, age - 0.05)
                at = post.published + self.hours(offset)
                person = self._pick_person(used)
                # Each comment has its own generator, so its words do not depend on the
                # order in which the day's events happen to be replayed.
                comment_rng = random.Random(rng.getrandbits(64))
                planned.append(_Planned(post, at, person, self._tone(post, at), comment_rng))
        if not any(p.person == self.members[0] for p in planned):
            planned[-1].person = self.members[0]
        # Two spammers on recent articles: the moderators' share of the queue.
        articles = [post for post in self.posts if not post.is_issue]
        for (name, _), post in zip(SPAM, articles[-2:], strict=True):
            spammer = Person.objects.create(display_name=name)
            at = self.now - self.hours(rng.uniform(2, 20))
            planned.append(_Planned(post, at, spammer, "spam", random.Random(rng.getrandbits(64))))
        self.comments_by = Counter(p.person.pk for p in planned)
        for p in planned:
            self.schedule(p.at, partial(self._comment, p))

    def _pick_person(self, used: set[int]) -> Person:
        for _ in range(20):
            pool = self.regulars if self.rng.random() < 0.4 else self.customers
            person = self.rng.choice(pool)
            if person.pk not in used:
                break
        used.add(person.pk)
        return person

    def _tone(self, post: _Post, at: datetime) -> str:
        if post.resolved is not None and at > post.resolved:
            mix = MIXES["after_fix"]
        elif post.topic == "membership":
            mix = MIXES["controversial"]
        else:
            mix = MIXES["issue" if post.is_issue else "article"]
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    # -- replaying comments --

    def _context(self, post: _Post, rng: random.Random) -> dict:
        spec = post.spec
        return {
            "order": f"LL-{rng.randint(100000, 999999)}",
            "city": rng.choice(spec.get("city", ALL_CITIES)),
            "slot": rng.choice(spec.get("slot", SLOTS)),
            "day": rng.choice(DAYS),
            "store": rng.choice(spec.get("store", STORES)),
            "product": rng.choice(spec.get("products", TOPICS[post.topic]["products"])),
        }

    def _item(self, p: _Planned, kind: str) -> tuple[str, str]:
        """What the customer says and what staff answer; the post's own items first."""
        post, rng = p.post, p.rng
        if kind == "T" and post.is_issue and rng.random() < 0.7:
            fixed = post.resolved is not None and p.at > post.resolved
            return rng.choice(ISSUE_THANKS["fixed" if fixed else "open"])
        extra = [(text, reply) for k, text, reply in post.spec.get("extra", ()) if k == kind]
        pool = extra * 3 + TOPICS[post.topic][kind]
        fresh = [item for item in pool if item[0] not in post.used_items] or pool
        item = rng.choice(fresh)
        post.used_items.add(item[0])
        return item

    def _customer_text(self, tone: str, post: _Post, text: str, rng: random.Random) -> str:
        openers = OPENERS[tone]
        if tone == "sarcastic":
            openers = openers + SARCASM_BY_TOPIC.get(post.topic, []) * 2
        opener, closer = rng.choice(openers), rng.choice(CLOSERS[tone])
        body = " ".join(part for part in (opener, text) if part)
        if opener.endswith(","):  # "Hi," on a line of its own
            body = f"{opener}\n\n{text}"
        if closer:
            body += ("\n\n" if rng.random() < 0.3 else " ") + closer
        if tone in ("angry", "sarcastic") and rng.random() < 0.12:
            body = body.lower().rstrip(".")  # typed in a hurry
        return body

    def _comment(self, p: _Planned) -> None:
        post, rng, tone = p.post, p.rng, p.tone
        ctx = self._context(post, rng)
        reply_to, kind, reply_text = None, None, ""
        if tone == "metoo" and not post.answerable:
            tone = "question"
        if tone == "spam":
            body = dict(SPAM)[p.person.display_name]
        elif tone == "grumble":
            body = rng.choice(GRUMBLES)
            reply_text = rng.choice(GRUMBLE_REPLIES)
        elif tone == "metoo":
            reply_to = rng.choice(post.answerable[-6:])
            body = rng.choice(ME_TOO).format(**ctx)
            reply_text = rng.choice(ME_TOO_REPLY["issue" if post.is_issue else "article"])
        else:
            kind = TONE_KIND[tone]
            text, reply_text = self._item(p, kind)
            body = self._customer_text(tone, post, text.format(**ctx), rng)
            reply_text = reply_text.format(**ctx)
        message = services.post_comment(
            post.conversation, author=p.person, body_md=body, reply_to=reply_to, at=p.at
        )
        if message.moderation == Moderation.HELD:
            if tone == "spam" or self._leave_held(p):
                return
            services.approve(message, by=self.moderator)
        if kind in ("P", "Q"):
            post.answerable.append(message)
        self._respond(p, message, tone, kind, reply_text)

    def _leave_held(self, p: _Planned) -> bool:
        """A few first comments from the last day and a half still wait for a moderator."""
        if (
            self.held_left < MAX_LEFT_HELD
            and self.comments_by[p.person.pk] == 1
            and self.now - p.at < self.hours(36)
        ):
            self.held_left += 1
            return True
        return False

    def _respond(self, p: _Planned, message: Message, tone: str, kind, reply_text: str) -> None:
        """Thanks need no reply, most else is answered, and what is too recent waits."""
        rng, post = p.rng, p.post
        close = partial(self._close, message)
        if tone == "thanks" and rng.random() < 0.8:
            self.schedule(
                message.created_at + self.hours(rng.uniform(0.3, 6)), close("Thanks only")
            )
            return
        if tone == "metoo" and rng.random() < (0.65 if post.is_issue else 0.3):
            reason = "Covered by the status updates"
            self.schedule(message.created_at + self.hours(rng.uniform(0.2, 3)), close(reason))
            return
        if tone == "suggestion" and rng.random() < 0.35:
            reason = "Suggestion passed to the product team"
            self.schedule(message.created_at + self.hours(rng.uniform(1, 24)), close(reason))
            return
        if rng.random() < 0.08:  # slipped through the net: still waiting
            return
        low, high = (0.15, 1.6) if post.is_issue else (0.5, 20)
        at = timezone.localtime(message.created_at + self.hours(rng.uniform(low, high)))
        if at.hour < 7:  # nobody answers in the small hours
            at = at.replace(hour=7, minute=rng.randint(5, 55))
        staff = self._answerer(post, at, rng)
        body = self._answer_text(message.author, staff, tone, kind, reply_text, rng)
        self.schedule(at, partial(self._answer, p, message, staff, body, at))

    def _answerer(self, post: _Post, at: datetime, rng: random.Random) -> Person:
        if at.hour >= 18:
            return self.staff["bea"]  # the evening shift
        return self.staff[rng.choice(ANSWERERS[post.topic])]

    def _answer_text(self, customer, staff, tone, kind, reply_text, rng) -> str:
        name = customer.first_name
        empathy = ""
        if tone in EMPATHY and kind == "P" and "sorry" not in reply_text.lower():
            empathy = rng.choice(EMPATHY[tone])
        closing = rng.choice(CLOSINGS[kind]) if kind in CLOSINGS else ""
        middle = " ".join(part for part in (empathy, reply_text) if part)
        sign_off = rng.choice(SIGN_OFFS).format(staff=staff.first_name)
        if tone not in (*EMPATHY, "grumble") and rng.random() < 0.4:  # "Hi Sam! ..."
            greeting = rng.choice(INLINE_GREETINGS).format(name=name)
            paragraphs = [f"{greeting} {middle}", closing, sign_off]
        else:
            paragraphs = [rng.choice(GREETINGS).format(name=name), middle, closing, sign_off]
        return "\n\n".join(part for part in paragraphs if part)

    def _answer(self, p: _Planned, message: Message, staff: Person, body: str, at) -> None:
        message.refresh_from_db()
        if message.response_state != ResponseState.AWAITING:
            return  # answered along with a later message from the same person
        reply = services.answer(message, by=staff.user, body_md=body, at=at)
        if p.rng.random() < 0.15:  # the customer comes back to say thanks
            thanks_at = at + self.hours(p.rng.uniform(0.2, 5))
            text = p.rng.choice(THANKS_BACK).format(staff=staff.first_name)
            self.schedule(thanks_at, partial(self._thanks, p, reply, text, thanks_at))

    def _thanks(self, p: _Planned, reply: Message, text: str, at: datetime) -> None:
        thanks = services.post_comment(
            p.post.conversation, author=p.person, body_md=text, reply_to=reply, at=at
        )
        self.schedule(at + self.hours(p.rng.uniform(0.2, 2)), self._close(thanks, "Thanks only"))

    def _close(self, message: Message, reason: str) -> Callable[[], None]:
        def close() -> None:
            message.refresh_from_db()
            if message.response_state == ResponseState.AWAITING:
                services.mark_no_reply_needed(message, by=self.moderator, reason=reason)

        return close

    # -- finishing --

    def make_cases(self) -> None:
        """Teams, and e-mail cases in every state: waiting, answered and resolved, rated."""
        from accounts.models import Team
        from conversations import cases as case_services
        from conversations.models import Channel, Outcome
        from satisfaction.models import Survey
        from satisfaction.services import add_comment, rate

        teams = {}
        for name, members, address in TEAMS:
            team, _created = Team.objects.get_or_create(name=name, defaults={"email": address})
            team.members.add(*[self.staff[key].user for key in members])
            teams[name] = team
        logins = {p.user.email.partition("@")[0]: p for p in self.members}
        for key, hours_ago, subject, text, team, assignee, done in CASES:
            opened = self.now - self.hours(hours_ago)
            message = services.receive_private_message(
                conversation=None,
                author=logins[key],
                title=subject,
                body_md=text,
                channel=Channel.EMAIL,
                at=opened,
            )
            conversation = message.conversation
            staff = self.staff[assignee].user if assignee else None
            if team:
                case_services.set_team(conversation, team=teams[team], by=self.moderator)
            if staff:
                services.assign(conversation, to=staff, by=staff)
            if done is None:
                continue
            after, answer, outcome, score, comment = done
            reply = services.answer(
                message, by=staff, body_md=answer, at=opened + self.hours(after)
            )
            # A reply with its Message-ID counts as sent: the demo's past is not e-mailed.
            Message.objects.filter(pk=reply.pk).update(external_id=f"<demo-{reply.pk}@{DOMAIN}>")
            case_services.resolve(conversation, by=staff, outcome=Outcome.objects.get(name=outcome))
            survey = Survey.objects.filter(conversation=conversation).first()
            if survey is not None:
                # Answered already in the demo's past: nothing is e-mailed.
                Survey.objects.filter(pk=survey.pk).update(sent_at=self.now)
                if score:
                    rate(survey.token, score)
                    add_comment(survey.token, comment)

    def quiet_notifications(self) -> None:
        """No e-mail to anyone about the demo's made-up past.

        Each comment subscribed its author to the post, and each status update and staff
        reply queued a notification job with openline.tasks.enqueue, which runs after
        this transaction commits. The jobs take ids and look up the followers when they
        run, so removing the demo's subscriptions before the commit turns every one of
        them into a no-op, wherever and whenever the worker runs it, without changing the
        services or the queue. (The demo's customers have undeliverable addresses anyway.)
        Anyone who follows a demo post afterwards gets e-mail as usual.
        """
        Subscription.objects.filter(conversation__in=[p.conversation for p in self.posts]).delete()

    def counts(self) -> dict:
        conversations = [p.conversation for p in self.posts]
        customer_messages = Message.objects.filter(conversation__in=conversations).exclude(
            response_state=ResponseState.NOT_APPLICABLE
        )
        states = Counter(customer_messages.values_list("response_state", flat=True))
        return {
            "already_loaded": False,
            "staff": len(STAFF),
            "guest_authors": 1,
            "customers": customer_messages.values("author").distinct().count(),
            "logins": len(STAFF) + len(CUSTOMER_LOGINS),
            "posts": len(self.posts),
            "known_issues": sum(1 for p in self.posts if p.is_issue),
            "status_updates": sum(len(p.spec.get("timeline", ())) for p in self.posts),
            "comments": customer_messages.count(),
            "answered": states[ResponseState.ANSWERED],
            "no_reply": states[ResponseState.NO_REPLY_NEEDED],
            "awaiting": states[ResponseState.AWAITING],
            "held": customer_messages.filter(moderation=Moderation.HELD).count(),
            "staff_replies": Message.objects.filter(
                conversation__in=conversations, official=True, is_opening=False
            ).count(),
        }
