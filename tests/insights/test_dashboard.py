"""The manager dashboard at /staff/insights/ and its CSV downloads, against figures worked
out by hand from a small week of messages, answers, a resolution and a rating."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine

from accounts.models import Role, Team
from conversations import cases, services
from conversations.models import Category, Channel, Conversation, Message, Sentiment, Topic
from insights import charts, rollups
from listening.models import Alert, AlertMetric
from satisfaction import services as satisfaction
from tests.conftest import make_customer, make_staff
from tests.test_query_counts import count_queries

BASE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, before everything below
FRIDAY_4PM = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # office hours Mon-Fri 09-17 UTC
MONDAY_10AM = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
TUESDAY_10AM = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # default span: 3 Nov to 2 Dec
URL = "/staff/insights/"
NONE = charts.NONE


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def _clock(settings):
    """Everything, fixtures included, happens at known times in UTC."""
    settings.PAGE_CACHE_SECONDS = 0
    settings.TIME_ZONE = "UTC"
    with at(BASE):
        yield


def email(person, title, body, moment, channel=Channel.EMAIL):
    with at(moment):
        return services.receive_private_message(
            conversation=None, author=person, title=title, body_md=body, channel=channel
        )


def score(message, sentiment):
    """What the scorer does after commit (tests here do not commit)."""
    Message.objects.filter(pk=message.pk).update(sentiment=sentiment)


def get(client, url=URL, **params):
    with at(NOW):
        return client.get(url, params)


def figure(html: str, name: str) -> str:
    """The text of a headline figure, without its small print."""
    match = re.search(rf'<dd data-figure="{name}">(.*?)</dd>', html, re.S)
    assert match, f"no figure {name}"
    return re.sub(r"<small>.*?</small>|<[^>]+>", "", match.group(1)).strip()


def table(html: str, slug: str) -> list[list[str]]:
    """The body rows of a table on the page, as cell texts."""
    match = re.search(rf'<table class="data" id="table-{slug}">(.*?)</table>', html, re.S)
    assert match, f"no table {slug}"
    body = match.group(1).split("<tbody>")[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return rows


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


@pytest.fixture
def week(maria, sam, alex, lionel, mona, priya, known_issue, outcomes, deliveries):
    """Friday: Maria e-mails about a refund (negative), Sam about a parcel (neutral).
    Monday 10:00: Alex answers Maria (2 business hours: in time); Maria comments on the known
    issue from the website (positive), which nobody answers; 11:00 Alex resolves Maria's case
    (Replaced: the company gave way) after 3 business hours; Maria rates it 4.
    Tuesday 10:00: Lionel answers Sam (10 business hours: late, the target was Monday 16:00).
    Maria's case is in the Deliveries category, labelled Refunds, handed to team Care; her
    refund message is on the topic "Refunds"."""
    refund = email(maria.person, "Refund", "Where is my refund?", FRIDAY_4PM)
    parcel = email(sam.person, "Parcel", "Where is my parcel?", FRIDAY_4PM)
    score(refund, Sentiment.NEGATIVE)
    score(parcel, Sentiment.NEUTRAL)
    with at(MONDAY_10AM):
        services.answer(refund, by=alex, body_md="Your refund left today.")
        comment = services.post_comment(
            known_issue, author=maria.person, body_md="Any news on the northern deliveries?"
        )
        services.approve(comment, by=mona)
    score(comment, Sentiment.POSITIVE)
    care = Team.objects.create(name="Care")
    with at(MONDAY_10AM + timedelta(hours=1)):
        cases.set_team(refund.conversation, team=care, by=priya)
        cases.resolve(refund.conversation, by=alex, outcome=outcomes["Replaced"])
    with at(MONDAY_10AM + timedelta(hours=2)):
        satisfaction.rate(refund.conversation.surveys.get().token, 4)
    with at(TUESDAY_10AM):
        services.answer(parcel, by=lionel, body_md="Found it: it arrives tomorrow.")
    Conversation.objects.filter(pk=refund.conversation_id).update(category=deliveries)
    refund.conversation.labels.add(*services.labels_from_names(["Refunds"]))
    topic = Topic.objects.create(number=1, name="Refunds", terms=["refund"])
    Message.objects.filter(pk=refund.pk).update(topic=topic)
    rollups.refresh_pending()
    return {"refund": refund, "parcel": parcel, "comment": comment, "care": care, "topic": topic}


# -- the figures --------------------------------------------------------------------------


def test_headline_figures_for_the_last_30_days(priya_client, week):
    html = get(priya_client).content.decode()
    assert figure(html, "messages") == "3"
    assert figure(html, "answered_share") == "67%"  # 2 of the 3 that needed an answer
    assert figure(html, "first_response_median") == "2 h"  # nearest rank of [2 h, 10 h]
    assert figure(html, "first_response_p90") == "10 h"
    # On the clock: Friday 16:00 to Monday 10:00 is 66 h; to Tuesday 10:00 90 h, a bucket of
    # whole days beyond 72 h.
    assert "2 d 18 h on the clock" in html and "3 d on the clock" in html
    # 1 in time, 1 late, and Maria's comment still waiting past its target (Tuesday 10:00).
    assert figure(html, "within_share") == "33%"
    assert "1 in time, 1 late, 1 still waiting past it" in html
    assert figure(html, "resolved") == "1"
    assert "1 gave way, 0 held our ground" in html
    assert figure(html, "resolution_median") == "3 h"  # Friday 16-17 and Monday 9-11
    assert figure(html, "resolution_p90") == "3 h"
    assert figure(html, "satisfaction") == "4.0"
    spread = ", ".join(
        f"{n} \u00d7 {score}" for n, score in [(0, 5), (1, 4), (0, 3), (0, 2), (0, 1)]
    )
    assert f"1 rating: {spread}</small>" in html
    assert figure(html, "awaiting") == "1"  # Maria's comment
    assert "1 past target" in html  # due Tuesday 10:00
    assert 'datetime="2026-11-30T10:00:00Z"' in html  # the oldest waiting message
    # The default span is shown in the form.
    assert 'name="start" value="2026-11-03"' in html
    assert 'name="end" value="2026-12-02"' in html


def test_tables_show_the_same_figures(priya_client, week):
    html = get(priya_client).content.decode()
    volume = table(html, "volume")
    assert len(volume) == 30
    assert ["Fri 27 Nov 2026", "0", "2", "2"] in volume  # Website, E-mail, Total
    assert ["Mon 30 Nov 2026", "1", "0", "1"] in volume
    sentiment = table(html, "sentiment")
    assert ["Fri 27 Nov 2026", "1", "1", "0", "0", "2"] in sentiment
    assert ["Mon 30 Nov 2026", "0", "0", "1", "0", "1"] in sentiment
    assert table(html, "channels") == [
        ["Website", "1", "0", NONE, NONE, NONE, "0", NONE, "0", NONE],
        ["E-mail", "2", "2", "2 h", "10 h", "50%", "1", "3 h", "1", "4.0"],
    ]
    assert table(html, "agents") == [
        ["Alex R.", "1", "1", "2 h", "2 h", "100%", "1", "3 h", "1", "4.0"],
        ["Lionel M.", "1", "1", "10 h", "10 h", "0%", "0", NONE, "0", NONE],
    ]
    assert table(html, "teams") == [
        ["Care", "1", "1", "2 h", "2 h", "100%", "1", "3 h", "1", "4.0"]
    ]
    assert table(html, "satisfaction") == [
        ["5", "0"],
        ["4", "1"],
        ["3", "0"],
        ["2", "0"],
        ["1", "0"],
    ]
    ((name, messages, negative, before, _trending, examples),) = table(html, "topics")
    assert (name, messages, negative, before) == ("Refunds", "1", "100%", "0")
    assert "Where is my refund?" in examples and "Maria Keller" in examples
    refund = week["refund"]
    assert f'href="/staff/conversations/{refund.conversation_id}/#m{refund.pk}"' in html
    ((issue, _status, *_rest),) = table(html, "known_issues")
    assert issue == "Deliveries to the north are running late"
    assert _rest[-4:] == ["1", "0", "0", "1"]  # one comment, positive
    (advocate,) = table(html, "advocates")
    assert advocate == ["Maria Keller", "0", "0", "1", "1"]


def test_charts_are_inline_svg_with_their_numbers(priya_client, week):
    html = get(priya_client).content.decode()
    svgs = re.findall(r"<svg xmlns=.*?</svg>", html, re.S)
    assert len(svgs) == 3  # volume, sentiment, ratings
    ns = {"s": "http://www.w3.org/2000/svg"}
    volume = ElementTree.fromstring(svgs[0])  # noqa: S314 (our markup)
    assert volume.get("role") == "img"
    assert volume.find("s:title", ns).text == "Customer messages per day, by channel"
    desc = volume.find("s:desc", ns).text
    assert "3 Nov to 2 Dec: 3 messages in all (Website 1, E-mail 2)" in desc
    assert "Highest: 2 on 27 Nov" in desc
    tooltips = [t.text for t in volume.iter("{http://www.w3.org/2000/svg}title")]
    assert "27 Nov: 2 E-mail" in tooltips and "30 Nov: 1 Website" in tooltips
    sentiment = ElementTree.fromstring(svgs[1])  # noqa: S314 (our markup)
    assert "Negative 1, Neutral 1, Positive 1, Not scored 0" in sentiment.find("s:desc", ns).text


def test_filters_change_the_figures(priya_client, week, alex, lionel, deliveries):
    html = get(priya_client, channel="email", agent="").content.decode()
    assert figure(html, "messages") == "2"
    # The downloads keep the filters.
    assert (
        'href="/staff/insights/export/volume.csv?start=2026-11-03&amp;end=2026-12-02&amp;channel=email"'
        in html
    )
    assert figure(html, "answered_share") == "100%"
    assert figure(html, "awaiting") == "0"  # the waiting comment came from the website
    assert table(html, "channels")[0][0] == "E-mail"

    html = get(priya_client, start="2026-11-30", end="2026-12-02").content.decode()
    assert figure(html, "messages") == "1"
    assert figure(html, "answered_share") == "0%"
    assert figure(html, "first_response_median") == NONE
    assert figure(html, "resolved") == "1"  # resolved on Monday
    assert figure(html, "satisfaction") == "4.0"

    html = get(priya_client, agent=lionel.pk).content.decode()
    assert figure(html, "messages") == "1"
    assert f'export/agents.csv?start=2026-11-03&amp;end=2026-12-02&amp;agent={lionel.pk}"' in html
    assert figure(html, "first_response_median") == "10 h"
    assert [row[0] for row in table(html, "agents")] == ["Lionel M."]

    html = get(priya_client, category=deliveries.pk).content.decode()
    assert figure(html, "messages") == "1"
    assert figure(html, "resolved") == "1"
    refunds = week["refund"].conversation.labels.get()
    assert figure(get(priya_client, label=refunds.pk).content.decode(), "messages") == "1"
    html = get(priya_client, team=week["care"].pk).content.decode()
    assert figure(html, "messages") == "1"
    assert figure(html, "satisfaction") == "4.0"
    other = Category.objects.create(name="Billing", slug="billing")
    assert figure(get(priya_client, category=other.pk).content.decode(), "messages") == "0"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"start": "2026-12-02", "end": "2026-11-01"}, "The end date is before the start date."),
        ({"start": "2025-01-01", "end": "2026-11-30"}, "Choose at most 366 days."),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "Choose a date between"),
        ({"end": "9999-12-31"}, "Choose a date between"),
        ({"end": "0001-01-01"}, "Choose a date between"),
        ({"end": "yesterday"}, "Enter a valid date."),
        ({"channel": "fax"}, "Select a valid choice."),
        ({"category": "abc"}, "Select a valid choice."),
        ({"team": "99999"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_explained_on_the_page(priya_client, params, message):
    response = get(priya_client, **params)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert 'id="no-figures"' in html
    assert "data-figure" not in html
    assert '<form method="get"' in html


def test_the_filter_form_offers_what_there_is(priya_client, week, alex, deliveries):
    html = get(priya_client).content.decode()
    assert f'<option value="{deliveries.pk}">Deliveries</option>' in html
    assert f'<option value="{week["care"].pk}">Care</option>' in html
    assert f'<option value="{alex.pk}">Alex R.</option>' in html
    assert '<option value="email">E-mail</option>' in html


# -- who sees what ------------------------------------------------------------------------


def test_visitors_are_sent_to_sign_in(client):
    for url in (URL, "/staff/insights/export/volume.csv"):
        response = get(client, url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_customers_are_refused(maria_client):
    assert get(maria_client).status_code == 403
    assert get(maria_client, "/staff/insights/export/volume.csv").status_code == 403
    assert get(maria_client, "/staff/insights/export/nothing.csv").status_code == 403


@pytest.mark.parametrize("persona", ["alex", "lionel", "mona"])
def test_staff_without_report_see_their_own_figures_only(request, persona, week, priya):
    user = request.getfixturevalue(persona)
    client = request.getfixturevalue(f"{persona}_client")
    expected = {"alex": ("1", "2 h"), "lionel": ("1", "10 h"), "mona": ("0", NONE)}[persona]
    # Whatever agent the address names, the figures are the user's own.
    for params in ({}, {"agent": priya.pk}, {"agent": "x"}):
        html = get(client, **params).content.decode()
        assert (figure(html, "messages"), figure(html, "first_response_median")) == expected
        assert 'id="own-figures"' in html
        assert 'name="agent"' not in html
        assert 'id="table-teams"' not in html and 'href="#teams"' not in html
        names = {"alex": ["Alex R."], "lionel": ["Lionel M."], "mona": []}[persona]
        if names:
            assert [row[0] for row in table(html, "agents")] == names
        else:
            assert "No answers, resolutions or ratings in this span." in html
    # The CSV downloads follow the same rules.
    rows = read_csv(get(client, "/staff/insights/export/agents.csv", agent=priya.pk))
    assert [r[0] for r in rows[1:]] == names
    assert get(client, "/staff/insights/export/teams.csv").status_code == 403
    (summary,) = [r for r in read_csv(get(client, "/staff/insights/export/summary.csv")) if
                  r[0] == "Customer messages"]  # fmt: skip
    assert summary == ["Customer messages", expected[0]]
    assert user.pk  # the persona exists


@pytest.mark.parametrize("persona", ["priya", "ada"])
def test_managers_and_admins_see_everyone(request, persona, week):
    client = request.getfixturevalue(f"{persona}_client")
    html = get(client).content.decode()
    assert 'name="agent"' in html
    assert 'id="own-figures"' not in html
    assert [row[0] for row in table(html, "agents")] == ["Alex R.", "Lionel M."]
    assert [row[0] for row in table(html, "teams")] == ["Care"]
    assert len(read_csv(get(client, "/staff/insights/export/teams.csv"))) == 2


# -- CSV ------------------------------------------------------------------------------------


def test_csv_has_the_headings_and_plain_values(priya_client, week):
    response = get(priya_client, "/staff/insights/export/agents.csv", channel="email")
    assert response["Content-Disposition"] == (
        'attachment; filename="insights-agents-2026-11-03-2026-12-02.csv"'
    )
    assert read_csv(response) == [
        [
            "Agent", "Messages", "Answered", "First response, median (s)",
            "First response, 90th percentile (s)", "Within target", "Cases resolved",
            "Resolution, median (s)", "Ratings", "Average rating",
        ],
        ["Alex R.", "1", "1", "7200", "7200", "1.0", "1", "10800", "1", "4.0"],
        ["Lionel M.", "1", "1", "36000", "36000", "0.0", "0", "", "0", ""],
    ]  # fmt: skip
    volume = read_csv(get(priya_client, "/staff/insights/export/volume.csv", end="2026-11-30"))
    assert volume[0] == ["Day", "Website", "E-mail", "Total"]
    assert volume[1][0] == "2026-11-01"  # 30 days ending on the chosen end
    assert ["2026-11-27", "0", "2", "2"] in volume
    assert len(volume) == 31
    summary = dict(read_csv(get(priya_client, "/staff/insights/export/summary.csv"))[1:])
    assert summary["Answered share (of those needing an answer)"] == "0.6667"
    assert summary["Oldest waiting since"] == "2026-11-30T10:00:00+00:00"
    assert summary["Ratings of 4"] == "1"
    topics = read_csv(get(priya_client, "/staff/insights/export/topics.csv"))
    assert topics == [
        ["Topic", "Messages", "Negative", "Span before", "Trending"],
        ["Refunds", "1", "1.0", "0", "no"],
    ]


def test_every_table_downloads(priya_client, week):
    from insights.views import TABLES

    for slug in TABLES:
        response = get(priya_client, f"/staff/insights/export/{slug}.csv")
        assert response["Content-Disposition"].startswith("attachment;")
        assert len(read_csv(response)[0]) >= 2


def test_unknown_table_and_bad_filters_on_download(priya_client):
    assert get(priya_client, "/staff/insights/export/passwords.csv").status_code == 404
    response = get(priya_client, "/staff/insights/export/volume.csv", start="2026-12-02",
                   end="2026-11-01")  # fmt: skip
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_csv_cells_never_start_a_formula(priya_client, alex):
    eve = make_customer("eve@example.com", '=HYPERLINK("http://evil.test","Eve")')
    unhappy = email(eve.person, "Order", "-1 stars, still waiting", FRIDAY_4PM)
    score(unhappy, Sentiment.NEGATIVE)
    with at(MONDAY_10AM):
        services.answer(unhappy, by=alex, body_md="@Eve it is on its way.")
    with at(TUESDAY_10AM):
        happy = services.receive_private_message(
            conversation=unhappy.conversation, author=eve.person, title="",
            body_md="+1 it came, thank you!", channel=Channel.EMAIL,
        )  # fmt: skip
    score(happy, Sentiment.POSITIVE)
    rollups.refresh_pending()

    rows = read_csv(get(priya_client, "/staff/insights/export/won_back.csv"))
    assert rows[0] == ["Customer", "Unhappy on", "They wrote", "Answered by", "Happy on",
                       "Then wrote"]  # fmt: skip
    assert rows[1] == [
        "'=HYPERLINK(\"http://evil.test\",\"Eve\")", "2026-11-27T16:00:00+00:00",
        "'-1 stars, still waiting", "Alex R.", "2026-12-01T10:00:00+00:00",
        "'+1 it came, thank you!",
    ]  # fmt: skip
    advocates = read_csv(get(priya_client, "/staff/insights/export/advocates.csv"))
    assert advocates[1][0] == '\'=HYPERLINK("http://evil.test","Eve")'
    # On the page the name is text, escaped, and the row links to the happy message.
    html = get(priya_client).content.decode()
    assert "=HYPERLINK(&#34;http://evil.test&#34;,&#34;Eve&#34;)" in html
    assert f'href="/staff/conversations/{happy.conversation_id}/#m{happy.pk}"' in html
    (row,) = table(html, "won_back")
    assert row[0].startswith("=HYPERLINK") and row[3] == "Alex R."


def test_alerts_are_listed_with_a_link(priya_client):
    with at(MONDAY_10AM):
        alert = Alert.objects.create(
            metric=AlertMetric.VOLUME, window_start=MONDAY_10AM - timedelta(hours=1),
            window_end=MONDAY_10AM, count=42, observed=42.0, baseline=6.5, spread=2.0,
            threshold=12.5,
        )  # fmt: skip
    html = get(priya_client).content.decode()
    ((_raised, metric, scope, count, observed, baseline),) = table(html, "alerts")
    assert (metric, scope, count, observed, baseline) == (
        "Volume",
        "all mentions",
        "42",
        "42",
        "6.5",
    )
    assert f'href="/staff/listening/alerts/{alert.pk}/"' in html
    rows = read_csv(get(priya_client, "/staff/insights/export/alerts.csv"))
    assert rows[1] == ["2026-11-30T10:00:00+00:00", "Volume", "all mentions", "42", "42.0", "6.5"]
    html = get(priya_client, start="2026-12-01").content.decode()
    assert 'id="table-alerts"' not in html and "No alert in this span." in html


# -- queries --------------------------------------------------------------------------------


def busy(n: int, answerer=None) -> None:
    """`n` more of everything: agents (or `answerer`) answering unhappy customers who then
    write happily, on as many topics, and as many known issues with a comment each."""
    from conversations.models import Kind

    count = Topic.objects.count()
    lionel = make_staff(f"writer{count}@example.com", f"Writer {count}", "Blogger", Role.BLOGGER)
    for i in range(count, count + n):
        agent = answerer or make_staff(f"agent{i}@example.com", f"Agent {i}", "Care", Role.AGENT)
        customer = make_customer(f"customer{i}@example.com", f"Customer {i}")
        topic = Topic.objects.create(number=100 + i, name=f"Topic {i}")
        unhappy = email(customer.person, f"Case {i}", f"Broken {i}", FRIDAY_4PM)
        Message.objects.filter(pk=unhappy.pk).update(topic=topic, sentiment=Sentiment.NEGATIVE)
        with at(MONDAY_10AM):
            services.answer(unhappy, by=agent, body_md="Sorry, fixed.")
            issue = services.publish_post(
                author=lionel.person, kind=Kind.KNOWN_ISSUE, title=f"Outage {i}", body_md="Down.",
                affected_area="Everywhere",
            )  # fmt: skip
            comment = services.post_comment(issue, author=customer.person, body_md="Same here")
        score(comment, Sentiment.NEUTRAL)  # not a scored step between unhappy and happy
        with at(TUESDAY_10AM):
            happy = services.receive_private_message(
                conversation=unhappy.conversation, author=customer.person, title="",
                body_md="Works now, thanks!", channel=Channel.EMAIL,
            )  # fmt: skip
        score(happy, Sentiment.POSITIVE)
        with at(MONDAY_10AM):
            Alert.objects.create(
                metric=AlertMetric.VOLUME, window_start=MONDAY_10AM, window_end=MONDAY_10AM,
                count=i, observed=i, baseline=1, spread=1, threshold=2,
            )  # fmt: skip
    rollups.refresh_pending()


def test_queries_do_not_grow_with_the_data(priya, priya_client):
    busy(1)
    html = get(priya_client).content.decode()
    assert len(table(html, "agents")) == 1 and len(table(html, "won_back")) == 1
    with at(NOW):
        few = count_queries(priya_client, URL)
    busy(11)
    html = get(priya_client).content.decode()
    assert len(table(html, "agents")) == 12 and len(table(html, "topics")) == 10
    assert len(table(html, "known_issues")) == 12 and len(table(html, "won_back")) == 12
    assert len(table(html, "advocates")) == 12 and len(table(html, "alerts")) == 12
    with at(NOW):
        many = count_queries(priya_client, URL)
    busy(6)
    with at(NOW):
        more = count_queries(priya_client, URL)
    # Each topic shown (at most ten) fetches its latest messages with one indexed query;
    # beyond that the count does not grow.
    assert few <= many <= few + 9
    assert more == many


def test_an_agents_dashboard_costs_the_same_however_much_they_answered(alex, alex_client):
    busy(1, answerer=alex)
    with at(NOW):
        few = count_queries(alex_client, URL)
    busy(14, answerer=alex)
    html = get(alex_client).content.decode()
    assert figure(html, "messages") == "15"
    with at(NOW):
        many = count_queries(alex_client, URL)
    busy(3, answerer=alex)
    with at(NOW):
        more = count_queries(alex_client, URL)
    # Each topic shown (at most ten) fetches its latest messages with one indexed query;
    # beyond that the count does not grow.
    assert few <= many <= few + 9
    assert more == many
