"""Rebuild the name gazetteer from Faker's locale name lists (a build step, not runtime).

Run: PYTHONPATH=<dir with faker==40.54.0> python policies/detectors/data/build_gazetteer.py
Locales in HELD_OUT are left out on purpose: the detector evaluation draws some names
from them, so the measured recall includes names the gazetteer has never seen.
"""

from __future__ import annotations

import importlib
import unicodedata
from pathlib import Path

HERE = Path(__file__).parent
LOCALES = [
    "en_US", "en_GB", "en_IE", "en_IN", "en_NZ", "de_DE", "de_AT", "de_CH", "fr_FR", "fr_CA",
    "es_ES", "es_MX", "es_AR", "it_IT", "nl_NL", "pt_BR", "pt_PT", "pl_PL", "sv_SE", "da_DK",
    "no_NO", "fi_FI", "cs_CZ", "tr_TR", "ro_RO", "hu_HU", "hr_HR", "sk_SK", "sl_SI", "et_EE",
    "lt_LT", "lv_LV", "ga_IE", "id_ID", "vi_VN", "en_KE",
]  # fmt: skip
HELD_OUT = ["yo_NG", "ig_NG", "ha_NG", "sw", "tw_GH", "zu_ZA", "en_PK", "en_TH"]


def _names(module: object, attrs: tuple[str, ...]) -> set[str]:
    found: set[str] = set()
    for attr in attrs:
        values = getattr(getattr(module, "Provider", None), attr, None)
        if values is None:
            continue
        for v in values:
            v = unicodedata.normalize("NFC", str(v)).strip()
            if v and all(ch.isalpha() or ch in "-'" for ch in v) and v[0].isupper():
                found.add(v)
    return found


def collect(locales: list[str]) -> tuple[set[str], set[str]]:
    """Return (first names, last names) from Faker for the given locales."""
    first: set[str] = set()
    last: set[str] = set()
    for loc in locales:
        try:
            mod = importlib.import_module(f"faker.providers.person.{loc}")
        except ModuleNotFoundError:
            continue
        first |= _names(mod, ("first_names", "first_names_male", "first_names_female"))
        last |= _names(mod, ("last_names",))
    return first, last


def main() -> None:
    first, last = collect(LOCALES)
    (HERE / "first_names.txt").write_text("\n".join(sorted(first)) + "\n", encoding="utf-8")
    (HERE / "last_names.txt").write_text("\n".join(sorted(last)) + "\n", encoding="utf-8")
    h_first, h_last = collect(HELD_OUT)
    (HERE / "heldout_first_names.txt").write_text("\n".join(sorted(h_first - first)) + "\n", encoding="utf-8")
    (HERE / "heldout_last_names.txt").write_text("\n".join(sorted(h_last - last)) + "\n", encoding="utf-8")
    print(len(first), len(last), len(h_first - first), len(h_last - last))


if __name__ == "__main__":
    main()
