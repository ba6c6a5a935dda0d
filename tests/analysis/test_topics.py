"""Topic model: batch clusters, incremental topics, saved state and trending topics."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from analysis.topics import TopicModel, Trend, fold, terms, trending

REFUNDS = [
    "I want a refund for my order",
    "How do I get my money back? I need a refund for the order",
    "Refund for my order still not received",
    "Where is my refund? I returned the order already",
    "Please refund my payment, the order arrived broken",
    "Can I get a refund for the damaged order?",
]
DELIVERY = [
    "My package delivery is late",
    "Where is my package? The delivery tracking shows nothing",
    "The courier never brought my package, delivery failed",
    "Package delivery late again, still not here",
    "When will my package delivery arrive?",
    "Delivery tracking for my package does not work",
]
PASSWORDS = [
    "I forgot my password and cannot log in",
    "How do I reset my password?",
    "Password reset email never arrives",
    "Cannot log in, my password is not accepted",
    "Need to reset my account password",
    "Reset password link is broken",
]
CORPUS = REFUNDS + DELIVERY + PASSWORDS


@pytest.fixture(scope="module")
def fitted() -> tuple[TopicModel, list]:
    model = TopicModel()
    return model, model.fit(CORPUS)


def test_features_are_folded_content_words_and_bigrams():
    assert fold("refunds") == "refund"
    assert fold("deliveries") == "delivery"
    assert fold("addresses") == "address"
    assert fold("status") == "status"
    assert fold("bus") == "bus"
    assert terms("My REFUNDS, @shop https://x.co/1 not yet!!") == ["refund", "yet", "refund yet"]
    assert terms("Reset password links") == [
        "reset",
        "password",
        "link",
        "reset password",
        "password link",
    ]


def test_fit_separates_refunds_delivery_and_passwords(fitted):
    model, labels = fitted
    groups = [labels[0:6], labels[6:12], labels[12:18]]
    for group in groups:
        assert len(set(group)) == 1, group
    assert len({group[0] for group in groups}) == 3
    assert len(model.topics()) == 3


def test_topic_names_come_from_the_top_terms(fitted):
    model, labels = fitted
    by_id = {topic.id: topic for topic in model.topics()}
    refund, delivery, password = by_id[labels[0]], by_id[labels[6]], by_id[labels[12]]
    assert set(refund.terms[:2]) == {"refund", "order"}
    assert set(refund.name.split(" · ")[:2]) == {"refund", "order"}
    assert "package" in delivery.name and "delivery" in delivery.name
    assert password.name.startswith("password · reset")
    for topic in (refund, delivery, password):
        assert topic.size == 6
        words = topic.name.replace(" · ", " ").split()
        assert set(words) <= {w for term in topic.terms for w in term.split()}


def test_topic_ids_are_ordered_by_size():
    model = TopicModel()
    labels = model.fit([*CORPUS, "I need a refund for my order please"])
    assert labels[0] == 0
    assert [t.id for t in model.topics()] == [0, 1, 2]
    assert model.topics()[0].size == 7


def test_fit_with_a_given_k_makes_that_many_topics():
    model = TopicModel()
    labels = model.fit(CORPUS, k=2)
    assert len(set(labels)) == 2
    assert len(model.topics()) == 2


def test_fit_is_deterministic_given_the_seed():
    first, second = TopicModel(seed=3), TopicModel(seed=3)
    assert first.fit(CORPUS) == second.fit(CORPUS)
    assert first.to_dict() == second.to_dict()


def test_texts_without_content_words_get_no_topic(fitted):
    model, _ = fitted
    before = model.to_dict()
    assert model.assign("ok thanks!! :)") == (None, "", 0.0)
    assert model.predict("") == (None, "", 0.0)
    assert model.to_dict() == before
    assert TopicModel().fit(["", "hi there"]) == [None, None]


def test_assign_joins_the_nearest_topic_and_updates_it():
    model = TopicModel()
    labels = model.fit(CORPUS)
    size = {t.id: t.size for t in model.topics()}[labels[0]]
    result = model.assign("I still want my refund for this order")
    assert result.topic_id == labels[0]
    assert set(result.name.split(" · ")[:2]) == {"refund", "order"}
    assert 0.2 <= result.similarity <= 1.0
    assert {t.id: t.size for t in model.topics()}[labels[0]] == size + 1
    assert model.assign("forgot password again, reset please").topic_id == labels[12]


def test_assign_opens_a_topic_for_an_unrelated_message():
    model = TopicModel()
    model.fit(CORPUS)
    result = model.assign("Your new vegan burger recipe is delicious")
    assert result.topic_id == 3
    assert result.similarity == 1.0
    assert len(model.topics()) == 4
    assert model.assign("Loved the vegan burger recipe").topic_id == 3


def test_predict_answers_like_assign_without_changing_the_model():
    model = TopicModel()
    labels = model.fit(CORPUS)
    before = model.to_dict()
    assert model.predict("refund my order").topic_id == labels[0]
    # Nothing close: assign would open a topic, so predict has none to give.
    far = model.predict("vegan burger recipe")
    assert far.topic_id is None
    assert far.similarity < model.threshold
    assert model.to_dict() == before
    assert TopicModel().predict("refund my order") == (None, "", 0.0)


def test_incremental_topics_from_an_empty_model():
    model = TopicModel()
    first = model.assign("I want a refund for my order")
    assert first.topic_id == 0
    assert first.name == "refund · order"
    assert model.assign("I need a refund for my order").topic_id == 0
    assert model.assign("Please refund my order").topic_id == 0
    assert model.assign("How do I reset my password?").topic_id == 1
    assert model.assign("Reset my password please").topic_id == 1
    assert model.assign("Where is my package delivery?").topic_id == 2
    sizes = {t.id: t.size for t in model.topics()}
    assert sizes == {0: 3, 1: 2, 2: 1}
    assert [t.id for t in model.topics(min_size=2)] == [0, 1]


def test_at_max_topics_the_oldest_single_message_topic_makes_room():
    model = TopicModel(max_topics=2)
    assert model.assign("refund for my order").topic_id == 0
    assert model.assign("reset my password").topic_id == 1
    assert model.assign("reset my password now").topic_id == 1
    assert model.assign("vegan burger recipe").topic_id == 2
    assert sorted(t.id for t in model.topics()) == [1, 2]
    # No single-message topic left to drop: the message joins its nearest topic.
    assert model.assign("vegan burger recipes").topic_id == 2
    assert model.assign("package delivery late burger").topic_id == 2
    predicted = model.predict("password reset link")
    assert predicted[::2] == model.assign("password reset link")[::2] == (1, predicted.similarity)


def test_topics_keep_at_most_max_terms():
    model = TopicModel(max_terms=4)
    model.fit(CORPUS)
    for topic in model.to_dict()["topics"]:
        assert len(topic["weights"]) <= 4
    for i in range(20):
        model.assign(f"refund order number{chr(97 + i)} item{chr(97 + i)}")
    for topic in model.to_dict()["topics"]:
        assert len(topic["weights"]) <= 6


def test_saved_state_is_json_and_reloads_to_identical_predictions():
    model = TopicModel()
    model.fit(CORPUS)
    model.assign("Your new vegan burger recipe is delicious")
    state = json.loads(json.dumps(model.to_dict()))
    loaded = TopicModel.from_dict(state)
    probes = [*CORPUS, "refund please", "burger", "reset link", "tracking number", "", "ok"]
    assert [loaded.predict(t) for t in probes] == [model.predict(t) for t in probes]
    assert loaded.topics() == model.topics()
    # Both go on to learn the same way.
    for text in ["password reset failed", "weather is nice", "refund my burger"]:
        assert loaded.assign(text) == model.assign(text)
    assert loaded.to_dict() == model.to_dict()


def test_from_dict_rejects_an_unknown_format():
    state = TopicModel().to_dict()
    state["version"] = 99
    with pytest.raises(ValueError, match="format"):
        TopicModel.from_dict(state)


# -- trending --------------------------------------------------------------------------------

TODAY = date(2024, 3, 14)  # a Thursday


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def daily(topic, history: list[int], today: int) -> list[tuple]:
    """Events for `topic`: history[0] on 7 days ago ... history[-1] yesterday, then today."""
    rows = [(topic, days_ago(len(history) - i), n) for i, n in enumerate(history)]
    return [*rows, (topic, TODAY, today)]


def test_a_spike_trends_and_a_steady_topic_does_not():
    rows = daily("spike", [2] * 7, 6) + daily("steady", [5] * 7, 5)
    # spike: mean 2, std 0 (floored to 1): score (6 - 2) / 1 = 4.
    assert trending(rows, TODAY) == [Trend("spike", 6, 2.0, 4.0)]


def test_the_score_uses_the_baseline_spread():
    history = [0, 4, 0, 4, 0, 4, 2]  # mean 2, population std sqrt(24 / 7) = 1.8516
    (trend,) = trending(daily(1, history, 6), TODAY)
    assert trend.baseline == 2.0
    assert trend.score == pytest.approx(4 / 1.8516, abs=1e-4)
    assert trending(daily(1, history, 5), TODAY) == []  # 3 / 1.85 = 1.62 < k = 2
    assert trending(daily(1, history, 5), TODAY, k=1.5)[0].score == pytest.approx(1.6202, 1e-4)


def test_a_minimum_count_keeps_small_numbers_out():
    rows = daily(1, [0] * 7, 2)  # score 2 / 1 = 2, but only 2 messages
    assert trending(rows, TODAY) == []
    assert trending(rows, TODAY, min_count=2) == [Trend(1, 2, 0.0, 2.0)]


def test_week_compares_the_last_seven_days_with_the_weeks_before():
    # One message a day for five weeks, and 8 more six days ago.
    events = [(7, days_ago(n)) for n in range(35)] + [(7, days_ago(6))] * 8
    assert trending(events, TODAY, "day") == []
    # This week 7 + 8 = 15 against 7 in each of the 4 weeks before: (15 - 7) / 1 = 8.
    assert trending(events, TODAY, "week") == [Trend(7, 15, 7.0, 8.0)]
    assert trending(events, TODAY, "week", window=2) == [Trend(7, 15, 7.0, 8.0)]


def test_all_input_shapes_give_the_same_answer():
    events = [(1, days_ago(1)), (1, TODAY), (1, TODAY), (1, TODAY), (2, TODAY)]
    expected = [Trend(1, 3, 1 / 7, pytest.approx((3 - 1 / 7) / 1))]
    assert trending(events, TODAY) == expected
    assert trending([(1, days_ago(1), 1), (1, TODAY, 3), (2, TODAY, 1)], TODAY) == expected
    assert trending({(1, days_ago(1)): 1, (1, TODAY): 3}, TODAY) == expected
    assert trending({1: {days_ago(1): 1, TODAY: 3}, 2: {TODAY: 1}}, TODAY) == expected
    at_noon = [(1, datetime(2024, 3, 14, 12)), (1, datetime(2024, 3, 14, 13))] * 2
    assert trending(at_noon, datetime(2024, 3, 14, 18)) == [Trend(1, 4, 0.0, 4.0)]


def test_trending_ignores_untopical_future_and_old_events_and_sorts_by_score():
    events = [(None, TODAY)] * 9 + [(1, TODAY + timedelta(days=1))] * 9
    events += [(1, days_ago(8))] * 50  # before the 7-day baseline
    events += [(1, TODAY)] * 3 + [(2, TODAY)] * 5
    assert [t.topic_id for t in trending(events, TODAY)] == [2, 1]


def test_trending_rejects_an_unknown_period():
    with pytest.raises(ValueError, match="period"):
        trending([], TODAY, "month")
