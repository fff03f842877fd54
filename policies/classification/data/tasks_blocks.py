"""Building blocks for the task-type training data: texts a request carries (documents,
code, tracebacks, emails), made up here from parts so their length and shape vary."""

from __future__ import annotations

import random
from collections.abc import Callable

TOPICS = [
    "the school's new timetable",
    "the heat pump we installed last winter",
    "the neighbourhood's plan for a new cycle lane",
    "our family budget for next year",
    "the football club's summer camp",
    "the landlord's proposal to renovate the building",
    "the city council's decision on parking fees",
    "the company's move to a four-day week",
    "the library's reading programme for children",
    "the new recycling rules",
    "the holiday we are planning in Portugal",
    "the broadband contract renewal",
]
SENTENCES = [
    "The first meeting took place on a Tuesday evening and about forty people came.",
    "Most of them agreed that the current situation cannot continue as it is.",
    "A few raised concerns about the cost, which was estimated at around twelve thousand euros.",
    "The committee promised to publish a detailed proposal before the end of the month.",
    "Several parents asked whether the change would affect the pick-up times.",
    "According to the report, energy use fell by almost a third in the first year.",
    "The supplier has offered a discount if the contract is signed before March.",
    "Critics argue that the survey was too small to draw firm conclusions.",
    "There was a long discussion about who would be responsible for maintenance.",
    "The second phase is expected to start in the autumn, weather permitting.",
    "Nobody disputed that the old system was unreliable and expensive to run.",
    "The chair summed up by saying that a decision would be taken at the next meeting.",
    "In the meantime, residents are invited to send their comments by email.",
    "The numbers for the last quarter were better than expected, mostly thanks to lower costs.",
    "However, the staff survey showed that morale had dropped in two departments.",
    "One member suggested running a pilot with a small group before rolling it out.",
    "The budget includes a reserve of ten percent for unexpected repairs.",
    "Some of the older residents said they had not been consulted at all.",
    "The authors recommend reviewing the results again after six months.",
    "It remains unclear how the scheme will be funded after the first two years.",
    "Traffic on the main road increased by fifteen percent during the works.",
    "The head teacher thanked the volunteers who had organised the event.",
    "A written agreement will be sent to every household for signature.",
    "The trial period showed fewer complaints than the year before.",
    "Insurance costs are expected to rise, although by how much is not yet known.",
    "Two alternative designs were presented, one cheaper and one more durable.",
    "The working group will meet every second Thursday until the summer.",
    "Participants rated the workshop four out of five on average.",
    "The minutes of the previous session were approved without changes.",
    "Questions about the timetable should be sent to the secretary.",
]
SENTENCES_DE = [
    "Die erste Sitzung fand an einem Dienstagabend statt, und etwa vierzig Leute kamen.",
    "Die meisten waren sich einig, dass es so nicht weitergehen kann.",
    "Einige äußerten Bedenken wegen der Kosten von rund zwölftausend Euro.",
    "Der Vorstand versprach, bis Monatsende einen ausführlichen Vorschlag vorzulegen.",
    "Mehrere Eltern fragten, ob sich die Abholzeiten ändern würden.",
    "Laut Bericht sank der Energieverbrauch im ersten Jahr um fast ein Drittel.",
    "Der Anbieter gewährt einen Rabatt, wenn der Vertrag vor März unterschrieben wird.",
    "Kritiker meinen, die Umfrage sei zu klein für klare Schlüsse.",
    "Die zweite Phase soll im Herbst beginnen, wenn das Wetter mitspielt.",
    "Bis dahin können Anwohner ihre Anmerkungen per E-Mail schicken.",
]
SENTENCES_FR = [
    "La première réunion a eu lieu un mardi soir et une quarantaine de personnes sont venues.",
    "La plupart ont convenu que la situation actuelle ne pouvait pas durer.",
    "Certains se sont inquiétés du coût, estimé à environ douze mille euros.",
    "Le comité a promis de publier une proposition détaillée avant la fin du mois.",
    "La deuxième phase devrait commencer à l'automne si le temps le permet.",
    "En attendant, les habitants peuvent envoyer leurs remarques par courriel.",
]
SENTENCES_ES = [
    "La primera reunión fue un martes por la tarde y vinieron unas cuarenta personas.",
    "La mayoría estuvo de acuerdo en que la situación actual no puede continuar.",
    "Algunos expresaron dudas sobre el coste, estimado en unos doce mil euros.",
    "El comité prometió publicar una propuesta detallada antes de fin de mes.",
    "La segunda fase comenzará en otoño si el tiempo lo permite.",
]
SHORT_SENTENCES = [
    "The meeting is moved to Friday at 3 pm.",
    "I left the keys with the neighbour.",
    "Dinner is ready in twenty minutes.",
    "The train to Lyon is delayed by an hour.",
    "Please bring a towel and a swimsuit tomorrow.",
    "We are out of milk and eggs.",
    "The parcel will arrive on Monday between 8 and 12.",
    "Thank you for your help with the move last weekend.",
    "The museum is closed on Mondays.",
    "Can you water the plants while I am away?",
    "The heating will be off on Thursday for maintenance.",
    "I will be late because of the traffic.",
    "The kids loved the birthday cake.",
    "Our flight lands at 6:40 in the morning.",
    "The doctor's office called to confirm the appointment.",
    "Remember to put the bins out tonight.",
]
PEOPLE = ["Anna Keller", "Tom Becker", "Julie Martin", "Carlos Ruiz", "Mia Schmidt", "Lucas Bernard", "Sofia García", "Ben Wright"]
COMPANIES = ["Stadtwerke Nord", "Acme Insurance", "BlueSky Telecom", "Green Energy GmbH", "Maison Dupont", "Rápido Envíos"]
DATES = ["3 March 2025", "12/04/2026", "next Tuesday", "14 July", "2025-11-02", "the 21st of June", "Friday the 9th"]
AMOUNTS = ["€49.90", "$1,250.00", "£18", "€2.340,00", "312 euros", "$87.45", "CHF 120"]

