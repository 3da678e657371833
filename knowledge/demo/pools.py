"""Word pools and single-record makers for the demo data: the realism lives here, the volume in demo.py."""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker

__all__ = ["Pools"]

# Spellings of one name that different systems hold for the same or similar people.
_FORENAME_VARIANTS = {
    "M": [
        ("Mohammed", "Muhammad", "Mohamed", "Mohammad"),
        ("John", "Jon"),
        ("Stephen", "Steven"),
        ("Sean", "Seán", "Shaun"),
        ("José",),
        ("Zoltán",),
        ("Francois", "François"),
    ],
    "F": [
        ("Catherine", "Kathryn", "Katherine"),
        ("Zoë", "Zoe"),
        ("Siân", "Sian"),
        ("Chloë", "Chloe"),
        ("Renée",),
        ("Niamh",),
        ("Aoife",),
    ],
}
_SURNAME_VARIANTS = [
    ("Smith", "Smyth"),
    ("O'Brien", "O'Brian"),
    ("McDonald", "MacDonald"),
    ("Ahmed", "Ahmad"),
    ("Khan",),
    ("Patel",),
    ("Nguyen",),
    ("Núñez",),
    ("Kowalski",),
    ("O'Neill",),
    ("Mackenzie", "McKenzie"),
    ("Thomson", "Thompson"),
]
_NICKNAMES = {
    "John": "Johnny",
    "Jon": "Jonny",
    "Michael": "Mick",
    "William": "Billy",
    "Robert": "Bob",
    "James": "Jim",
    "Thomas": "Tom",
    "Daniel": "Danny",
    "Christopher": "Chris",
    "David": "Dave",
    "Anthony": "Tony",
    "Katherine": "Kate",
    "Catherine": "Cath",
    "Elizabeth": "Liz",
    "Margaret": "Maggie",
    "Jennifer": "Jen",
    "Rebecca": "Becky",
    "Mohammed": "Mo",
}
_STREET_TYPES = [
    "Street",
    "Road",
    "Road",
    "Lane",
    "Avenue",
    "Close",
    "Gardens",
    "Grove",
    "Crescent",
    "Way",
    "Place",
    "Terrace",
    "Hill",
    "Mews",
    "Rise",
    "Walk",
    "Square",
    "Drive",
]
_STREET_WORDS = [
    "High",
    "Church",
    "Station",
    "Park",
    "Victoria",
    "Queens",
    "Kings",
    "Mill",
    "London",
    "Manor",
    "Green",
    "Chapel",
    "Albert",
    "Windsor",
    "New",
]
_TOWNS = [
    "London",
    "Camden",
    "Islington",
    "Hackney",
    "Tower Hamlets",
    "Southwark",
    "Lambeth",
    "Brixton",
    "Croydon",
    "Ealing",
    "Harrow",
    "Barnet",
    "Enfield",
    "Walthamstow",
    "Stratford",
    "Lewisham",
    "Greenwich",
    "Wimbledon",
    "Hammersmith",
    "Wembley",
    "Romford",
    "Ilford",
    "Peckham",
    "Tottenham",
]
_VRM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # I, Q and Z are not used in the random letters
# Northern Ireland's county codes: the I or Z is what tells such a mark apart.
_NI_CODES = [
    "AZ",
    "BZ",
    "CZ",
    "DZ",
    "EZ",
    "FZ",
    "GZ",
    "HZ",
    "IA",
    "IB",
    "IG",
    "IJ",
    "IL",
    "JZ",
    "KZ",
    "LZ",
    "MZ",
    "NZ",
    "OI",
    "OZ",
    "RZ",
    "SZ",
    "TZ",
    "UI",
    "UZ",
    "WZ",
    "XI",
    "YZ",
]
_MARKERS = {  # the contract's default codes, weighted by how often a force records them
    "person": {
        "VIOLENT": 30,
        "DRUGS": 25,
        "WEAPONS": 12,
        "MENTAL_HEALTH": 12,
        "SELF_HARM": 6,
        "SUICIDAL": 4,
        "ALLEGES": 5,
        "ESCAPER": 2,
        "MISSING": 3,
        "FIREARMS": 2,
        "CONTAGION": 1,
        "EXPLOSIVES": 1,
    },
    "vehicle": {
        "NO_INSURANCE": 30,
        "NO_MOT": 25,
        "NO_TAX": 25,
        "ANPR_INTEREST": 12,
        "STOLEN": 5,
        "CLONED": 3,
    },
    "address": {
        "DANGEROUS_DOG": 35,
        "VULNERABLE_OCCUPANT": 35,
        "OFFICER_SAFETY": 20,
        "FIREARMS_AT_ADDRESS": 10,
    },
}
_SUMMARIES = {
    "Burglary": "Entry forced via {entry}; {item} taken. Occupant {state}.",
    "Assault": "Caller reports assault outside {place}; injuries {injury}.",
    "Domestic": "Verbal argument reported by neighbour; parties {state}. DASH risk {risk}.",
    "Theft": "{item} stolen from {place}; CCTV requested.",
    "Criminal damage": "Damage to {target} at {place}; suspect left on foot.",
    "ASB": "Group of youths causing nuisance near {place}; dispersed on arrival.",
    "Drugs": "Suspected cannabis smell from {place}; intelligence submitted.",
    "Public order": "Disturbance at {place}; words of advice given.",
    "Concern for welfare": "Family unable to contact occupant; {state} on police arrival.",
}
_WORDS = {
    "entry": ["rear window", "front door", "patio door", "garage"],
    "item": ["laptop", "jewellery", "bicycle", "car keys", "mobile phone", "cash"],
    "state": ["safe and well", "not present", "shaken but unhurt", "spoken to"],
    "place": ["the shop", "the station", "the pub", "the park", "the school gates", "the address"],
    "injury": ["minor", "none visible", "treated by LAS"],
    "risk": ["standard", "medium", "high"],
    "target": ["car windscreen", "front door", "fence", "bus shelter"],
}


