"""Rebuild lower_first_names.txt and surnames_no_word.txt: the known names that are no word (a build step, not runtime).

Run: apt-get install wamerican wbritish wngerman wfrench wspanish
     .venv/bin/python policies/detectors/data/build_lower_names.py /usr/share/dict
A first name written in lower case ("ask priya", "opa heinz") is a name when no one writes
it as an everyday word: "rosa", "max", "will", "mark", "pat", "luz", "noël" are words in one
of the four languages and are left out. The word lists are the Debian packages' (SCOWL
american/british English, igerman98 German, the French and Spanish lists); only their
lower-case entries are read, and only the names that are in none of them are written, so
the file holds names from first_names.txt (Faker's lists) and more_first_names.txt
(gender-guesser's dictionary), never a dictionary's words.

surnames_no_word.txt holds the surnames of last_names.txt (Faker's lists) that are no
lower-case word of any list, no German noun (ngerman's capitalised entries: "Koch",
"Bauer", "Fischer" are left out) and no first name: a surname that can stand alone in a
sentence as a person's ("Dubois called", "the Lefebvre file") without being read as a word.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
WORD_LISTS = ("american-english", "british-english", "ngerman", "french", "spanish")
MIN_LETTERS = 3


def _lines(path: Path) -> list[str]:
    return [unicodedata.normalize("NFC", line.strip()) for line in path.read_text("utf-8").splitlines() if line.strip()]


def dictionary_words(dict_dir: Path) -> set[str]:
    """Return the lower-case entries of every word list (possessives folded in)."""
    words: set[str] = set()
    for name in WORD_LISTS:
        for w in _lines(dict_dir / name):
            w = w.removesuffix("'s")
            if w == w.lower():
                words.add(w)
    return words


def build(dict_dir: Path) -> list[str]:
    """Return the sorted first names, case-folded, that are no lower-case word of any word list."""
    words = dictionary_words(dict_dir)
    ambiguous = {n.casefold() for n in _lines(HERE / "ambiguous_names.txt")}
    stop = {n.casefold() for n in _lines(HERE / "stop_words.txt") + _lines(HERE / "not_names.txt")}
    names = {n.casefold() for n in _lines(HERE / "first_names.txt") + _lines(HERE / "more_first_names.txt")}
    keep = {n for n in names if len(n) >= MIN_LETTERS and n.isalpha() and n not in words and n not in ambiguous and n not in stop}
    return sorted(keep)


def build_surnames(dict_dir: Path) -> list[str]:
    """Return the sorted surnames, case-folded, that are no word, no German noun and no first name."""
    words = dictionary_words(dict_dir)
    german_nouns = {w.casefold() for w in _lines(dict_dir / "ngerman") if w[:1].isupper()}
    first = {n.casefold() for n in _lines(HERE / "first_names.txt") + _lines(HERE / "more_first_names.txt")}
    stop = {n.casefold() for n in _lines(HERE / "stop_words.txt") + _lines(HERE / "not_names.txt") + _lines(HERE / "ambiguous_names.txt")}
    last = {n.casefold() for n in _lines(HERE / "last_names.txt")}
    words_or_names = words | german_nouns | first | stop
    keep = {n for n in last if len(n) >= 4 and n.replace("-", "").replace("'", "").isalpha() and n not in words_or_names}
    return sorted(keep)


def main(argv: list[str]) -> int:
    dict_dir = Path(argv[1] if len(argv) > 1 else "/usr/share/dict")
    names = build(dict_dir)
    (HERE / "lower_first_names.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    surnames = build_surnames(dict_dir)
    (HERE / "surnames_no_word.txt").write_text("\n".join(surnames) + "\n", encoding="utf-8")
    print(f"{len(names)} first names and {len(surnames)} surnames written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
