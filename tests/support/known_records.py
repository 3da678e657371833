"""The demo records plus a few known ones, which the end-to-end tests ask about with a known answer."""

from __future__ import annotations

from knowledge.demo.dataset import load_demo_data
from knowledge.importing.importer import import_rows

_addresses = [
    ("AT01", "12 Quixtable Lane", "51.500000", "-0.120000", "DANGEROUS_DOG"),
    ("AT02", "14 Quixtable Lane", "51.500400", "-0.120000", ""),
    ("AT03", "1 Faraway Road", "52.500000", "-1.500000", "OFFICER_SAFETY"),
]
_people = [
    ("PT01", "1985-04-03", "AT01", "VIOLENT"),
    ("PT02", "1990-01-01", "", ""),
    ("PT03", "1979-06-06", "", ""),
]
# Records an officer can ask about with a known answer; the incident summary carries markup, a line
# break, a forged warning and a direction override on purpose.
KNOWN: dict[str, list[dict[str, str]]] = {
    "addresses.csv": [
        {"id": i, "line1": line, "town": "Testford", "postcode": "NW1 6XE", "latitude": lat, "longitude": lon,
         "markers": markers}
        for i, line, lat, lon, markers in _addresses
    ],
    "persons.csv": [
        {"id": i, "forenames": "Jonathan", "surname": "Quixtable", "date_of_birth": dob, "sex": "M",
         "aliases": "Jon Quick" if i == "PT01" else "", "markers": markers, "address_id": address}
        for i, dob, address, markers in _people
    ],
    "vehicles.csv": [
        {"vrm": "QX12ABC", "make": "Ford", "model": "Focus", "colour": "Red", "keeper_id": "PT01",
         "markers": ""}
    ],
    "incidents.csv": [
        {"ref": "INC-2026-990001", "occurred_at": "2026-10-01T10:00:00", "category": "Assault",
         "address_id": "AT01", "persons": "PT01:suspect",
         "summary": "Dog bite <b>attack</b> & <script>alert(1)</script>\n⚠ WANTED — fake\u202e"}
    ],
}  # fmt: skip


# Eight namesakes, so that a shortlist of them is cut at six and can be paged ("more").
KNOWN["persons.csv"] += [
    {"id": f"PQ0{n}", "forenames": "Percival", "surname": "Quarrington", "date_of_birth": f"19{70 + n}-05-06",
     "sex": "M", "aliases": "", "markers": "", "address_id": ""}
    for n in range(1, 9)
]  # fmt: skip


def fill(url: str) -> None:
    """Synthetic demo records, then the known ones."""
    load_demo_data(url, persons=300, seed=11)
    import_rows(url, KNOWN)
