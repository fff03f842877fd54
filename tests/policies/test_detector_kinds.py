"""Detectors, kind by kind: values as people write them, found whole; ordinary words left alone."""

from __future__ import annotations

import pytest

from policies.detectors import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in detect(text, statistical=False)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Wir treffen uns am 3. März 1990 wieder", "3. März 1990"),
        ("Rendez-vous le 17 septembre 2017", "17 septembre 2017"),
        ("La cita es el 5 de mayo de 2019", "5 de mayo de 2019"),
        ("due 12 oct. 2026 at the latest", "12 oct. 2026"),
        ("Termin am Dienstag, 15.12.2026, 10:00 Uhr. Bitte", "Dienstag, 15.12.2026, 10:00 Uhr"),
        ("school play on Wednesday 16 December at 6pm at the hall", "Wednesday 16 December at 6pm"),
        ("Orthodontiste mer. 13 janvier à 14h15, cabinet", "mer. 13 janvier à 14h15"),
        ("Apunta la cena el 18/12 a partir de las 20:00", "18/12 a partir de las 20:00"),
        ("Weihnachtsfeier am 18.12. ab 18:30", "18.12. ab 18:30"),
        ("call for 9 Dec 15:00 CET", "9 Dec 15:00 CET"),
        ("Please treat before Monday 7 December. Thanks", "Monday 7 December"),
    ],
)
def test_a_date_extends_to_its_natural_end(text: str, value: str) -> None:
    assert ("DATE", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("geboren am 3. März 1990 in Kiel", "3. März 1990"),
        ("née le 17 septembre 2017", "17 septembre 2017"),
        ("nacida el 5 de mayo de 2019", "5 de mayo de 2019"),
        ("date of birth: March 4, 1990", "March 4, 1990"),
    ],
)
def test_a_date_after_a_birth_cue_is_a_date_of_birth(text: str, value: str) -> None:
    assert ("DOB", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my son is 7 years old", "7 years old"),
        ("a 7-year-old girl", "7-year-old"),
        ("Dad is seventy-two years old", "seventy-two years old"),
        ("Meine Mutter Waltraud (78) hat Schwindel", "78"),
        ("ein zweijähriges Kind", "zweijähriges"),
        ("My son turns five on Saturday", "five"),
        ("un niño de dos años", "dos años"),
        ("Mon fils a sept ans demain", "sept ans"),
        ("aged 42, retired", "42"),
        ("she is in her forties", "forties"),
        ("My wife Lorna is 47 and has had headaches", "47"),
        ("Dad is seventy-two, diabetic, and lives alone", "seventy-two"),
        ("mi abuela tiene 80 y vive sola", "80"),
    ],
)
def test_an_age_is_found_in_every_phrasing(text: str, value: str) -> None:
    assert ("AGE", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("SSN 912-34-5678", "912-34-5678"),  # area 9xx is never issued: still someone's number
        ("card 4111 1111 1111 1112 exp 04/27", "4111 1111 1111 1112"),  # fails Luhn
        ("IBAN DE89 3704 0044 0532 0130 01 please", "DE89 3704 0044 0532 0130 01"),  # fails mod-97
        ("NHS number 943 476 5910", "943 476 5910"),  # fails the NHS check
    ],
)
def test_a_value_right_after_its_cue_is_redacted_even_when_its_checksum_fails(text: str, value: str) -> None:
    assert any(v == value for _, v in found(text)), found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("passport number: X1234567 and more", "X1234567"),
        ("Reisepassnummer C01X00T47, gültig bis", "C01X00T47"),
        ("Führerschein B072RRE2I55 liegt im Auto", "B072RRE2I55"),
        ("driver's license D123-4567-8901 expires", "D123-4567-8901"),
        ("numéro de passeport 18AB12345", "18AB12345"),
        ("Sozialversicherungsnummer 53 270389 W 041", "53 270389 W 041"),
    ],
)
def test_a_passport_or_licence_number_after_its_cue_is_a_national_id(text: str, value: str) -> None:
    assert ("NATIONAL_ID", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ring +46 (0)8 123 456 78 please", "+46 (0)8 123 456 78"),
        ("call +1 415-555-2671 ext. 204 now", "+1 415-555-2671 ext. 204"),
        ("call (415) 555-2671 x204", "(415) 555-2671 x204"),
        ("Büro: +49 30 1234567, Durchwahl 89", "+49 30 1234567, Durchwahl 89"),
    ],
)
def test_a_phone_number_keeps_its_trunk_prefix_and_extension(text: str, value: str) -> None:
    assert ("PHONE", value) in found(text)


