"""The dashboard's SVG charts and number formats: well-formed, described, escaped, and
sound on empty data and zeros."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from markupsafe import Markup

from insights import charts

NS = "{http://www.w3.org/2000/svg}"
NONE = charts.NONE


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 (markup we made)


def bars(root: ElementTree.Element) -> list[ElementTree.Element]:
    """The data rectangles (those with a tooltip), not the legend's squares."""
    return [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]


def texts(root: ElementTree.Element) -> list[str]:
    return [t.text for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, NONE), (0, "< 1 min"), (59, "< 1 min"), (60, "1 min"), (2520, "42 min"),
        (3599, "59 min"), (3600, "1 h"), (11_400, "3 h 10 min"), (86_399, "23 h 59 min"),
        (86_400, "1 d"), (187_200, "2 d 4 h"), (259_200, "3 d"), (-5, "< 1 min"),
    ],
)  # fmt: skip
def test_durations_read_as_minutes_hours_and_days(seconds, shown):
    assert charts.duration(seconds) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, NONE), (0, "0%"), (0.004, "< 1%"), (0.5, "50%"), (2 / 3, "67%"), (0.996, "> 99%"),
     (1.0, "100%")],
)  # fmt: skip
def test_shares_read_as_percentages(value, shown):
    assert charts.share(value) == shown


def test_ratings_and_numbers():
    assert charts.rating(None) == NONE
    assert charts.rating(4) == "4.0"
    assert charts.rating(13 / 3) == "4.3"
    assert charts.number(1234) == "1,234"
    assert charts.number(6.5) == "6.5"
    assert charts.number(42.0) == "42"
    assert charts.number(None) == NONE


def volume_chart(**overrides):
    arguments = {
        "chart_id": "volume",
        "title": "Messages per day",
        "labels": ["1 Nov", "2 Nov", "3 Nov"],
        "series": [("E-mail", "#e69f00", [1, 0, 2]), ("Website", "#0072b2", [0, 0, 1])],
        "note": "The table below has the numbers.",
    }
    return charts.stacked_bars(**(arguments | overrides))


def test_stacked_bars_are_an_accessible_svg():
    svg = volume_chart()
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "volume-title volume-desc"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert (title.get("id"), title.text) == ("volume-title", "Messages per day")
    assert desc.get("id") == "volume-desc"
    assert desc.text == (
        "Messages per day, 1 Nov to 3 Nov: 4 messages in all (E-mail 3, Website 1). "
        "Highest: 3 on 3 Nov. The table below has the numbers."
    )
    # The legend names every series, and the day labels are written under the bars.
    assert {"E-mail", "Website", "1 Nov", "2 Nov", "3 Nov"} <= set(texts(root))


def test_stacked_bars_have_one_segment_per_nonzero_count_scaled_to_a_round_top():
    root = parse(volume_chart())
    segments = [(r.find(f"{NS}title").text, float(r.get("height"))) for r in bars(root)]
    # The highest day has 3; the axis goes to 5, so 1 message is 180 / 5 = 36 units high.
    assert segments == [("1 Nov: 1 E-mail", 36), ("3 Nov: 2 E-mail", 72), ("3 Nov: 1 Website", 36)]
    assert {"0", "2.5", "5"} <= set(texts(root))  # the axis
    # Stacked: the second series sits on top of the first.
    email, website = bars(root)[1:]
    assert float(website.get("y")) + float(website.get("height")) == pytest.approx(
        float(email.get("y"))
    )
    assert email.get("fill") == "#e69f00" and website.get("fill") == "#0072b2"


def test_stacked_bars_escape_every_text():
    root_svg = volume_chart(
        chart_id='x" onload="alert(1)',
        title="<script>alert('t')</script> & co",
        labels=["<b>1</b>"],
        series=[('Tom & "Jerry" <3', "#000", [2])],
        note="</desc><desc>",
    )
    assert "<script>" not in root_svg and "<b>" not in root_svg and 'onload="' not in root_svg
    root = parse(root_svg)
    assert root.find(f"{NS}title").text == "<script>alert('t')</script> & co"
    assert root.find(f"{NS}desc").text.endswith("</desc><desc>")
    assert root.get("aria-labelledby") == 'x" onload="alert(1)-title x" onload="alert(1)-desc'
    (segment,) = bars(root)
    assert segment.find(f"{NS}title").text == '<b>1</b>: 2 Tom & "Jerry" <3'
    assert 'Tom & "Jerry" <3' in texts(root)


def test_stacked_bars_on_empty_data_and_zeros():
    empty = parse(charts.stacked_bars(chart_id="e", title="Nothing", labels=[], series=[]))
    assert empty.find(f"{NS}desc").text == "Nothing: no data."
    assert "Nothing to show" in texts(empty)
    assert bars(empty) == []

    zeros = parse(volume_chart(series=[("E-mail", "#e69f00", [0, 0, 0])], note=""))
    assert (
        zeros.find(f"{NS}desc").text
        == "Messages per day, 1 Nov to 3 Nov: 0 messages in all (E-mail 0)."
    )
    assert bars(zeros) == []
    assert "Nothing to show" in texts(zeros)
    assert {"0", "1"} <= set(texts(zeros))  # an axis from 0 to 1, never a division by zero

    one = parse(volume_chart(labels=["1 Nov"], series=[("E-mail", "#e69f00", [1])]))
    assert one.find(f"{NS}desc").text.startswith("Messages per day, 1 Nov: 1 message in all")


def test_stacked_bars_refuse_series_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        volume_chart(series=[("E-mail", "#e69f00", [1, 2])])


def test_a_year_of_days_labels_at_most_ten_of_them():
    labels = [f"day {n}" for n in range(366)]
    root = parse(volume_chart(labels=labels, series=[("E-mail", "#e69f00", [1] * 366)]))
    assert len(bars(root)) == 366
    assert len([t for t in texts(root) if t.startswith("day ")]) <= 10
    assert all(float(r.get("width")) > 0 for r in bars(root))


def test_horizontal_bars():
    svg = charts.horizontal_bars(
        chart_id="ratings",
        title="Ratings <by score>",
        rows=[("5 of 5", 3), ("4 of 5", 0), ("1 of 5", 1)],
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.find(f"{NS}title").text == "Ratings <by score>"
    assert root.find(f"{NS}desc").text == (
        "Ratings <by score>: 5 of 5 3, 4 of 5 0, 1 of 5 1; 4 ratings in all."
    )
    assert [r.find(f"{NS}title").text for r in bars(root)] == ["5 of 5: 3", "1 of 5: 1"]
    widths = [float(r.get("width")) for r in bars(root)]
    assert widths[0] == pytest.approx(3 * widths[1])
    empty = parse(charts.horizontal_bars(chart_id="r", title="Ratings", rows=[]))
    assert empty.find(f"{NS}desc").text == "Ratings: no data; 0 ratings in all."
    assert "Nothing to show" in texts(empty)
