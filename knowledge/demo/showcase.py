"""The handful of fixed synthetic records that the README and /help examples find in the demo.

"any warnings on jon smyth dob 3/4/85", "check plate ab12 cde", "history at 221b baker st" and
"incident INC-2024-004512" should answer something worth seeing on a fresh `make demo`.
"""

from __future__ import annotations

__all__ = ["SHOWCASE"]

SHOWCASE: dict[str, list[dict[str, str]]] = {
    "addresses.csv": [
        {"id": "AS0001", "line1": "221B Baker Street", "town": "London", "postcode": "NW1 6XE",
         "latitude": "51.5238", "longitude": "-0.1586", "markers": "DANGEROUS_DOG;OFFICER_SAFETY"},
    ],
    "persons.csv": [
        {"id": "PS0001", "forenames": "John", "surname": "Smith", "date_of_birth": "1985-04-03", "sex": "M",
         "aliases": "Johnny Smith;J. Smyth", "markers": "VIOLENT;WEAPONS", "address_id": "AS0001"},
    ],
    "vehicles.csv": [
        {"vrm": "AB12CDE", "make": "Ford", "model": "Focus", "colour": "Blue", "keeper_id": "PS0001",
         "markers": "STOLEN"},
    ],
    "incidents.csv": [
        {"ref": "INC-2024-004512", "occurred_at": "2024-03-02T23:15", "category": "Assault",
         "address_id": "AS0001",
         "summary": "Fight outside the address; one male arrested, dog loose in hallway.",
         "persons": "PS0001:suspect"},
    ],
    "warrants.csv": [
        {"ref": "WS0001", "person_id": "PS0001", "offence": "Failing to appear", "issued_on": "2025-06-01",
         "court": "Highbury Corner Magistrates' Court", "status": "ACTIVE"},
    ],
}  # fmt: skip
