"""The spam score: rules on the text, and the word model moderators teach."""

import pytest

from moderation import spam
from moderation.models import SpamCorpus, SpamToken


def test_ordinary_customer_text_scores_nothing():
    for text in (
        "Where is my parcel? Order 1042.",
        "Thanks Alex, that fixed it!",
        "I moved last week. Order 2001 still shows the old address.",
    ):
        assert spam.rules(text, links=0).score == 0


@pytest.mark.parametrize(
    ("text", "links", "reason"),
    [
        ("see these", 2, "2 links"),
        ("so goooooood", 0, "a character repeated many times"),
        ("Deal!!!", 0, "runs of !!! or $$$"),
        ("THIS SHOP IS THE WORST EVER, AVOID", 0, "written in capitals"),
        ("Click here for a prize", 0, "“click here”"),
        ("Knives 70% off", 0, "“% off”"),
        ("@a @b @c @d @e hello", 0, "5 @ signs"),
        ("$5 $10 $20", 0, "3 money signs"),
    ],
)
def test_each_rule_gives_its_reason(text, links, reason):
    result = spam.rules(text, links)
    assert reason in result.reasons
    assert 0 < result.score < 0.7


def test_rules_add_up_but_stay_below_one():
    text = "BUY NOW!!! CHEAP CASINO LOANS, CLICK HERE, WHATSAPP ME $$$ @a @b @c @d @e"
    result = spam.rules(text, links=9)
    assert 0.95 < result.score < 1
    assert result.percent == round(result.score * 100)


def test_extra_phrases_come_from_the_settings(settings):
    assert spam.rules("Visit our cookware outlet", 0).score == 0
    settings.MODERATION_SPAM_PHRASES = ["cookware outlet"]
    assert spam.rules("Visit our cookware outlet", 0).reasons == ["“cookware outlet”"]


def test_tokens_are_lower_case_words_without_common_ones():
    assert spam.tokens("The Parcel and the BOX, it's late; ok x2") == {
        "parcel",
        "box",
        "it's",
        "late",
    }
    assert len(spam.tokens(" ".join(f"word{i}" for i in range(500)))) == spam.MAX_TOKENS


def test_word_probability_leans_with_evidence_and_stays_neutral_without():
    assert spam.word_probability(0, 0, 5, 5) == 0.5
    assert spam.word_probability(1, 0, 1, 0) == pytest.approx(0.625)
    assert spam.word_probability(0, 1, 0, 1) == pytest.approx(0.375)
    assert spam.word_probability(10, 0, 10, 10) == pytest.approx((1.5 + 10) / 13)


def test_model_probability_uses_the_most_telling_words():
    assert spam.model_probability([]) == 0.5
    assert spam.model_probability([0.9, 0.9]) > 0.95
    assert spam.model_probability([0.1, 0.1]) < 0.05
    # a crowd of barely-telling words is outweighed by the fifteen most telling
    assert spam.model_probability([0.99] * 15 + [0.4] * 100) > 0.99


def test_blend_moves_the_rules_score_towards_the_model():
    assert spam.blend(0.3, 0.5) == 0.3
    assert spam.blend(0.0, 1.0) == pytest.approx(0.9)
    assert spam.blend(0.8, 0.0) == pytest.approx(0.08)


@pytest.mark.django_db
def test_with_nothing_learnt_the_rules_decide_alone():
    assert spam.score("Click here", links=0).score == 0.25
    assert not SpamCorpus.objects.exists()


@pytest.mark.django_db
def test_not_spam_feedback_lowers_the_next_score_and_spam_raises_it():
    text = "Cheap replacement handles for the pans, click here"
    before = spam.score(text, links=0)
    assert before.score == pytest.approx(0.4375)
    spam.learn(text, spam=False)
    after = spam.score(text, links=0)
    assert after.score < before.score / 2
    assert any(r.startswith("like posts taught as not spam") for r in after.reasons)

    other = "Winter sale on marble pestles and mortars, limited stock"
    assert spam.score(other, links=0).score == 0
    spam.learn(other, spam=True)
    taught = spam.score(other, links=0)
    assert taught.score > 0.6
    assert any(r.startswith("like posts taught as spam") for r in taught.reasons)


@pytest.mark.django_db
def test_a_lesson_can_be_taken_back():
    text = "Marble pestles on sale"
    spam.learn(text, spam=True)
    spam.learn(text, spam=True, undo=True)
    assert SpamCorpus.objects.get().spam_docs == 0
    assert set(SpamToken.objects.values_list("spam", flat=True)) == {0}
    spam.learn(text, spam=True, undo=True)  # never below zero
    assert SpamCorpus.objects.get().spam_docs == 0
