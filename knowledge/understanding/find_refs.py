"""Incident references in an officer's words, normalised one way.

References are upper case. A system prefix (INC, CAD, CRN, URN, CRIS, OCC) is joined to its
number by one hyphen whatever was typed between them, and separators inside the number are kept
without spaces: `cad 4521 / 25` -> `CAD-4521/25`, `CRN 01/123456/24` -> `CRN-01/123456/24`.
Our own refs get their serial zero-padded: `inc 2024 4512` -> `INC-2024-004512`. After a bare
cue ("ref", "incident", "log") the number alone is the reference: `ref 4521/25` -> `4521/25`.
"""

from __future__ import annotations

import re

__all__ = ["find_incident_ref"]

_REF_SYSTEM = re.compile(
    r"(?<![^\W_])(?P<prefix>inc|cad|crn|urn|cris|occ)[\s\-_:#./]*(?:no\.?\s*)?"
    r"(?P<number>\d{4}\s+\d{1,6}|\d+(?:\s*[/\-]\s*\d+)*)(?![^\W_])",
    re.IGNORECASE,
)
_REF_CUE = re.compile(
    r"(?<![^\W_])(?:incident|ref|reference|log|occurrence|crime)\s*(?:no\.?|number|#)?[\s:#]*"
    r"(?P<number>\d+(?:\s*[/\-]\s*\d+)+|\d{3,})(?![^\W_])",
    re.IGNORECASE,
)


def find_incident_ref(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first incident reference, normalised as the module docstring says, and its span."""
    if system := _REF_SYSTEM.search(text):
        prefix, number = system["prefix"].upper(), re.sub(r"\s*([/\-])\s*", r"\1", system["number"])
        if prefix == "INC" and (ours := re.fullmatch(r"(\d{4})[\s\-/]?(\d{1,6})", number)):
            number = f"{ours[1]}-{int(ours[2]):06d}"
        return f"{prefix}-{' '.join(number.split()).replace(' ', '-')}", system.span()
    if cue := _REF_CUE.search(text):
        return re.sub(r"\s+", "", cue["number"]), cue.span("number")
    return None
