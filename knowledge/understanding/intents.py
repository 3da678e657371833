"""What an officer's words ask for: the intents of the contract's `beatline parse` JSON.

A `StrEnum`: each member is its contract string in JSON, in the audit log and in comparisons.
Imports nothing.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Intent"]


class Intent(StrEnum):
    PERSON_CHECK = "person_check"
    VEHICLE_CHECK = "vehicle_check"
    ADDRESS_CHECK = "address_check"
    INCIDENT_LOOKUP = "incident_lookup"
    WARRANT_CHECK = "warrant_check"
    HELP = "help"
    UNKNOWN = "unknown"
