"""Generate the task-type and difficulty dataset (tasks_train.jsonl, tasks_heldout.jsonl) reproducibly.

Run: PYTHONPATH=. python policies/classification/data/tasks_generate.py (seeded; same output
every run), or `./hearth train_classifier --tasks --regenerate`.

Whole templates are held out (one in five per task and difficulty), so the held-out split
measures phrasings the model has never seen. It tunes the model; the independent labelled
set in policies/evaldata/tasks/ only judges it.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import defaultdict

from policies.classification.data.generate import write
from policies.classification.data.tasks_blocks import AMOUNTS, DYNAMIC, PEOPLE
from policies.classification.data.tasks_templates import SLOTS, templates
from policies.classification.data.tasks_templates_more import templates as more_templates
from policies.classification.data.tasks_templates_more import templates_third

SEED = 20261202
PER_TEMPLATE = 30
PER_LONG_TEMPLATE = 10  # templates with a long document: fewer, to keep the file small
LONG_SLOTS = ("{long_doc", "{long_email", "{big_code")

POLITE_EN = ["", "", "", "", "please ", "can you ", "could you ", "hey, ", "quick one: ", "hi! "]
POLITE_DE = ["", "", "", "bitte ", "kannst du ", "hallo, "]
TAIL_EN = ["", "", "", "", " thanks", " please", "?", " :)", " asap"]
TAIL_DE = ["", "", "", " danke", " bitte"]
# A few lines of hello are still a greeting: short multi-line chat the model must not read as hard.
GREETING_LINES = [
    "Hi!",
    "Hope you're doing well.",
    "Just wanted to say hello.",
    "Good morning from {city}!",
    "It's sunny here today.",
    "How was your weekend?",
    "Thanks again for yesterday.",
    "Talk soon.",
    "Have a lovely day!",
]
NUMBERS = {
    "num": lambda rng: str(rng.randint(2, 30)),
    "num2": lambda rng: str(rng.randint(20, 999)),
    "phrase_num": lambda rng: str(rng.randint(100, 999)),
}


def _fill(template: str, rng: random.Random, slots: dict[str, list[str]]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in DYNAMIC:
            return DYNAMIC[name](rng)
        if name in NUMBERS:
            return NUMBERS[name](rng)
        return rng.choice(slots[name])

    # two passes: slot values may contain slots themselves; {{ }} are literal braces
    once = re.sub(r"(?<!\{)\{(\w+)\}(?!\})", sub, template)
    return re.sub(r"(?<!\{)\{(\w+)\}(?!\})", sub, once).replace("{{", "{").replace("}}", "}")


def _decorate(body: str, lang: str, rng: random.Random) -> str:
    if lang == "en" and "\n" not in body[:80]:
        body = rng.choice(POLITE_EN) + body + rng.choice(TAIL_EN)
    elif lang == "de" and "\n" not in body[:80]:
        body = rng.choice(POLITE_DE) + body + rng.choice(TAIL_DE)
    r = rng.random()
    if r < 0.25:
        body = body.lower()
    elif r < 0.45:
        body = body[:1].upper() + body[1:]
    return body.strip()


def _all_templates() -> list[tuple[str, str, str, str]]:
    greetings = [("chat", "simple", "en", "\n".join(["{g1}", "{g2}", "{g3}"]))]
    return [*templates(), *more_templates(), *templates_third(), *greetings]


def generate() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return (train, heldout) rows of {"text", "task", "difficulty", "lang", "template"}."""
    rng = random.Random(SEED)
    cells: dict[tuple[str, str], list[tuple[str, str, str, str]]] = defaultdict(list)
    for t in _all_templates():
        cells[(t[0], t[1])].append(t)
    held: set[str] = set()
    for members in cells.values():
        ids = sorted(hashlib.sha256("|".join(m).encode()).hexdigest() for m in members)
        held.update(ids[2::5])
    slots = {
        **SLOTS,
        "g1": GREETING_LINES[:4],
        "g2": GREETING_LINES[1:7],
        "g3": GREETING_LINES[5:],
        "amount_word": AMOUNTS,
        "person_first": [p.split()[0].lower() for p in PEOPLE],
    }
    train: list[dict[str, object]] = []
    heldout: list[dict[str, object]] = []
    for task, difficulty, lang, template in _all_templates():
        tid = hashlib.sha256("|".join((task, difficulty, lang, template)).encode()).hexdigest()
        n = PER_LONG_TEMPLATE if any(s in template for s in LONG_SLOTS) else PER_TEMPLATE
        seen: set[str] = set()
        for _ in range(n):
            body = _decorate(_fill(template, rng, slots), lang, rng)
            if body in seen:
                continue
            seen.add(body)
            row: dict[str, object] = {"text": body, "task": task, "difficulty": difficulty, "lang": lang, "template": tid[:12]}
            (heldout if tid in held else train).append(row)
    rng.shuffle(train)
    rng.shuffle(heldout)
    return train, heldout


def main() -> None:
    write(*generate(), prefix="tasks_")


if __name__ == "__main__":
    main()
