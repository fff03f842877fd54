"""The box's pages in German, French and Spanish: whole catalogues, compiled as committed, used by the pages."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from appliance.models import Household

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "appliance" / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
# What a translation must carry over from its English: Python's named placeholders and the markup.
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|<[a-z]+[^>]*>|</[a-z]+>")

Entry = tuple[str, str]  # (context, msgid)


def read_po(path: Path) -> dict[Entry, tuple[list[str], set[str], str]]:
    """Return each entry's translations, flags and plural msgid, as a .po file spells them."""
    entries: dict[Entry, tuple[list[str], set[str], str]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        last = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#"):
                continue  # a comment, a file name, or an obsolete entry (#~)
            elif line.startswith('"'):
                fields[last] += ast.literal_eval(line)
            elif line.strip():
                last, value = line.split(" ", 1)
                fields[last] = ast.literal_eval(value)
        if fields.get("msgid"):  # the header's msgid is empty
            strs = [fields[k] for k in sorted(k for k in fields if k.startswith("msgstr"))]
            entries[(fields.get("msgctxt", ""), fields["msgid"])] = (strs, flags, fields.get("msgid_plural", ""))
    return entries


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_word_marked_on_the_pages_is_translated(language: str) -> None:
    untranslated = [
        msgid
        for (_ctx, msgid), (strs, flags, _plural) in read_po(LOCALE / language / "LC_MESSAGES" / "django.po").items()
        if not all(strs) or "fuzzy" in flags
    ]
    assert not untranslated, f"{len(untranslated)} untranslated or fuzzy in {language}, e.g. {untranslated[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_keeps_every_placeholder_and_tag_of_its_english(language: str) -> None:
    wrong = []
    for (_ctx, msgid), (strs, _flags, plural) in read_po(LOCALE / language / "LC_MESSAGES" / "django.po").items():
        wanted = sorted(PLACEHOLDER.findall(plural or msgid))
        for form, translated in enumerate(strs):
            got = sorted(PLACEHOLDER.findall(translated))
            # A plural's "one" form may say "one" or "every hour" instead of the count.
            if got != wanted and not (plural and form == 0 and set(got) <= set(wanted)):
                wrong.append((msgid, translated))
    assert not wrong, f"{len(wrong)} translations in {language} lose or add a placeholder or tag, e.g. {wrong[:3]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_is_the_one_its_source_spells(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as f:
        compiled = vars(gettext.GNUTranslations(f))["_catalog"]
    for (ctx, msgid), (strs, _flags, plural) in read_po(folder / "django.po").items():
        key = f"{ctx}\x04{msgid}" if ctx else msgid
        got = [compiled.get((key, i)) for i in range(len(strs))] if plural else [compiled.get(key)]
        assert got == strs, f"{language}: {msgid!r} differs from its .mo: run `make messages` and commit both"


def test_the_catalogues_hold_every_string_marked_in_the_code(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is missing: `make system` installs it")
    env = {**os.environ, "HEARTH_LOCALE_DIR": str(tmp_path)}
    ignore = ["appliance/locale", "tests/*", "bench/*", "tools/*", "image-build/*", "ansible/*", "shared/*", "test-artifacts/*"]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", *(a for p in ignore for a in ("--ignore", p))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    marked = set(read_po(tmp_path / "de" / "LC_MESSAGES" / "django.po"))
    committed = set(read_po(LOCALE / "de" / "LC_MESSAGES" / "django.po"))
    assert not marked - committed, f"marked but not in the catalogue (run `make messages`): {sorted(marked - committed)[:5]}"
    assert not committed - marked, f"in the catalogue but no longer marked (run `make messages`): {sorted(committed - marked)[:5]}"


def claimed_in(language: str, owner_client: Client) -> Client:
    Household.objects.filter(pk=1).update(language=language)
    return owner_client


def test_a_german_household_sees_its_pages_in_german(owner_client: Client) -> None:
    response = claimed_in("de", owner_client).get("/devices/")
    body = response.content.decode()
    assert response["Content-Language"] == "de" and '<html lang="de"' in body
    assert "<h1>Geräte</h1>" in body and "<h1>Devices</h1>" not in body
    with translation.override("de"):
        assert translation.gettext("No devices paired yet.") in body


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_page_of_the_household_renders_in_each_language(language: str, owner_client: Client) -> None:
    client = claimed_in(language, owner_client)
    for path in (
        "/dashboard/",
        "/audit/",
        "/rules/",
        "/devices/",
        "/providers/",
        "/notices/",
        "/backups/",
        "/members/",
        "/account/",
        "/setup/hardware/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Language"] == language, path


def test_a_household_in_a_language_without_a_translation_gets_english_pages(owner_client: Client) -> None:
    response = claimed_in("it", owner_client).get("/devices/")
    assert response["Content-Language"] == "en" and "<h1>Devices</h1>" in response.content.decode()


def test_the_device_api_answers_in_english_whatever_the_household_speaks(owner_client: Client) -> None:
    claimed_in("de", owner_client)
    response = Client().post("/v1/chat/completions", {}, content_type="application/json")
    assert response.status_code == 401 and "Content-Language" not in response
    assert response.json()["error"]["message"].isascii()


def test_every_text_of_the_data_files_a_page_shows_is_gathered_for_translation() -> None:
    from appliance.data_words import WORDS
    from tools.data_words import words

    assert set(words()) == set(WORDS), "a preset's title or sentence changed: run tools/data_words.py, then make messages"


def test_a_german_household_reads_the_rule_presets_in_german(owner_client: Client) -> None:
    body = claimed_in("de", owner_client).get("/rules/").content.decode()
    with translation.override("de"):
        assert translation.gettext("Everything stays home") in body
        assert translation.gettext("Every request is answered by the box itself; nothing leaves the house.") in body