PY_FUNCS = [
    (
        "def average(values):\n    total = 0\n    for v in values:\n        total += v\n    return total / len(values)",
        "ZeroDivisionError: division by zero",
    ),
    (
        "def load(path):\n    with open(path) as f:\n        return json.load(f)\n\nconfig = load('settings.json')\nprint(config['port'])",
        "KeyError: 'port'",
    ),
    (
        "items = get_items()\nfor i in range(len(items) + 1):\n    print(items[i].name)",
        "IndexError: list index out of range",
    ),
    (
        "import requests\nr = requests.get(url, timeout=5)\ndata = r.json()\nprint(data['results'][0]['title'])",
        "TypeError: 'NoneType' object is not subscriptable",
    ),
    (
        "class Cart:\n    def __init__(self):\n        self.items = []\n    def total(self):\n        return sum(i.price for i in self.items)\n\ncart = Cart()\nprint(cart.totl())",
        "AttributeError: 'Cart' object has no attribute 'totl'",
    ),
    (
        "age = input('Age: ')\nif age > 18:\n    print('adult')",
        "TypeError: '>' not supported between instances of 'str' and 'int'",
    ),
]
JS_SNIPPETS = [
    "const res = await fetch('/api/users');\nconst users = res.json();\nconsole.log(users.length);",
    "function debounce(fn, ms) {\n  let t;\n  return (...args) => {\n    clearTimeout(t);\n    t = setTimeout(() => fn(...args), ms);\n  };\n}",
    "document.querySelector('#save').addEventListener('click', () => {\n  localStorage.setItem('draft', editor.value)\n})",
    "useEffect(() => {\n  fetchData().then(setData);\n}, [data]);",
]
SQL_SNIPPETS = [
    "SELECT customer_id, COUNT(*) FROM orders WHERE created_at > '2024-01-01' GROUP BY customer_id;",
    "SELECT u.name, o.total FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE o.total > 100;",
    "UPDATE accounts SET balance = balance - 50 WHERE id = 7;",
]
SHELL_SNIPPETS = [
    "find . -name '*.log' -mtime +7 -exec rm {} \\;",
    "docker run -p 8080:80 -v $(pwd):/data nginx",
    "git rebase -i HEAD~3",
    "tar -czf backup.tar.gz /home/me/photos",
]
LANGS_CODE = ["Python", "JavaScript", "TypeScript", "Go", "Rust", "Java", "C#", "bash", "SQL", "Kotlin", "PHP", "C++"]


