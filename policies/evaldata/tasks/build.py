"""Turn the hand-written source blocks into labelled.jsonl and check every row.

    python -m policies.evaldata.tasks.build

A block is a header line `=== id lang task difficulty min_class G|P :: note` (G generic,
P personal) followed by the request's text up to the next header.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from policies.evaldata.tasks import DATA_DIR, LABELLED_PATH, EvalDataError, counts, load

SOURCE_DIR = DATA_DIR / "source"


def blocks(path: Path) -> list[dict[str, object]]:
    """Return the rows written in one source file, in order."""
    rows: list[dict[str, object]] = []
    head: list[str] | None = None
    body: list[str] = []

    def close() -> None:
        if head is None:
            return
        fields, note = head
        ident, lang, task, difficulty, min_class, flag = fields.split()
        if flag not in ("G", "P"):
            raise EvalDataError(f"{path.name}: {ident}: flag {flag!r} is not G or P")
        rows.append(
            {
                "id": ident,
                "lang": lang,
                "text": "\n".join(body).strip("\n"),
                "task": task,
                "difficulty": difficulty,
                "min_class": min_class,
                "generic": flag == "G",
                "note": note.strip(),
            }
        )

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("=== "):
            close()
            fields, _, note = line[4:].partition(" :: ")
            head, body = [fields, note], []
        else:
            body.append(line)
    close()
    return rows


def main() -> None:
    rows = [row for path in sorted(SOURCE_DIR.glob("*.txt")) for row in blocks(path)]
    LABELLED_PATH.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    loaded = load(LABELLED_PATH)  # the same checks the loader makes for every user of the file
    for key, counter in counts(loaded).items():
        print(key, dict(sorted(counter.items())))
    print("rows", len(loaded), file=sys.stderr)


if __name__ == "__main__":
    main()
