"""Why an officer makes a check: the reason codes an audit entry records, with what each means."""

from __future__ import annotations

__all__ = ["REASONS", "REASON_CODES"]

REASONS: dict[str, str] = {
    "STOP": "stop and account / stop and search",
    "ARREST": "arrest or detention",
    "INV": "investigation",
    "WELFARE": "welfare or safeguarding",
    "RTC": "road traffic",
    "INTEL": "intelligence",
    "TRAINING": "training (synthetic records only)",
}
REASON_CODES: tuple[str, ...] = tuple(REASONS)
