"""The hostile corpus: every case comes out safe in a browser's reading, and stays put."""

from __future__ import annotations

import pytest

from forum.content.sanitizer import render_markdown, sanitize_html
from tests.forum.content.hostile_corpus import CORPUS, Hostile
from tests.forum.content.sanitizer_checks import assert_safe

CASES = [pytest.param(case, id=f"{case.mode}-{n:03d}") for n, case in enumerate(CORPUS)]


def _clean(case: Hostile) -> str:
    return render_markdown(case.source) if case.mode == "md" else sanitize_html(case.source)


def test_the_corpus_is_large_and_every_case_says_why() -> None:
    assert len(CORPUS) >= 150
    assert len({(case.mode, case.source) for case in CORPUS}) == len(CORPUS)
    assert all(case.mode in {"html", "md"} and case.reason.strip() for case in CORPUS)


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_comes_out_safe(case: Hostile) -> None:
    out = _clean(case)
    try:
        assert_safe(out)
    except AssertionError as exc:
        raise AssertionError(f"{case.reason}: {exc}\n{out[:500]!r}") from None


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_unchanged_when_sanitized_again(case: Hostile) -> None:
    once = _clean(case)
    assert sanitize_html(once) == once, case.reason
