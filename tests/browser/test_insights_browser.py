"""In Chromium: a manager opens the insights dashboard, narrows the dates and then the
channel, sees the figures follow, and downloads a table as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations import services
from conversations.models import Channel
from insights import rollups
from tests.browser.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def three_messages(maria, sam, alex, known_issue, mona):
    """Maria e-mailed ten days ago (Alex answered the next day), Sam e-mailed yesterday, and
    Maria commented on the known issue from the website today."""
    now = timezone.now()
    old = services.receive_private_message(
        conversation=None, author=maria.person, title="Refund", body_md="Where is my refund?",
        channel=Channel.EMAIL, at=now - timedelta(days=10),
    )  # fmt: skip
    services.answer(old, by=alex, body_md="On its way.", at=now - timedelta(days=9))
    services.receive_private_message(
        conversation=None, author=sam.person, title="Parcel", body_md="Where is my parcel?",
        channel=Channel.EMAIL, at=now - timedelta(days=1),
    )  # fmt: skip
    comment = services.post_comment(known_issue, author=maria.person, body_md="Any news?")
    services.approve(comment, by=mona)
    rollups.refresh_pending()
    return timezone.localdate()


def test_manager_filters_the_dashboard_and_downloads_a_table(sign_in, site, priya, three_messages):
    today = three_messages
    page = sign_in(priya).new_page()
    page.goto(f"{site}/staff/insights/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    messages = page.locator('[data-figure="messages"]')
    expect(messages).to_have_text("3")
    expect(page.get_by_role("img", name="Customer messages per day, by channel")).to_be_visible()
    assert_accessible(page, "insights-dashboard")

    # The last three days: Maria's old e-mail drops out.
    start = (today - timedelta(days=2)).isoformat()
    page.get_by_role("textbox", name="From", exact=True).fill(start)
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{site}/staff/insights/?start={start}&end={today.isoformat()}"
                             "&channel=&category=&label=&agent=&team=")  # fmt: skip
    expect(messages).to_have_text("2")

    # E-mail only: Sam's message (Maria's comment came from the website).
    page.get_by_label("Channel", exact=True).select_option("email")
    page.get_by_role("button", name="Show").click()
    expect(messages).to_have_text("1")
    expect(page.get_by_label("Channel", exact=True)).to_have_value("email")
    expect(page.get_by_role("textbox", name="From", exact=True)).to_have_value(start)

    # A bad range is explained, not fatal.
    page.get_by_role("textbox", name="To", exact=True).fill((today - timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_have_text("The end date is before the start date.")
    expect(messages).to_have_count(0)
    page.go_back()
    expect(messages).to_have_text("1")

    # The day-by-day table as CSV, with the same filters.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download messages by day (CSV)").click()
    download = info.value
    assert download.suggested_filename == f"insights-volume-{start}-{today.isoformat()}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["Day", "E-mail", "Total"]
    assert [r[0] for r in rows[1:]] == [(today - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    assert sum(int(r[-1]) for r in rows[1:]) == 1
