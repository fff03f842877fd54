"""Generate the held-out labelled span set for the detectors (spans_heldout.jsonl), seeded.

Run: PYTHONPATH=. python policies/detectors/data/generate_spans.py
Each row: {"text", "spans": [[kind, start, end], ...]}. Positives carry valid values (Luhn,
mod-97, SSN rules, valid phone numbers per region); "near" rows carry look-alikes that must
not match. About a third of the names come from locales kept out of the gazetteer.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import phonenumbers
from stdnum import iban as std_iban
from stdnum import luhn

HERE = Path(__file__).parent
SEED = 424242


def _lines(name: str) -> list[str]:
    return [x for x in (HERE / name).read_text("utf-8").split("\n") if x]


class Gen:
    """Random valid (and almost valid) values of each kind."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.first = _lines("first_names.txt")
        self.last = _lines("last_names.txt")
        self.h_first = _lines("heldout_first_names.txt")
        self.h_last = _lines("heldout_last_names.txt")

    def person(self) -> str:
        r = self.rng
        if r.random() < 0.33 and self.h_first:
            first, last = r.choice(self.h_first), r.choice(self.h_last or self.last)
        else:
            first, last = r.choice(self.first), r.choice(self.last)
        return first if r.random() < 0.4 else f"{first} {last}"

    def email(self) -> str:
        r = self.rng
        user = r.choice(
            [
                f"{r.choice(self.first)}.{r.choice(self.last)}",
                f"{r.choice(self.first)}{r.randint(1, 99)}",
            ]
        )
        user = re.sub(r"[^A-Za-z0-9.]", "", user).lower() or "user"
        dom = r.choice(
            [
                "gmail.com",
                "example.org",
                "web.de",
                "outlook.fr",
                "mail.co.uk",
                "family-smith.net",
            ]
        )
        return f"{user}@{dom}"

    def phone(self) -> str:
        r = self.rng
        region = r.choice(["US", "GB", "DE", "FR", "ES", "IT", "NL", "CH", "IE", "CA", "AU", "IN"])
        for _ in range(50):
            ex = phonenumbers.example_number_for_type(
                region,
                r.choice(
                    [
                        phonenumbers.PhoneNumberType.MOBILE,
                        phonenumbers.PhoneNumberType.FIXED_LINE,
                    ]
                ),
            )
            if ex is None:
                continue
            nat = str(ex.national_number)
            tail = "".join(str(r.randint(0, 9)) for _ in range(3))
            ex.national_number = int(nat[:-3] + tail)
            if phonenumbers.is_valid_number(ex):
                fmt = r.choice(
                    [
                        phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                        phonenumbers.PhoneNumberFormat.NATIONAL,
                        phonenumbers.PhoneNumberFormat.E164,
                    ]
                )
                s = phonenumbers.format_number(ex, fmt)
                return s.replace(" ", r.choice([" ", " ", "-", "."])) if fmt != phonenumbers.PhoneNumberFormat.E164 else s
        return "+1 415 555 2671"

    def card(self) -> str:
        r = self.rng
        prefix, length = r.choice(
            [
                ("4", 16),
                ("51", 16),
                ("55", 16),
                ("2221", 16),
                ("34", 15),
                ("37", 15),
                ("6011", 16),
            ]
        )
        body = prefix + "".join(str(r.randint(0, 9)) for _ in range(length - len(prefix) - 1))
        full = body + luhn.calc_check_digit(body)
        sep = r.choice([" ", "-", "", " "])
        if length == 15:
            return sep.join([full[:4], full[4:10], full[10:]])
        return sep.join(full[i : i + 4] for i in range(0, 16, 4))

    def bad_card(self) -> str:
        c = self.card()
        d = [ch for ch in c]
        for i in range(len(d) - 1, -1, -1):
            if d[i].isdigit():
                d[i] = str((int(d[i]) + 1) % 10)
                break
        return "".join(d)

    def iban(self) -> str:
        r = self.rng
        country, length = r.choice(
            [
                ("DE", 18),
                ("GB", 18),
                ("FR", 23),
                ("ES", 20),
                ("NL", 14),
                ("IT", 23),
                ("AT", 16),
                ("CH", 17),
            ]
        )
        for _ in range(200):
            if country == "GB":
                bban = "NWBK" + "".join(str(r.randint(0, 9)) for _ in range(14))
            elif country == "NL":
                bban = "ABNA" + "".join(str(r.randint(0, 9)) for _ in range(10))
            elif country == "IT":
                bban = "X" + "".join(str(r.randint(0, 9)) for _ in range(10)) + "".join(str(r.randint(0, 9)) for _ in range(12))
            else:
                bban = "".join(str(r.randint(0, 9)) for _ in range(length))
            check = std_iban.calc_check_digits(country + "00" + bban)
            value = country + check + bban
            if std_iban.is_valid(value):
                return " ".join(value[i : i + 4] for i in range(0, len(value), 4)) if r.random() < 0.7 else value
        return "DE89 3704 0044 0532 0130 00"

    def ssn(self) -> str:
        r = self.rng
        while True:
            a, g, s = r.randint(1, 899), r.randint(1, 99), r.randint(1, 9999)
            if a != 666:
                return f"{a:03d}-{g:02d}-{s:04d}"

    def nino(self) -> str:
        r = self.rng
        letters = "ABCEGHJKLMNPRSTWXYZ"
        p = r.choice("ABCEGHJKLMNPRSTWXYZ") + r.choice(letters.replace("O", ""))
        if p in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            p = "AB"
        return f"{p} {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)} {r.choice('ABCD')}"

    def ip(self) -> str:
        r = self.rng
        if r.random() < 0.8:
            return ".".join(str(r.randint(1, 254)) for _ in range(4))
        return "2001:db8:" + ":".join(f"{r.randint(0, 65535):x}" for _ in range(3)) + "::" + f"{r.randint(1, 65535):x}"

    def mac(self) -> str:
        r = self.rng
        sep = r.choice([":", "-"])
        return sep.join(f"{r.randint(0, 255):02X}" for _ in range(6))

    def address(self) -> str:
        r = self.rng
        street = r.choice(self.last)
        kind = r.random()
        if kind < 0.45:
            return (
                f"{r.randint(1, 9999)} {street} {r.choice(['Street', 'St.', 'Avenue', 'Road', 'Lane', 'Drive', 'Court', 'Way', 'Blvd'])}"
                + r.choice(
                    [
                        "",
                        f", {r.choice(['Springfield', 'Austin', 'Portland', 'Denver'])}, {r.choice(['IL', 'TX', 'OR', 'CO'])} {r.randint(10000, 99999)}",
                        ", Apt 4B",
                    ]
                )
            )
        if kind < 0.6:
            return f"{r.randint(1, 300)} {street} Road, {r.choice(['London', 'Leeds', 'Bristol'])} {r.choice(['SW1A 1AA', 'LS1 4AP', 'BS8 1TH', 'NW1 6XE'])}"
        if kind < 0.8:
            return f"{street}{r.choice(['straße', 'weg', 'gasse', 'allee', 'platz'])} {r.randint(1, 200)}" + r.choice(
                [
                    "",
                    f", {r.randint(10000, 99999)} {r.choice(['Berlin', 'München', 'Köln', 'Hamburg'])}",
                ]
            )
        if kind < 0.9:
            return f"{r.randint(1, 120)} rue {r.choice(['de la Paix', 'Victor Hugo', 'des Lilas', 'du Moulin'])}, {r.randint(10000, 95999)} {r.choice(['Paris', 'Lyon', 'Nantes'])}"
        return f"Calle {r.choice(['Mayor', 'Alcalá', 'Serrano', 'Gran Vía'])} {r.randint(1, 200)}, {r.randint(10000, 52999)} {r.choice(['Madrid', 'Sevilla', 'Valencia'])}"


