"""Lookalike folding: what a name reads as, whatever case, accents, spacing or letters spell it."""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterator

# Letters from other scripts (and digits, symbols, small capitals) that pass for Latin ones in
# most fonts: "Аdmin" with a Cyrillic А, "m0derat0r", "ѕtaff". Not Unicode's full confusables
# table, but the letters of the words we guard and their usual stand-ins.
_STAND_INS = {
    # Cyrillic
    "а": "a", "в": "b", "г": "r", "д": "d", "е": "e", "з": "3", "и": "n", "к": "k", "л": "n",
    "м": "m", "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
    "ь": "b", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "i", "ѡ": "w",
    "һ": "h", "ɡ": "g",
    # Greek
    "α": "a", "β": "b", "γ": "y", "δ": "d", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
    "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c",
    # Latin letters that NFKD leaves alone, and small capitals
    "ı": "i", "ł": "i", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ɑ": "a", "ɩ": "i", "ʀ": "r",
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ғ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "i", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ꜱ": "s", "ᴛ": "t",
    "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "æ": "ae", "œ": "oe",
    # Digits and symbols read as letters
    "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
    "@": "a", "$": "s", "!": "i", "|": "i", "€": "e",
    # One shape: "l" and "i" pass for each other (and for "1" and "|") in most fonts.
    "l": "i",
}  # fmt: skip
_FOLD = str.maketrans(_STAND_INS)
# Letter pairs that read as one letter: "rn" as "m", "vv" as "w".
_PAIRS = (("rn", "m"), ("vv", "w"))
_REPEATS = re.compile(r"(.)\1+")


def skeleton(text: str) -> str:
    """Fold text to what it reads as: lower case, no accents, no spacing or hidden characters,
    lookalike letters and digits as the Latin letter they pass for, doubled letters once.

    "A.d.m.i.n", "ÁDMIN", "Ad\u200bmin", "аdmin" (Cyrillic а) and "4dm1n" all fold to "admin".
    """
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    folded = decomposed.translate(_FOLD)
    # Whatever is not a letter or digit (spaces, punctuation, joiners, marks) shows as nothing
    # between the letters a reader puts together.
    letters = "".join(ch for ch in folded if ch.isalnum())
    for pair, single in _PAIRS:
        letters = letters.replace(pair, single)
    return _REPEATS.sub(r"\1", letters)


def _is_word_character(ch: str) -> bool:
    """Letters, digits, accents and the symbols that pass for letters ("@dmin", "Adm!n")."""
    return ch.isalnum() or unicodedata.category(ch).startswith("M") or ch in _STAND_INS


def words(text: str) -> list[str]:
    """The words of a name as a reader splits them: at spaces and punctuation, where a lower-case
    letter meets a capital ("TheAdmin"), but not at hidden characters, which show as nothing."""
    found: list[str] = []
    current = ""
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            continue
        letter = _is_word_character(ch)
        if current and (not letter or (current[-1].islower() and ch.isupper())):
            found.append(current)
            current = ""
        if letter:
            current += ch
    if current:
        found.append(current)
    return found


def word_skeletons(text: str) -> set[str]:
    """The skeleton of each word of text, each also without the digits around it ("Admin2024")."""
    return {folded for word in words(text) for folded in _readings(word)} - {""}


def run_skeletons(text: str) -> set[str]:
    """The same for every run of adjacent words: "A d m i n" and "Ad-min" read "admin"."""
    return {folded for run in _runs(words(text)) for folded in _readings(run)} - {""}


def _runs(parts: list[str]) -> Iterator[str]:
    for start in range(len(parts)):
        for end in range(start + 1, len(parts) + 1):
            yield "".join(parts[start:end])


def _readings(part: str) -> tuple[str, str]:
    return skeleton(part), skeleton(part.strip(string.digits))