@pytest.mark.parametrize(
    "card",
    ["1234 5678 9012 3452", "7000 0000 0000 0005", "6011 1111 1111 1117", "3530111333300000", "4222222222222", "5018 0000 0009"],
)
def test_a_card_number_of_any_issuer_and_length_that_passes_luhn_is_found(card: str) -> None:
    assert ("CARD", card) in found(f"pay with {card} please")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ssh admin:Hearth2024!@192.168.1.20 then reboot", "admin:Hearth2024!@192.168.1.20"),
        ("login pi:raspberry@octopi.local:22 now", "pi:raspberry@octopi.local:22"),
        ("curl -u deploy:Tr0ub4dor&3 https://ci.example.com", "deploy:Tr0ub4dor&3"),
        ("db at postgres://bob:s3cret@db.local/app", "postgres://bob:s3cret@db.local"),
    ],
)
def test_credentials_beside_a_host_are_found(text: str, value: str) -> None:
    assert ("URL_CREDENTIALS", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("the wifi password for guests is Sunflower2019!", "Sunflower2019!"),
        ("WLAN-Passwort: „Sonne 123“", "Sonne 123"),
        ("Passwort für das WLAN lautet: Sonnenblume", "Sonnenblume"),
        ("clé wifi : 8f3k29dk19xq", "8f3k29dk19xq"),
        ("the PIN is 4711", "4711"),
        ('api_key = "Zq81fKx02LmWp7Rt"', "Zq81fKx02LmWp7Rt"),
        ('  "password": "hunter22",', "hunter22"),
        ("wpa_passphrase=CorrectHorse99", "CorrectHorse99"),
        ("OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwx1234", "sk-proj-abcdefghijklmnopqrstuvwx1234"),
        ('psk="my home wifi"', "my home wifi"),
        ("card 5167 1081 3987 9166 exp 12/27 cvc 209", "209"),
    ],
)
def test_a_secret_after_its_cue_or_in_pasted_config_is_found(text: str, value: str) -> None:
    assert ("SECRET", value) in found(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Brieftr\u00e4gerin vor Am Rosenhang 2b", "Am Rosenhang 2b"),
        ("Leipziger Str. 16, 60487 Frankfurt am Main, ist", "Leipziger Str. 16, 60487 Frankfurt am Main"),
        ("Level 3, 120 Collins St, Melbourne VIC 3000", "Level 3, 120 Collins St, Melbourne VIC 3000"),
        ("home Unit 7/12 Beach Road, Bondi NSW 2026, phone", "Unit 7/12 Beach Road, Bondi NSW 2026"),
        ("to Apt 12B, 77 Harbord Street, Toronto, ON M5S 1G4", "Apt 12B, 77 Harbord Street, Toronto, ON M5S 1G4"),
        ("16 Rathgar Road, Dublin 6, D06 K2C8, +353", "16 Rathgar Road, Dublin 6, D06 K2C8"),
        ("at Box 224, Whitehorse, YT Y1A 6C4", "Box 224, Whitehorse, YT Y1A 6C4"),
        ("Ship to: PSC 1234, Box 5678, APO AE 09204 — ok", "PSC 1234, Box 5678, APO AE 09204"),
        ("delante del camino de las Rosas 2", "camino de las Rosas 2"),
        ("C/ Mayor 22, 2.º dcha., 30001 Murcia, teléfono", "C/ Mayor 22, 2.º dcha., 30001 Murcia"),
        ("Place Amélie Raba-Léon, 33076 Bordeaux Cedex", "Place Amélie Raba-Léon, 33076 Bordeaux Cedex"),
        ("meet me at the corner of Elm Street and 5th Avenue", "Elm Street and 5th Avenue"),
        ("John Smith\n12 Main St\nSpringfield, IL 62704\nUSA", "12 Main St\nSpringfield, IL 62704"),
        ("Anna Müller\nHauptstraße 5\n10115 Berlin", "Hauptstraße 5\n10115 Berlin"),
        ("send it to the postcode SW1A 1AA", "SW1A 1AA"),
        ("Versand nach 10115 Berlin", "10115 Berlin"),
    ],
)
def test_an_address_is_found_whole_however_it_is_written(text: str, value: str) -> None:
    assert ("ADDRESS", value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Im Jahr 2020 war alles anders",
        "Zum Beispiel 3 Äpfel",
        "Das kostet 50000 Euro",
        "add 1/2 cup of sugar",
        "version 2.10 is out",
        "it costs 12.50 euros",
        "I waited two years for this",
        "the list (12) is long",
        "zip code lookup please",
        "error code E42 again",
        "pin this post to the top",
        "the spare key is under the mat",
        "mailto:support please",
        "I have 2 kids and a dog",
        "Walk down Main and turn left",
        "password_length: 12",
        "The answer is 42.",
        "my husband is 6 feet tall",
    ],
)
def test_ordinary_words_and_numbers_are_not_personal_data(text: str) -> None:
    assert found(text) == []
