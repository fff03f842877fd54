"""Detectors: valid values must match, near-misses must not."""

from __future__ import annotations

import pytest

from policies.detectors import HouseholdTerm, detect


def kinds_and_values(text: str, terms: tuple[HouseholdTerm, ...] = ()) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in detect(text, terms)]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("write to anna.smith@example.com today", "EMAIL", "anna.smith@example.com"),
        (
            "anna dot smith at gmail dot com is me",
            "EMAIL",
            "anna dot smith at gmail dot com",
        ),
        ("call +44 20 7946 0958 now", "PHONE", "+44 20 7946 0958"),
        ("call me on (415) 555-2671", "PHONE", "(415) 555-2671"),
        ("Ruf mich an: 0151 23456789", "PHONE", "0151 23456789"),
        ("card 4111 1111 1111 1111 exp 04/27", "CARD", "4111 1111 1111 1111"),
        ("amex 3782-822463-10005 please", "CARD", "3782-822463-10005"),
        (
            "IBAN DE89 3704 0044 0532 0130 00 thanks",
            "IBAN",
            "DE89 3704 0044 0532 0130 00",
        ),
        ("my iban is gb82west12345698765432", "IBAN", "gb82west12345698765432"),
        ("SSN 123-45-6789", "NATIONAL_ID", "123-45-6789"),
        ("my social security number is 123456789", "NATIONAL_ID", "123456789"),
        ("NI number AB 12 34 56 C", "NATIONAL_ID", "AB 12 34 56 C"),
        ("DNI 12345678Z", "NATIONAL_ID", "12345678Z"),
        ("server 192.168.1.20 is down", "IP", "192.168.1.20"),
        ("ping 2001:db8::8a2e:370:7334", "IP", "2001:db8::8a2e:370:7334"),
        ("mac 00:1A:2B:3C:4D:5E", "MAC", "00:1A:2B:3C:4D:5E"),
        (
            "db at postgres://bob:s3cret@db.local/app",
            "URL_CREDENTIALS",
            "postgres://bob:s3cret@db.local",
        ),
        (
            "use sk-proj-abcdefghijklmnopqrstuvwx1234 here",
            "SECRET",
            "sk-proj-abcdefghijklmnopqrstuvwx1234",
        ),
        (
            "token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "SECRET",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ),
        ("AKIAIOSFODNN7EXAMPLE is my key", "SECRET", "AKIAIOSFODNN7EXAMPLE"),
        ("the wifi password is Sunflower2019!", "SECRET", "Sunflower2019!"),
        ("Mein Passwort ist Hunter2x", "SECRET", "Hunter2x"),
        ("we are at 48.8584, 2.2945 now", "GPS", "48.8584, 2.2945"),
        ("she was born on 12/03/1985 in Lyon", "DOB", "12/03/1985"),
        ("date of birth: March 4, 1990", "DOB", "March 4, 1990"),
        ("my son is 7 years old", "AGE", "7 years old"),
        (
            "I live at 221B Baker Street, London NW1 6XE.",
            "ADDRESS",
            "221B Baker Street, London NW1 6XE",
        ),
        (
            "ship to 1600 Pennsylvania Avenue, Washington, DC 20500",
            "ADDRESS",
            "1600 Pennsylvania Avenue, Washington, DC 20500",
        ),
        ("Hauptstraße 12a, 10115 Berlin", "ADDRESS", "Hauptstraße 12a, 10115 Berlin"),
        ("12 rue de la Paix, 75002 Paris", "ADDRESS", "12 rue de la Paix, 75002 Paris"),
        ("Calle Mayor 5, 28013 Madrid", "ADDRESS", "Calle Mayor 5, 28013 Madrid"),
        ("Ask Emma Watson about it", "PERSON", "Emma Watson"),
        ("my daughter Lena has a cold", "PERSON", "Lena"),
        ("remind jake to feed the cat", "PERSON", "jake"),
        ("Dear Mr. Okonkwo, thanks", "PERSON", "Okonkwo"),
        ("Chidi Anagonye and I went out", "PERSON", "Chidi Anagonye"),
    ],
)
def test_valid_value_is_found(text: str, kind: str, value: str) -> None:
    assert (kind, value) in kinds_and_values(text)


@pytest.mark.parametrize(
    "text",
    [
        "order 4111 1111 1111 1112 has not arrived",  # fails Luhn
        "is 000-12-3456 a valid format?",  # SSN area 000 never issued
        "666-12-3456 is not issued either",
        "upgrade to version 1.2.3.4 fixed it",
        "999.1.1.1 is not an address",
        "Apple pie recipe for four",
        "My favourite number is 123456789.",
        "ISBN 978-3-16-148410-0 is the book",
        "It costs $1,299.99 on sale",
        "Walk down the street and turn left",
        "the password manager needs a reset",
        "Mark the calendar for June.",
        "Grace under pressure is a virtue.",
        "Order number 345091812192775 is late",
    ],
)
def test_near_miss_is_not_found(text: str) -> None:
    assert kinds_and_values(text) == []


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("Will it rain in Paris on May 3?", ["May 3"]),
        ("The meeting is on 12/03/2024 at 3pm.", ["12/03/2024 at 3pm"]),
        ("Set an alarm for 06:30 tomorrow.", ["06:30"]),
    ],
)
def test_a_date_or_time_in_an_everyday_request_is_a_date_and_nothing_more(text: str, dates: list[str]) -> None:
    found = kinds_and_values(text)
    assert [v for k, v in found if k == "DATE"] == dates
    assert {k for k, _ in found} <= {"DATE", "LOCATION"}


def test_full_width_digits_do_not_hide_a_card() -> None:
    text = "card ４１１１ １１１１ １１１１ １１１１ ok"
    assert kinds_and_values(text) == [("CARD", "４１１１ １１１１ １１１１ １１１１")]


def test_zero_width_characters_do_not_hide_an_email() -> None:
    text = "mail jo\u200bhn@exam\u200cple.com now"
    assert kinds_and_values(text) == [("EMAIL", "jo\u200bhn@exam\u200cple.com")]


def test_cyrillic_homoglyphs_do_not_hide_an_email() -> None:
    text = "write j\u043ehn@ex\u0430mple.com"  # Cyrillic o and a
    assert kinds_and_values(text) == [("EMAIL", "j\u043ehn@ex\u0430mple.com")]


def test_digits_spelt_with_dots_do_not_hide_a_card() -> None:
    text = "4.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1 is it"
    assert ("CARD", "4.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1") in kinds_and_values(text)


def test_offsets_point_into_the_original_text() -> None:
    text = "\u200b\u200bＡｎｎａ: ａｎｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    spans = detect(text)
    assert [(s.kind, text[s.start : s.end]) for s in spans if s.kind == "EMAIL"] == [("EMAIL", "ａｎｎａ＠ｅｘａｍｐｌｅ．ｃｏｍ")]


def test_household_terms_match_however_they_are_spaced() -> None:
    terms = (
        HouseholdTerm("child", "Maxi"),
        HouseholdTerm("school", "Lincoln Elementary"),
    )
    text = "pick up M a x i from lincoln  elementary"
    assert kinds_and_values(text, terms) == [
        ("HOUSEHOLD", "M a x i"),
        ("HOUSEHOLD", "lincoln  elementary"),
    ]


def test_empty_text_has_no_spans() -> None:
    assert detect("") == []
