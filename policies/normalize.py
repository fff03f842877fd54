"""Undo Unicode tricks in text while keeping a map back to the original offsets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Characters that render as nothing and are used to split a value so a regex misses it.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068"
    "\u2069\ufeff\ufe0f\ufe0e"
)

# Letters from other scripts that look like Latin ones (the common confusables).
_HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ɡ": "g", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Punctuation look-alikes that matter for e-mail, phone and card formats
    "＠": "@", "﹫": "@", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-",
    "․": ".", "。": ".", "｡": ".", "\u00a0": " ", "\u2007": " ", "\u202f": " ",
    # Quotes of every language become ASCII ones, so a value inside „…“, «…» or 「…」
    # reads to the detectors exactly like one inside "…".
    "„": '"', "“": '"', "”": '"', "‟": '"', "«": '"', "»": '"', "〝": '"', "〞": '"', "＂": '"',
    "「": '"', "」": '"', "『": '"', "』": '"', "‚": "'", "‘": "'", "’": "'", "‛": "'", "‹": "'",
    "›": "'", "＇": "'",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalized text and, for each of its characters, the original [start, end)."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalized text back to the original text."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


_SPECIAL = re.compile(r"[^\x00-\x7f]")


def normalize(text: str) -> Normalized:
    """Fold width, compatibility forms, homoglyphs and invisible characters; keep offsets."""
    if text.isascii():
        n = len(text)
        return Normalized(text, tuple(range(n)), tuple(range(1, n + 1)))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _SPECIAL.finditer(text):
        i = m.start()
        if i > pos:  # copy the ASCII run before this character in one go
            out.append(text[pos:i])
            starts.extend(range(pos, i))
            ends.extend(range(pos + 1, i + 1))
        pos = i + 1
        ch = m.group()
        if ch in _INVISIBLE:
            continue
        if unicodedata.category(ch) in ("Mn", "Me"):
            # A combining mark belongs to the character before it: compose the two when
            # Unicode has one character for them, else drop the mark (it splits a word
            # for the regexes) but widen the previous character's span over it, so a
            # value's span still covers every original character.
            if ends:
                last = out[-1]
                composed = unicodedata.normalize("NFC", last[-1] + ch) if ends[-1] == i else ""
                if len(composed) == 1:
                    out[-1] = last[:-1] + composed
                ends[-1] = i + 1
            continue
        mapped = _fold(ch)
        if not mapped:
            continue
        out.append(mapped)
        starts.extend([i] * len(mapped))
        ends.extend([i + 1] * len(mapped))
    if pos < len(text):
        out.append(text[pos:])
        starts.extend(range(pos, len(text)))
        ends.extend(range(pos + 1, len(text) + 1))
    return Normalized("".join(out), tuple(starts), tuple(ends))


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    mapped = _HOMOGLYPHS.get(ch)
    if mapped is not None:
        return mapped
    folded = unicodedata.normalize("NFKC", ch)
    mapped = "".join(_HOMOGLYPHS.get(c, c) for c in folded if c not in _INVISIBLE)
    if any(c.isdigit() for c in mapped) and not mapped.isascii():
        # Arabic-Indic and other decimal digits become ASCII digits.
        mapped = "".join(str(unicodedata.decimal(c, c)) if c.isdigit() else c for c in mapped)
    return mapped
