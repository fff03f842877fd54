"""Generate the labelled sensitivity dataset (train.jsonl, heldout.jsonl) reproducibly.

Run: PYTHONPATH=. python policies/classification/data/generate.py (seeded; same output every run),
or `./hearth train_classifier --regenerate`.

Every template belongs to one label set; whole templates are held out (about one in five
per label), so the held-out split measures phrasings the model has never seen, not just
new slot values in familiar sentences.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path

from policies.classification.data.templates import SLOTS, TEMPLATES
from policies.classification.data.templates_more import templates as more_templates

HERE = Path(__file__).parent
SEED = 20261123
PER_TEMPLATE = {"general": 34}
DEFAULT_PER_TEMPLATE = 26

WAKE = [
    "",
    "",
    "",
    "",
    "hey google, ",
    "alexa, ",
    "ok google ",
    "hey siri ",
    "siri, ",
    "computer, ",
    "hey hearth, ",
]
WAKE_DE = ["", "", "", "alexa, ", "hey google, ", "ok google ", "hey siri, "]
POLITE_EN = [
    "",
    "",
    "",
    "please ",
    "can you ",
    "could you ",
    "quick question: ",
    "i need help: ",
    "hi! ",
]
POLITE_DE = ["", "", "", "bitte ", "kannst du mir sagen: ", "kurze frage: ", "hallo! "]
TAIL_EN = [
    "",
    "",
    "",
    "",
    "?",
    " thanks",
    " please",
    " asap",
    " for tonight",
    " in simple words",
    " step by step",
]
TAIL_DE = ["", "", "", "?", " danke", " bitte", " kurz erklärt", " für heute abend"]
TAIL_FR = ["?", " merci", " s'il te plaît", " rapidement"]
TAIL_ES = ["?", " gracias", " por favor", " rápido"]
FILLER_EN = [
    "I have been thinking about this all week.",
    "Sorry if this is a silly question.",
    "Keep the answer short, I am on my phone.",
    "Explain it like I'm five.",
    "I tried searching but the results were confusing.",
    "My partner and I were arguing about it over dinner.",
    "Give me a few options and say which you would pick.",
    "Please answer in bullet points.",
    "It's for a school project, kind of.",
    "I only have about ten minutes.",
]
FILLER_DE = [
    "Ich habe schon im Internet gesucht, aber nichts Klares gefunden.",
    "Bitte antworte kurz, ich bin unterwegs.",
    "Erklär es mir bitte so einfach wie möglich.",
    "Meine Frau und ich sind uns da nicht einig.",
]


def _fill(template: str, rng: random.Random) -> str:
    def sub(m: re.Match[str]) -> str:
        return rng.choice(SLOTS[m.group(1)])

    # two passes: slot values may contain slots themselves
    return re.sub(r"\{(\w+)\}", sub, re.sub(r"\{(\w+)\}", sub, template))


def _template_id(labels: tuple[str, ...], template: str) -> str:
    return hashlib.sha256(("|".join(labels) + "||" + template).encode()).hexdigest()


def generate() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Return (train, heldout) rows of {"text", "labels", "lang", "template"}."""
    rng = random.Random(SEED)
    train: list[dict[str, object]] = []
    heldout: list[dict[str, object]] = []
    for labels, lang, template in [*TEMPLATES, *more_templates()]:
        tid = _template_id(labels, template)
        is_heldout = int(tid[:8], 16) % 5 == 0
        n = PER_TEMPLATE.get(labels[0], DEFAULT_PER_TEMPLATE) if len(labels) == 1 else 18
        seen: set[str] = set()
        for _ in range(n):
            body = _fill(template, rng)
            if lang == "en":
                body = rng.choice(WAKE) + rng.choice(POLITE_EN) + body + rng.choice(TAIL_EN)
            elif lang == "de":
                body = rng.choice(WAKE_DE) + rng.choice(POLITE_DE) + body + rng.choice(TAIL_DE)
            elif lang in ("fr", "es") and rng.random() < 0.3:
                body += rng.choice(TAIL_FR if lang == "fr" else TAIL_ES)
            if rng.random() < 0.18:
                extra = rng.choice(FILLER_DE if lang == "de" else FILLER_EN)
                if lang in ("en", "de"):
                    body = f"{extra} {body}" if rng.random() < 0.5 else f"{body} {extra}"
            r = rng.random()
            if r < 0.35:
                body = body.lower()
            elif r < 0.5:
                body = body[:1].upper() + body[1:]
            body = " ".join(body.split())
            if body in seen:
                continue
            seen.add(body)
            row: dict[str, object] = {
                "text": body,
                "labels": list(labels),
                "lang": lang,
                "template": tid[:12],
            }
            (heldout if is_heldout else train).append(row)
    rng.shuffle(train)
    rng.shuffle(heldout)
    return train, heldout


def write(train: list[dict[str, object]], heldout: list[dict[str, object]], prefix: str = "") -> None:
    """Write the two splits as JSON lines beside this file ({prefix}train.jsonl, {prefix}heldout.jsonl)."""
    for name, rows in ((f"{prefix}train.jsonl", train), (f"{prefix}heldout.jsonl", heldout)):
        with (HERE / name).open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"train={len(train)} heldout={len(heldout)}")


def main() -> None:
    write(*generate())


if __name__ == "__main__":
    main()
