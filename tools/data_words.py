"""Write appliance/data_words.py: the words of the data files the pages show, for makemessages.

The rule presets (policies/presets/*.yaml) and the provider presets
(appliance/provider_presets.yaml) are data, and makemessages reads only code: this lists
their titles and sentences as literal strings it gathers. Run it after changing one of
those files (`.venv/bin/python tools/data_words.py`); a test fails while the list is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "appliance" / "data_words.py"


def words() -> list[str]:
    """Return, in a stable order, every text of the data files that a page shows."""
    found: list[str] = []
    for path in sorted((ROOT / "policies" / "presets").glob("*.yaml")):
        preset = yaml.safe_load(path.read_text())
        found += [preset["title"], preset["description"]]
    providers = yaml.safe_load((ROOT / "appliance" / "provider_presets.yaml").read_text())
    for entry in providers.values():
        found += [entry[key] for key in ("title", "retention", "routing") if entry.get(key)]
    return list(dict.fromkeys(found))


def source() -> str:
    """Return the module's text."""
    lines = [
        '"""The data files\' words the pages show, for makemessages (written by tools/data_words.py; do not edit)."""',
        "",
        "from django.utils.translation import gettext_noop",
        "",
        "WORDS = (",
        *(f"    gettext_noop({w!r})," for w in words()),
        ")",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    TARGET.write_text(source())
    sys.stdout.write(f"{TARGET.relative_to(ROOT)}: {len(words())} texts\n")