POSITIVE: dict[str, list[str]] = {
    "PERSON": [
        "Can you remind {v} about the dentist on Friday?",
        "My daughter {v} has a school trip tomorrow.",
        "Draft an email to {v} saying the meeting moved.",
        "I had lunch with {v} yesterday and she seemed upset.",
        "Mein Kollege {v} ist krank, wer übernimmt?",
        "Dear {v}, thank you for the lovely flowers.",
        "Who is {v}? He keeps calling me.",
        "Tell {v} that dinner is ready.",
        "{v} and I are planning a trip to Rome.",
        "Write a birthday poem for my friend {v}.",
    ],
    "EMAIL": [
        "Send the invoice to {v} please.",
        "my email is {v}",
        "Contact: {v}",
        "Schreib an {v}, bitte.",
    ],
    "PHONE": [
        "Call me back on {v}.",
        "her number is {v}",
        "Ruf mich an: {v}",
        "Text {v} when you land.",
        "tel. {v}",
    ],
    "ADDRESS": [
        "I live at {v}.",
        "Deliver it to {v} tomorrow.",
        "Our new flat is {v}",
        "Meine Adresse: {v}",
        "Ship to {v} please",
    ],
    "CARD": [
        "My card number is {v}, expiry 04/27.",
        "charge {v} for the order",
        "Karte: {v}",
        "is {v} still valid?",
    ],
    "IBAN": [
        "Please wire it to {v}.",
        "IBAN: {v}",
        "Meine IBAN ist {v}",
        "send the refund to {v}",
    ],
    "NATIONAL_ID": [
        "My SSN is {v}.",
        "social security {v}",
        "NI number {v}",
        "Fill the form with {v} as my id",
    ],
    "IP": [
        "My server is at {v}, can you check it?",
        "block {v} on the firewall",
        "the camera has IP {v}",
    ],
    "MAC": ["The printer's MAC is {v}", "whitelist {v} on the router"],
}
NEGATIVE = [
    "Order number 4111 1111 1111 1112 hasn't arrived yet.",
    "Upgrade to version 1.2.3.4 fixed the crash.",
    "Apple pie recipe for a family of four please.",
    "Will it rain in Paris on May 3?",
    "The meeting is on 12/03/2024 at 3pm.",
    "I bought 3 apples for 2.50 euros.",
    "What's 1234 times 5678?",
    "Chapter 221 of the book is long.",
    "Is 000-12-3456 a valid social security number format?",
    "My favourite number is 123456789.",
    "Mark the calendar for June.",
    "Set an alarm for 06:30 tomorrow.",
    "The route from Berlin to Munich takes 6 hours.",
    "Grace under pressure is a virtue.",
    "Our flight LH 2041 lands at 14:05.",
    "The temperature was 23.5 degrees and 45.2 percent humidity.",
    "Rose petals and sunny days make me happy.",
    "My zip code area has great bagels.",
    "ISBN 978-3-16-148410-0 is the book.",
    "Tracking code 1Z999AA10123456784 please.",
    "It costs $1,299.99 on sale.",
    "Walk down the street and turn left at the church.",
    "The king of France lived in Versailles.",
    "Wie spät ist es in Hamburg?",
    "Ich habe 2 Kinder und 1 Hund.",
]
# Hand-written hard cases: (text, [(kind, value), ...]); offsets are found by search.
HARD: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "call the office on +44 (0)20 7946 0958 before noon",
        [("PHONE", "+44 (0)20 7946 0958")],
    ),
    ("my cell is 415.555.2671.", [("PHONE", "415.555.2671")]),
    ("WhatsApp me at 0049 151 23456789", [("PHONE", "0049 151 23456789")]),
    ("appelle-moi au 06 12 34 56 78 stp", [("PHONE", "06 12 34 56 78")]),
    ("her number: (212) 555-0198 ext. 4", [("PHONE", "(212) 555-0198")]),
    (
        "mail me: anna+newsletter@sub.example.co.uk!",
        [("EMAIL", "anna+newsletter@sub.example.co.uk")],
    ),
    ("contact is J.Doe_99@Example.ORG.", [("EMAIL", "J.Doe_99@Example.ORG")]),
    (
        "anna (at) example (dot) com is my address",
        [("EMAIL", "anna (at) example (dot) com")],
    ),
    ("card: 4111-1111-1111-1111, cvv 123", [("CARD", "4111-1111-1111-1111")]),
    ("pay with 5500 0000 0000 0004 please", [("CARD", "5500 0000 0000 0004")]),
    ("the amex is 3714 496353 98431", [("CARD", "3714 496353 98431")]),
    (
        "iban: fr14 2004 1010 0505 0001 3m02 606",
        [("IBAN", "fr14 2004 1010 0505 0001 3m02 606")],
    ),
    ("Überweisung an CH9300762011623852957 bitte", [("IBAN", "CH9300762011623852957")]),
    ("ssn 536 22 1234 on the form", [("NATIONAL_ID", "536 22 1234")]),
    ("my ss# is 536-22-8765.", [("NATIONAL_ID", "536-22-8765")]),
    ("NINO: AB123456C", [("NATIONAL_ID", "AB123456C")]),
    ("is 078-05-1120 real? it was printed on wallet cards", []),  # the famous void SSN
    ("router at 10.0.0.1.", [("IP", "10.0.0.1")]),
    ("connect to fe80::1ff:fe23:4567:890a now", [("IP", "fe80::1ff:fe23:4567:890a")]),
    (
        "Emma's teacher called about Noah Fischer today",
        [("PERSON", "Emma"), ("PERSON", "Noah Fischer")],
    ),
    (
        "ask Priya whether Mateo can come on Sunday",
        [("PERSON", "Priya"), ("PERSON", "Mateo")],
    ),
    (
        "meeting notes from Olga Petrova and Jean-Luc Martin",
        [("PERSON", "Olga Petrova"), ("PERSON", "Jean-Luc Martin")],
    ),
    ("my wife, Sofia, is allergic to nuts", [("PERSON", "Sofia")]),
    (
        "Apt 5, 350 Fifth Avenue, New York, NY 10118",
        [("ADDRESS", "350 Fifth Avenue, New York, NY 10118")],
    ),
    ("we moved to 42 Wallaby Way, Sydney", [("ADDRESS", "42 Wallaby Way, Sydney")]),
    (
        "Lieferung an Am Lindenweg 3, 80331 München",
        [("ADDRESS", "Am Lindenweg 3, 80331 München")],
    ),
    (
        "send it to 7 avenue des Champs-Élysées, 75008 Paris",
        [("ADDRESS", "7 avenue des Champs-Élysées, 75008 Paris")],
    ),
]
SINGLES = {
    "PERSON": Gen.person,
    "EMAIL": Gen.email,
    "PHONE": Gen.phone,
    "ADDRESS": Gen.address,
    "CARD": Gen.card,
    "IBAN": Gen.iban,
    "IP": Gen.ip,
    "MAC": Gen.mac,
}


