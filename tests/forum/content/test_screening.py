"""Screening without a database: matching watched words, the personal-info check, the port."""

from __future__ import annotations

import logging

import pytest

from forum.content import screening
from forum.content.screening import Watched, compile_pattern, has_personal_info, match_words
from forum.errors import InvalidInput


def _words(*pairs: tuple[str, str]) -> list[Watched]:
    return [Watched(i, p, a, compile_pattern(p)) for i, (p, a) in enumerate(pairs, 1)]


@pytest.mark.parametrize(
    "text",
    [
        "This is a scam",
        "This is a SCAM!",
        "This is a Scám",  # an accent
        "This is a s\u200bcam",  # a zero-width space inside
        "This is a s\u00adc\u200dam",  # a soft hyphen and a zero-width joiner
        "This is a ｓｃａｍ",  # fullwidth letters
        "scam.",
    ],
)
def test_a_watched_word_is_found_whatever_case_accents_or_invisible_characters(
    text: str,
) -> None:
    verdict = match_words(_words(("scam", "flag")), {"body": text})
    assert verdict.flags == ["watched_word:scam"]


@pytest.mark.parametrize("text", ["scampi for dinner", "a mascam", "sc am", ""])
def test_a_watched_word_matches_whole_words_only(text: str) -> None:
    assert match_words(_words(("scam", "flag")), {"body": text}).flags == []


def test_a_star_matches_any_letters_and_a_phrase_spans_spaces_and_punctuation() -> None:
    words = _words(("crypto*", "flag"), ("wire money", "flag"))
    assert match_words(words, {"body": "Cryptocurrency tips"}).flags == ["watched_word:crypto*"]
    assert match_words(words, {"body": "crypto"}).flags == ["watched_word:crypto*"]
    assert match_words(words, {"body": "please WIRE,  money now"}).flags == [
        "watched_word:wire money"
    ]
    assert match_words(words, {"body": "wire the money"}).flags == []


def test_a_pattern_with_accents_or_case_matches_the_plain_spelling() -> None:
    assert match_words(_words(("Café", "flag")), {"body": "meet at the cafe"}).flags


def test_block_refuses_naming_each_field_that_has_it() -> None:
    with pytest.raises(InvalidInput) as refused:
        match_words(_words(("scam", "block")), {"title": "Fine", "body": "a scam"})
    assert refused.value.code == "watched_word"
    assert list(refused.value.fields) == ["body"]


def test_hold_holds_unless_nothing_can_wait_and_then_it_flags() -> None:
    words = _words(("lottery", "hold"))
    held = match_words(words, {"body": "win the lottery"})
    assert held.held == "watched_word:lottery"
    assert held.flags == []
    flagged = match_words(words, {"body": "win the lottery"}, can_hold=False)
    assert flagged.held is None
    assert flagged.flags == ["watched_word:lottery"]


def test_a_pattern_needs_a_letter_or_digit() -> None:
    assert screening.clean_pattern("  wire   money ") == "wire money"
    assert screening.clean_pattern("*") is None
    assert screening.clean_pattern(" ' - ") is None


@pytest.mark.parametrize(
    "text",
    [
        "Call me on 555-123-4567",
        "ring (020) 7946 0958 after six",
        "my number is +44 7700 900123",
        "+15551234567",
        "text 07700 900123",
        "555.123.4567",
        "write to maria.lopez@example.org please",
        "maria+aid@mail.example.co.uk",
    ],
)
def test_phone_numbers_and_email_addresses_are_found(text: str) -> None:
    assert has_personal_info(text)


@pytest.mark.parametrize(
    "text",
    [
        "See you on 2026-12-02 at 10:30",
        "on 12/02/2026 or 02.12.2026",
        "it cost $1,250,000 in 1998",
        "the budget is 10.000.000 or 1 250 000",
        "we lived there 1998 2004 2011",
        "see post #123456 and topic 42",
        "order number 123456789",
        "between 3 and 5 pm, 2 kids",
        "email me here on the site",
        "@maria can you help?",
    ],
)
def test_dates_prices_years_and_post_numbers_are_not_personal_info(text: str) -> None:
    assert not has_personal_info(text)


def test_the_personal_info_check_holds_with_the_nudge() -> None:
    verdict = screening.check_personal_info({"body": "call 555-123-4567"})
    assert verdict.held == screening.PERSONAL_INFO
    assert verdict.notice == screening.PERSONAL_INFO_NOTICE
    assert "private hand-off thread" in screening.PERSONAL_INFO_NOTICE


def test_links_are_counted_in_the_rendered_html() -> None:
    html = '<p><a href="https://a.example">a</a> and <a rel="x" href="/b">b</a></p>'
    assert screening.count_links(html) == 2
    assert screening.count_links("<p>no links</p>") == 0


async def test_unwired_the_port_keeps_nothing_logs_and_knows_of_no_reports(
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = screening.wired()
    screening.wire(screening._Unwired())
    try:
        with caplog.at_level(logging.INFO, logger="porchlight.screening"):
            await screening.hold(target_type="post", target_id=1, author_id=2, reason="x")
            await screening.flag(target_type="post", target_id=1, author_id=2, reason="y")
        assert await screening.reports_against(2) == 0
    finally:
        screening.wire(before)
    assert [r.levelno for r in caplog.records] == [logging.INFO, logging.INFO]


async def test_a_verdict_sends_a_held_item_once_and_flags_otherwise() -> None:
    from tests.conftest import RecordingReview

    before, recorder = screening.wired(), RecordingReview()
    screening.wire(recorder)
    try:
        held = screening.Verdict(held="new_member", flags=["watched_word:x"])
        await held.record(target_type="post", target_id=7, author_id=3)
        flagged = screening.Verdict(flags=["watched_word:x"])
        await flagged.record(target_type="message", target_id=8, author_id=3)
    finally:
        screening.wire(before)
    assert recorder.held == [
        {"target_type": "post", "target_id": 7, "author_id": 3, "reason": "new_member"}
    ]
    assert recorder.flagged == [
        {"target_type": "message", "target_id": 8, "author_id": 3, "reason": "watched_word:x"}
    ]
