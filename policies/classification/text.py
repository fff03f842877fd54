"""Text preparation shared by training and inference (so both see the same tokens), and the
pieces a part of a request is classified in."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from policies.normalize import normalize

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

LABELS: tuple[str, ...] = (
    "health",
    "finance",
    "children",
    "identity_contact",
    "location_home",
    "credentials",
    "intimate",
    "legal",
    "general",
)
SENSITIVE: tuple[str, ...] = tuple(label for label in LABELS if label != "general")
# How the household's pages name each label (lazy: in the page's language); an id such as
# identity_contact is for rules files.
LABEL_NAMES: dict[str, StrPromise] = {
    "health": gettext_lazy("Health"),
    "finance": gettext_lazy("Money and finance"),
    "children": gettext_lazy("Children"),
    "identity_contact": gettext_lazy("Identity and contact details"),
    "location_home": gettext_lazy("Where the household lives"),
    "credentials": gettext_lazy("Passwords and access codes"),
    "intimate": gettext_lazy("Intimate life"),
    "legal": gettext_lazy("Legal matters"),
    "general": gettext_lazy("Generic (nothing sensitive)"),
}
_NON_WORD = re.compile(r"[\W_]+")
# Sentence ends: the usual marks of the four languages (and the folded CJK ones), and line breaks.
_SENTENCE_END = re.compile(r"(?<=[.!?;:…])\s+|\n+")
WINDOW_WORDS = 48  # a piece is at most this many words: more text dilutes a sensitive phrase
SPAN_SENTENCES = 2  # sentences classified together as well as alone, for context across them


def prepare(text: str) -> str:
    """Fold Unicode tricks and case, keep only words separated by single spaces."""
    return _words(normalize(text).text)


def _words(folded: str) -> str:
    return _NON_WORD.sub(" ", folded.casefold()).strip()


def _windows(words: list[str]) -> list[str]:
    """Return overlapping windows of at most WINDOW_WORDS words covering every word."""
    if len(words) <= WINDOW_WORDS:
        return [" ".join(words)]
    stride = WINDOW_WORDS // 2
    # Half-window overlap: any run of up to half a window lies whole inside one window.
    starts = list(range(0, len(words) - WINDOW_WORDS + 1, stride))
    if starts[-1] + WINDOW_WORDS < len(words):
        starts.append(len(words) - WINDOW_WORDS)
    return [" ".join(words[s : s + WINDOW_WORDS]) for s in starts]


def pieces(text: str) -> list[str]:
    """Return the prepared pieces one part of a request is classified in.

    Each sentence alone, each pair of neighbouring sentences that fits a window, and
    windows over a sentence too long for one. A piece depends only on its own sentences, so
    text added before or after a sentence, or in another part, leaves that sentence's
    pieces as they were: added text can add pieces, never change or remove one.
    """
    sentences = [w for w in (_words(s).split() for s in _SENTENCE_END.split(normalize(text).text)) if w]
    found: dict[str, None] = {}
    for i, words in enumerate(sentences):
        for window in _windows(words):
            found[window] = None
        span = list(words)
        for following in sentences[i + 1 : i + SPAN_SENTENCES]:
            span += following
            if len(span) > WINDOW_WORDS:
                break
            found[" ".join(span)] = None
    return list(found)