def _trick(value: str, rng: random.Random) -> str:
    """Hide a value the way people do: full-width digits or a zero-width space inside."""
    if rng.random() < 0.5:
        return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in value)
    cut = max(1, len(value) // 2)
    return value[:cut] + "\u200b" + value[cut:]


def generate(per_kind: int = 120) -> list[dict[str, object]]:
    """Return the span set: per_kind positives per kind, negatives with bad look-alikes."""
    rng = random.Random(SEED)
    gen = Gen(rng)
    rows: list[dict[str, object]] = []
    for kind, templates in POSITIVE.items():
        for i in range(per_kind):
            if kind == "NATIONAL_ID":
                value = gen.ssn() if i % 3 else gen.nino()
            else:
                value = SINGLES[kind](gen)
            if kind == "PERSON" and rng.random() < 0.15:
                value = value.lower()  # voice transcripts often come in lower case
            if kind == "EMAIL" and rng.random() < 0.1:
                value = value.replace("@", " at ").replace(".", " dot ")
            if kind not in ("PERSON", "ADDRESS") and rng.random() < 0.12:
                value = _trick(value, rng)
            template = rng.choice(templates)
            start = template.index("{v}")
            text = template.replace("{v}", value)
            rows.append({"text": text, "spans": [[kind, start, start + len(value)]]})
    for text, values in HARD:
        spans = []
        for kind, value in values:
            start = text.index(value)
            spans.append([kind, start, start + len(value)])
        rows.append({"text": text, "spans": spans})
    for i in range(per_kind * 2):
        text = NEGATIVE[i % len(NEGATIVE)]
        if i >= len(NEGATIVE):
            text = text.replace("4111 1111 1111 1112", gen.bad_card())
        rows.append({"text": text, "spans": []})
    rng.shuffle(rows)
    return rows


def main() -> None:
    rows = generate()
    with (HERE / "spans_heldout.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(len(rows))


if __name__ == "__main__":
    main()
