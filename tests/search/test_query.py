"""Reading what people type: phrases, exclusions and prefixes, and nothing else."""

import pytest

from search.query import MAX_INPUT, MAX_TERMS, Term, parse


def test_plain_words():
    query = parse("late parcel")
    assert query.include == (Term("late"), Term("parcel"))
    assert query.exclude == ()
    assert query.words == ["late", "parcel"]


def test_phrases_exclusions_and_prefixes():
    query = parse('"money back" -voucher refund* -"gift card"')
    assert query.include == (Term("money back", phrase=True), Term("refund", prefix=True))
    assert query.exclude == (Term("voucher"), Term("gift card", phrase=True))


def test_an_unbalanced_quote_runs_to_the_end():
    assert parse('where is "my parcel').include == (
        Term("where"),
        Term("is"),
        Term("my parcel", phrase=True),
    )


@pytest.mark.parametrize("operator", ["AND", "OR", "NOT", "NEAR", "NEAR/3"])
def test_operators_are_plain_words(operator):
    texts = [t.text for t in parse(f"parcel {operator} late").include]
    assert texts == ["parcel", operator.replace("/", " "), "late"]


def test_punctuation_inside_a_word_keeps_its_parts_together():
    assert parse("e-mail don't").include == (
        Term("e mail", phrase=True),
        Term("don t", phrase=True),
    )


@pytest.mark.parametrize(
    "text", ["", "   ", "*", "-", '"', '""', "()", "😀 🎉", "- * ( ) : ^", "\x00\x01", "-late"]
)
def test_nothing_searchable_is_an_empty_query(text):
    assert not parse(text)


def test_a_short_prefix_is_a_word():
    assert parse("a*").include == (Term("a"),)
    assert parse("ab*").include == (Term("ab", prefix=True),)


def test_long_input_is_cut_to_a_few_terms():
    query = parse("word " * 10_000)
    assert query.include == (Term("word"),)
    many = parse(" ".join(f"w{i}" for i in range(100)))
    assert len(many.include) == MAX_TERMS
    assert len(parse("x" * 50_000).include[0].text) == MAX_INPUT


def test_nul_and_control_characters_separate_words():
    assert parse("par\x00cel\tlate").include == (Term("par"), Term("cel"), Term("late"))


def test_highlight_markers_cannot_be_typed():
    assert parse("\ue000parcel\ue001").include == (Term("parcel"),)


def test_letters_beyond_ascii():
    assert parse("Zürich café").include == (Term("Zürich"), Term("café"))
