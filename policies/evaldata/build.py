"""Build the independent PII evaluation set: parse the hand-labelled sources into JSONL.

Sources live in `pii/source/<split>/<lang>-<genre>.txt`; prompts are separated by a line
holding only `---`, and each personal-data value is marked inline as `[[KIND|value]]`
(the value may span lines). Run `python -m policies.evaldata.build` to rewrite
`pii/<split>.jsonl`; `--check` fails when the committed JSONL differs from the sources.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from policies.detectors.base import KINDS

ROOT = Path(__file__).parent / "pii"
SOURCE = ROOT / "source"
# test: the reported split, nobody tuning the detectors reads it or its failures; dev and
# study: for studying failures (study is the test split of 2026-12-01, retired to it once
# its figures were taken and a new test split was written); study2: written on 2026-12-03,
# measured once before anyone read it, then studied like study; study3: the same, written
# on 2026-12-04.
SPLITS: tuple[str, ...] = ("test", "dev", "study", "study2", "study3")
LANGS: tuple[str, ...] = ("en", "de", "fr", "es")
# HOUSEHOLD is what the household's own terms yield; nothing in the text alone is one.
GOLD_KINDS: frozenset[str] = frozenset(KINDS) - {"HOUSEHOLD"}
MIN_SPANS: dict[str, int] = {"test": 1000, "dev": 400, "study": 1000, "study2": 1000, "study3": 1000}

_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)
_OPEN, _CLOSE = "[[", "]]"


class LabelError(ValueError):
    """A source file whose markup cannot be trusted."""


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """One labelled value: its kind and [start, end) in the prompt's clean text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Prompt:
    """One labelled prompt of the independent set."""

    id: str
    split: str
    lang: str
    genre: str
    text: str
    spans: tuple[GoldSpan, ...]

    def to_json(self) -> str:
        """Return the prompt as one JSONL line."""
        row = {
            "id": self.id,
            "split": self.split,
            "lang": self.lang,
            "genre": self.genre,
            "text": self.text,
            "spans": [{"kind": s.kind, "start": s.start, "end": s.end} for s in self.spans],
        }
        return json.dumps(row, ensure_ascii=False)


def parse_markup(marked: str, where: str = "<text>") -> tuple[str, tuple[GoldSpan, ...]]:
    """Return the clean text and its spans from text marked with `[[KIND|value]]`."""
    out: list[str] = []
    spans: list[GoldSpan] = []
    length = 0
    i = 0
    while True:
        o = marked.find(_OPEN, i)
        c = marked.find(_CLOSE, i)
        if o < 0:
            if c >= 0:
                raise LabelError(f"{where}: ']]' without '[[' near {marked[max(0, c - 30) : c + 2]!r}")
            out.append(marked[i:])
            break
        if 0 <= c < o:
            raise LabelError(f"{where}: ']]' without '[[' near {marked[max(0, c - 30) : c + 2]!r}")
        out.append(marked[i:o])
        length += o - i
        close = marked.find(_CLOSE, o + 2)
        if close < 0:
            raise LabelError(f"{where}: '[[' never closed near {marked[o : o + 40]!r}")
        inner = marked[o + 2 : close]
        if _OPEN in inner:
            raise LabelError(f"{where}: nested or overlapping markup in {inner!r}")
        kind, bar, value = inner.partition("|")
        if not bar:
            raise LabelError(f"{where}: markup without '|' in {inner!r}")
        if kind not in GOLD_KINDS:
            raise LabelError(f"{where}: unknown kind {kind!r}")
        if not value.strip():
            raise LabelError(f"{where}: empty {kind} value")
        if value != value.strip():
            raise LabelError(f"{where}: {kind} value {value!r} starts or ends with white space")
        spans.append(GoldSpan(kind, length, length + len(value)))
        out.append(value)
        length += len(value)
        i = close + 2
    return "".join(out), tuple(spans)


def _check_disjoint(spans: Sequence[GoldSpan], where: str) -> None:
    """Fail on spans that overlap; the inline markup cannot make them, a later edit might."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for a, b in itertools.pairwise(ordered):
        if b.start < a.end:
            raise LabelError(f"{where}: overlapping spans {a} and {b}")


def parse_source(path: Path, split: str) -> list[Prompt]:
    """Parse one source file into its prompts."""
    lang, dash, genre = path.stem.partition("-")
    if not dash or lang not in LANGS or not genre:
        raise LabelError(f"{path.name}: the name must be <lang>-<genre>.txt with lang in {LANGS}")
    raw = path.read_text(encoding="utf-8")
    prompts: list[Prompt] = []
    for n, chunk in enumerate(_SEPARATOR.split(raw)):
        marked = chunk.strip("\n")
        where = f"{split}/{path.name} prompt {n + 1}"
        if not marked.strip():
            raise LabelError(f"{where}: empty prompt")
        text, spans = parse_markup(marked, where)
        _check_disjoint(spans, where)
        prompts.append(Prompt(f"{split}-{lang}-{genre}-{n + 1:03d}", split, lang, genre, text, spans))
    return prompts


def build_split(split: str, source: Path = SOURCE) -> list[Prompt]:
    """Parse every source file of a split, in a stable order."""
    files = sorted((source / split).glob("*.txt"))
    if not files:
        raise LabelError(f"no source files for split {split!r} in {source / split}")
    return [p for f in files for p in parse_source(f, split)]


def render(prompts: Sequence[Prompt]) -> str:
    """Return the JSONL text of a split."""
    return "".join(p.to_json() + "\n" for p in prompts)


def jsonl_path(split: str, root: Path = ROOT) -> Path:
    """Return where a split's built JSONL lives."""
    return root / f"{split}.jsonl"


def load_split(split: str, root: Path = ROOT) -> list[Prompt]:
    """Load a built split from its JSONL."""
    prompts = []
    with jsonl_path(split, root).open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            spans = tuple(GoldSpan(s["kind"], s["start"], s["end"]) for s in row["spans"])
            prompts.append(Prompt(row["id"], row["split"], row["lang"], row["genre"], row["text"], spans))
    return prompts


def _stale(root: Path = ROOT, source: Path = SOURCE) -> Iterator[str]:
    """Yield the splits whose committed JSONL is not what the sources build."""
    for split in SPLITS:
        path = jsonl_path(split, root)
        if not path.exists() or path.read_text(encoding="utf-8") != render(build_split(split, source)):
            yield split


def main(argv: Sequence[str] = ()) -> int:
    """Write each split's JSONL, or with --check report the stale ones."""
    if "--check" in argv:
        stale = list(_stale())
        for split in stale:
            print(f"{jsonl_path(split)} is stale: run python -m policies.evaldata.build", file=sys.stderr)
        return 1 if stale else 0
    for split in SPLITS:
        prompts = build_split(split)
        jsonl_path(split).write_text(render(prompts), encoding="utf-8")
        n = sum(len(p.spans) for p in prompts)
        print(f"{split}: {len(prompts)} prompts, {n} spans")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
