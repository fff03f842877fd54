"""The statistical NER: people, places and organisations per language, from the pinned pipelines."""

from __future__ import annotations

import hashlib
import re
import sysconfig
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from devices.services import add_device
from policies.detectors import detect, ner
from policies.screening import screen

ROOT = Path(__file__).resolve().parents[2]


def found(text: str) -> set[tuple[str, int, int]]:
    return {(s.kind, s.start, s.end) for s in detect(text)}


def at(text: str, kind: str, value: str) -> tuple[str, int, int]:
    start = text.index(value)
    return (kind, start, start + len(value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Can you remind Priya Raghunathan that the board meeting at Hollis & Crane moved to Milwaukee?",
            [("PERSON", "Priya Raghunathan"), ("ORGANIZATION", "Hollis & Crane"), ("LOCATION", "Milwaukee")],
        ),
        (
            "Rappelle à Guillaume Lefèvre que le rendez-vous chez Decathlon à Montpellier est annulé.",
            [("PERSON", "Guillaume Lefèvre"), ("ORGANIZATION", "Decathlon"), ("LOCATION", "Montpellier")],
        ),
        (
            "Dile a Lucía Fernández que el vuelo a Valladolid sale mañana temprano.",
            [("PERSON", "Lucía Fernández"), ("LOCATION", "Valladolid")],
        ),
    ],
    ids=["en", "fr", "es"],
)
def test_people_places_and_organisations_are_found_at_their_exact_offsets(text: str, expected: list[tuple[str, str]]) -> None:
    spans = found(text)
    for kind, value in expected:
        assert at(text, kind, value) in spans


def test_a_middle_initial_stays_inside_the_name() -> None:
    text = "Please forward the invoice to Margaret T. Holloway before Friday."
    assert at(text, "PERSON", "Margaret T. Holloway") in found(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Can you call auntie meg and tell her we are late?", "meg"),
        ("Summarise: Ferguson, Ian, seen on Tuesday for a follow-up.", "Ferguson, Ian"),
        ("Ruf bitte Herrn Schulze-Wittmann wegen der Rechnung an.", "Schulze-Wittmann"),
        ("Gruß, G. Rauscher", "G. Rauscher"),
        ("My colleague Дмитрий Иванов joins the call at nine.", "Дмитрий Иванов"),
        ("Please ask 王伟 to bring the keys.", "王伟"),
    ],
    ids=["lower-case-after-kin", "surname-first", "title-and-surname-de", "initial-and-surname", "cyrillic", "chinese"],
)
def test_names_as_people_write_them_are_found(text: str, name: str) -> None:
    assert at(text, "PERSON", name) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Summarise this article about the history of the Roman empire.",
        "Explain how a heat pump works in winter.",
        "¿Qué tiempo hará mañana en la costa?",
        "Réponds poliment à ce message, s'il te plaît.",
        "How do I say thank you in Japanese: ありがとう?",
    ],
)
def test_an_instruction_opening_a_prompt_is_not_taken_for_a_name(text: str) -> None:
    assert not any(c.kind == "PERSON" for c in ner.find_entities(text))


def test_an_organisation_is_named_by_its_head_word() -> None:
    text = "Our GP is at Castlegate Surgery and the school is école Victor-Duruy."
    spans = {(c.kind, c.start, c.end) for c in ner.find_entities(text)}
    assert at(text, "ORGANIZATION", "Castlegate Surgery") in spans
    assert at(text, "ORGANIZATION", "école Victor-Duruy") in spans


def test_a_german_place_after_a_preposition_is_found_without_a_pipeline() -> None:
    text = "Wie wird das Wetter am Wochenende in Cuxhaven, und fahren wir nach Hause?"
    spans = {(c.kind, c.start, c.end) for c in ner.find_entities(text)}
    assert at(text, "LOCATION", "Cuxhaven") in spans
    assert not any(text[s:e] == "Hause" for _, s, e in spans)


def test_a_street_the_model_sees_as_a_place_becomes_an_address_with_its_house_number() -> None:
    text = "Le rendez-vous est déplacé au 12 rue de la Paix mardi."
    assert at(text, "ADDRESS", "12 rue de la Paix") in {(c.kind, c.start, c.end) for c in ner.find_entities(text)}