class Pools:
    """Faker-drawn pools plus fixed lists; every method draws from the one seeded `random.Random`."""

    MAKES = [
        ("Ford", "Fiesta"),
        ("Ford", "Focus"),
        ("Vauxhall", "Corsa"),
        ("Vauxhall", "Astra"),
        ("Volkswagen", "Golf"),
        ("Volkswagen", "Polo"),
        ("BMW", "3 Series"),
        ("Audi", "A3"),
        ("Mercedes-Benz", "C-Class"),
        ("Toyota", "Yaris"),
        ("Nissan", "Qashqai"),
        ("Kia", "Sportage"),
        ("Peugeot", "208"),
        ("Renault", "Clio"),
        ("Honda", "Civic"),
        ("Tesla", "Model 3"),
        ("Land Rover", "Range Rover"),
        ("MINI", "Cooper"),
        ("Skoda", "Octavia"),
        ("Ford", "Transit"),
    ]
    COLOURS = ["Black", "White", "Silver", "Grey", "Blue", "Red", "Green", "Yellow", "Orange", "Brown"]
    CATEGORIES = list(_SUMMARIES)
    ROLES = ("suspect", "victim", "witness", "subject", "other")
    ROLE_WEIGHTS = (35, 30, 20, 10, 5)
    OFFENCES = [
        "Failure to appear",
        "Breach of bail",
        "Assault occasioning ABH",
        "Theft",
        "Burglary",
        "Non-payment of fine",
        "Breach of community order",
        "Possession with intent to supply",
        "Robbery",
        "Breach of non-molestation order",
        "Fraud by false representation",
    ]
    COURTS = [
        "Westminster Magistrates' Court",
        "Highbury Corner Magistrates' Court",
        "Thames Magistrates' Court",
        "Croydon Magistrates' Court",
        "Southwark Crown Court",
        "Snaresbrook Crown Court",
        "Wood Green Crown Court",
        "Central Criminal Court",
    ]

    def __init__(self, faker: Faker, rng: random.Random, addresses: int) -> None:
        self.rng = rng
        self.addresses = addresses
        # Drawn with repeats, so Faker's name frequencies (Smith is common) survive the sampling.
        self.forenames = {
            "M": [faker.first_name_male() for _ in range(600)],
            "F": [faker.first_name_female() for _ in range(600)],
        }
        self.surnames = [faker.last_name() for _ in range(2000)]
        self.postcodes = [faker.postcode() for _ in range(max(1, min(addresses // 6, 60_000)))]
        self.streets = [
            f"{rng.choice(_STREET_WORDS + self.surnames[:200])} {rng.choice(_STREET_TYPES)}"
            for _ in range(max(20, min(addresses // 20, 5000)))
        ] + ["Baker Street", "High Road"]
        self._born_from = dt.date(1940, 1, 1)
        self._born_days = (dt.date(2008, 12, 31) - self._born_from).days

    def address(self, key: str) -> dict[str, str]:
        rng = self.rng
        street, number, shape = rng.choice(self.streets), rng.randint(1, 250), rng.random()
        if shape < 0.15:
            line1 = f"Flat {rng.randint(1, 30)}, {number} {street}"
        elif shape < 0.22:
            line1 = f"{number}{rng.choice('ABC')} {street}"
        else:
            line1 = f"{number} {street}"
        return {
            "id": key,
            "line1": line1,
            "town": rng.choice(_TOWNS),
            "postcode": rng.choice(self.postcodes),
            "latitude": f"{rng.uniform(51.28, 51.69):.5f}",
            "longitude": f"{rng.uniform(-0.51, 0.33):.5f}",
            "markers": self.markers("address", 0.03),
        }

    def person(self, key: str, address_id: str) -> dict[str, str]:
        rng = self.rng
        sex = "M" if rng.random() < 0.5 else "F"
        forename, surname = self._forename(sex), self._surname()
        if rng.random() < 0.004:
            sex, forename, surname = "M", "John", "Smith"
        forenames = f"{forename} {self._forename(sex)}" if rng.random() < 0.25 else forename
        recorded_sex = "X" if rng.random() < 0.003 else "" if rng.random() < 0.01 else sex
        born = self._born_from + dt.timedelta(days=rng.randrange(self._born_days))
        return {
            "id": key,
            "forenames": forenames,
            "surname": surname,
            "date_of_birth": born.isoformat(),
            "sex": recorded_sex,
            "aliases": self._aliases(forename, surname) if rng.random() < 0.1 else "",
            "markers": self.markers("person", 0.08),
            "address_id": address_id,
        }

    def _forename(self, sex: str) -> str:
        if self.rng.random() < 0.06:
            return self.rng.choice(self.rng.choice(_FORENAME_VARIANTS[sex]))
        return self.rng.choice(self.forenames[sex])

    def _surname(self) -> str:
        rng, roll = self.rng, self.rng.random()
        if roll < 0.06:
            return rng.choice(rng.choice(_SURNAME_VARIANTS))
        if roll < 0.08:  # double-barrelled
            return f"{rng.choice(self.surnames)}-{rng.choice(self.surnames)}"
        return rng.choice(self.surnames)

    def _aliases(self, forename: str, surname: str) -> str:
        rng = self.rng
        variant = next((rng.choice(group) for group in _SURNAME_VARIANTS if surname in group), surname)
        shapes = [f"{forename[0]}. {variant}", f"{forename} {rng.choice(self.surnames)}"]
        if forename in _NICKNAMES:
            shapes.append(f"{_NICKNAMES[forename]} {surname}")
        return ";".join(rng.sample(shapes, k=rng.choice((1, 1, 2))))

    def markers(self, kind: str, rate: float) -> str:
        if self.rng.random() >= rate:
            return ""
        weights = _MARKERS[kind]
        codes = self.rng.choices(list(weights), list(weights.values()), k=self.rng.choice((1, 1, 2)))
        return ";".join(dict.fromkeys(codes))

    def vrm(self) -> str:
        """A plate as written on a record, spaced as on the plate, in one of the five UK formats."""
        rng = self.rng

        def letters(n: int) -> str:
            return "".join(rng.choices(_VRM_LETTERS, k=n))

        def digits(low: int, high: int) -> str:
            return str(rng.randint(low, high))

        roll = rng.random()
        if roll < 0.70:
            age = rng.choice([f"{y:02d}" for y in range(2, 27)] + [str(y) for y in range(51, 76)])
            return f"{letters(2)}{age} {letters(3)}"
        if roll < 0.82:
            return f"{letters(1)}{digits(1, 999)} {letters(3)}"
        if roll < 0.90:
            return f"{letters(3)} {digits(1, 999)}{letters(1)}"
        if roll < 0.94:
            if rng.random() < 0.5:
                return f"{letters(3)} {digits(1, 999)}"
            return f"{digits(1, 9999)} {letters(2)}"
        return f"{letters(1)}{rng.choice(_NI_CODES)} {digits(1, 9999)}"

    def summary(self, category: str) -> str:
        return _SUMMARIES[category].format(**{k: self.rng.choice(v) for k, v in _WORDS.items()})
