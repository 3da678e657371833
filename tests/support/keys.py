"""The audit key the tests sign with: made afresh for every run, so that no real secret is committed."""

from __future__ import annotations

from knowledge.store import audit
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import upgrade_schema

AUDIT_KEY = AuditKey.generate()
AUDIT_ENV = {"BEATLINE_AUDIT_KEY": AUDIT_KEY.reveal()}  # for a `beatline` started as a subprocess


def init_db(url: str) -> None:
    """What `beatline init-db` does, with the tests' key: the latest schema, and the audit log sealed."""
    upgrade_schema(url)
    audit.seal(url, AUDIT_KEY)