def doc(rng: random.Random, lo: int, hi: int, pool: list[str] | None = None) -> str:
    """Return a made-up document of lo..hi sentences, in paragraphs."""
    pool = pool or SENTENCES
    n = rng.randint(lo, hi)
    sentences = [rng.choice(pool) for _ in range(n)]
    paras, para = [], []
    for s in sentences:
        para.append(s)
        if len(para) >= rng.randint(3, 6):
            paras.append(" ".join(para))
            para = []
    if para:
        paras.append(" ".join(para))
    return "\n\n".join(paras)


def email(rng: random.Random, lines: int) -> str:
    """Return a made-up email with a sender, a date, an amount and a few lines."""
    who, firm = rng.choice(PEOPLE), rng.choice(COMPANIES)
    body = " ".join(rng.choice(SENTENCES + SHORT_SENTENCES) for _ in range(lines))
    return (
        f"From: {who} <{who.split()[0].lower()}@example.org>\nDate: {rng.choice(DATES)}\n"
        f"Subject: {rng.choice(TOPICS)}\n\nHello,\n\n{body}\n\nThe invoice from {firm} is {rng.choice(AMOUNTS)}, "
        f"due {rng.choice(DATES)}. Call me on +49 170 {rng.randint(1000000, 9999999)}.\n\nBest,\n{who}"
    )


def traceback(rng: random.Random) -> str:
    """Return a Python snippet and the traceback it raised."""
    code, error = rng.choice(PY_FUNCS)
    line = rng.randint(3, 40)
    return (
        f'{code}\n\nTraceback (most recent call last):\n  File "app.py", line {line}, in <module>\n'
        f'  File "app.py", line {line - 2}, in main\n{error}'
    )


def big_code(rng: random.Random) -> str:
    """Return a longer piece of code: several functions and classes."""
    parts = [rng.choice(PY_FUNCS)[0] for _ in range(rng.randint(3, 6))]
    parts += rng.sample(JS_SNIPPETS, 1) if rng.random() < 0.2 else []
    return "\n\n".join(parts)


def receipt(rng: random.Random) -> str:
    """Return a made-up shop receipt."""
    items = ["Milk 1L", "Bread", "Coffee beans 500g", "Apples 1kg", "Dish soap", "Cheese", "Pasta", "Tomatoes", "Batteries AA"]
    rows = [f"{item:20} {rng.randint(1, 9)}.{rng.randint(0, 99):02d}" for item in rng.sample(items, rng.randint(3, 8))]
    return f"{rng.choice(COMPANIES)}\n{rng.choice(DATES)}\n" + "\n".join(rows) + f"\nTOTAL {rng.choice(AMOUNTS)}\nVAT 19%"


DYNAMIC: dict[str, Callable[[random.Random], str]] = {
    "short_text": lambda rng: " ".join(rng.choice(SHORT_SENTENCES) for _ in range(rng.randint(1, 2))),
    "paragraph": lambda rng: doc(rng, 3, 6),
    "article": lambda rng: doc(rng, 8, 18),
    "long_doc": lambda rng: doc(rng, 30, 90),
    "paragraph_de": lambda rng: doc(rng, 3, 6, SENTENCES_DE),
    "article_de": lambda rng: doc(rng, 8, 16, SENTENCES_DE),
    "long_doc_de": lambda rng: doc(rng, 25, 60, SENTENCES_DE),
    "paragraph_fr": lambda rng: doc(rng, 3, 6, SENTENCES_FR),
    "paragraph_es": lambda rng: doc(rng, 3, 6, SENTENCES_ES),
    "email": lambda rng: email(rng, rng.randint(2, 5)),
    "long_email": lambda rng: "\n\n---\n\n".join(email(rng, rng.randint(4, 9)) for _ in range(rng.randint(3, 7))),
    "traceback": traceback,
    "snippet": lambda rng: rng.choice([rng.choice(PY_FUNCS)[0], *JS_SNIPPETS, *SQL_SNIPPETS]),
    "big_code": big_code,
    "shell": lambda rng: rng.choice(SHELL_SNIPPETS),
    "sql": lambda rng: rng.choice(SQL_SNIPPETS),
    "receipt": receipt,
}