def test_a_wake_word_is_not_taken_for_a_person() -> None:
    text = "Alexa, what's the weather like tomorrow?"
    assert not any(c.kind == "PERSON" for c in ner.find_entities(text))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("What is the weather like in the park this afternoon?", "en"),
        ("Wie wird das Wetter morgen, und kannst du mir die Einkaufsliste schicken?", "de"),
        ("Quel temps fera-t-il demain et est-ce que je dois prendre un parapluie?", "fr"),
        ("¿Qué tiempo hará mañana y necesito un paraguas para salir?", "es"),
    ],
)
def test_the_language_of_a_text_is_told_by_its_function_words(text: str, lang: str) -> None:
    assert ner.language(text) == lang


def test_a_text_in_a_language_without_a_pipeline_still_gets_the_structured_detectors() -> None:
    text = "Bitte überweise das Geld auf DE89 3704 0044 0532 0130 00 und schreib mir an jonas.weber@example.de, danke."
    assert ner.language(text) == "de"
    spans = found(text)
    assert at(text, "IBAN", "DE89 3704 0044 0532 0130 00") in spans
    assert at(text, "EMAIL", "jonas.weber@example.de") in spans
    assert "no statistical NER" in ner.detectors_for(text)


@pytest.mark.parametrize("lang", sorted(ner.PIPELINES))
def test_each_pipeline_is_the_pinned_package_loaded_from_site_packages(lang: str) -> None:
    spec = ner.PIPELINES[lang]
    nlp = ner.pipeline(lang)
    assert (nlp.lang, nlp.meta["version"]) == (lang, spec.version)
    assert nlp.pipe_names == ["ner"]
    model_dir = Path(sysconfig.get_paths()["purelib"]) / spec.package / f"{spec.package}-{spec.version}"
    assert hashlib.sha256((model_dir / "ner" / "model").read_bytes()).hexdigest() == spec.ner_sha256
    pins = (ROOT / "requirements.txt").read_text() + (ROOT / "requirements-model.txt").read_text()
    assert re.search(rf"^{spec.package.replace('_', '-')}=={re.escape(spec.version)}\b", pins, re.MULTILINE)


def test_a_pipeline_whose_weights_differ_from_the_pinned_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    english = ner.PIPELINES["en"]
    monkeypatch.setitem(ner.PIPELINES, "xx", ner.Pipeline(english.package, english.version, "0" * 64))
    with pytest.raises(ner.PipelineDamaged):
        ner.pipeline("xx")
    assert "xx" not in ner._loaded


def long_prompt() -> tuple[str, str]:
    filler = "We talked about the garden, the weather and what to cook for the weekend, nothing special. "
    last_name = "Theodora Vasquez-Lindqvist"
    text = (filler * 240)[:19_900] + f" Please send it to {last_name}."
    return text, last_name


def test_a_20000_character_prompt_is_fully_screened_within_the_budget_or_stays_home() -> None:
    text, name = long_prompt()
    assert len(text) >= 19_900
    result = screen("chat", {"messages": [{"role": "user", "content": text}]}, settings.HEARTH_CLASSIFY_BUDGET)
    if result["failed"]:
        assert result["spans"] == []
    else:
        assert (0, "PERSON", text.index(name), text.index(name) + len(name)) in result["spans"]


def test_a_long_prompt_past_its_deadline_fails_closed_with_no_partial_spans() -> None:
    text, _ = long_prompt()
    result = screen("chat", {"messages": [{"role": "user", "content": text}]}, 0.02)
    assert result["failed"].startswith("classification took longer")
    assert result["spans"] == []


def test_a_long_prompt_past_its_deadline_fails_closed_outside_the_main_thread_too() -> None:
    text, _ = long_prompt()
    results: list[dict[str, object]] = []
    worker = threading.Thread(target=lambda: results.append(dict(screen("chat", {"messages": [{"role": "user", "content": text}]}, 0.02))))
    worker.start()
    worker.join()
    assert results[0]["failed"] and results[0]["spans"] == []


@pytest.mark.django_db
def test_the_simulator_says_when_no_statistical_ner_ran_for_the_prompts_language(admin_client: Client) -> None:
    laptop = add_device("kitchen laptop", "laptop", "cloud").device
    form = {"device": laptop.pk, "presence": "home", "when": "2026-11-28T09:00"}

    def detectors(prompt: str) -> str:
        page = admin_client.post("/admin/policies/householdrule/simulate/", {**form, "prompt": prompt}).content.decode()
        return page.split('<td id="detectors">')[1].split("</td>")[0]

    assert "no statistical NER" in detectors("Wie wird das Wetter morgen in Kiel, und was soll ich anziehen?")
    assert "fr_core_news_sm" in detectors("Quel temps fera-t-il demain à Lille et que dois-je porter ?")
