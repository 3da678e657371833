"""The audit key: written as hex or base64, never printed, and made once however many init-dbs race."""

from __future__ import annotations

import base64
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from knowledge.store.audit_key import AuditKey, create_key_file, default_key_path, read_key_file

RAW = bytes(range(32))


@pytest.mark.parametrize(
    "written",
    [RAW.hex(), RAW.hex().upper(), base64.b64encode(RAW).decode(), base64.urlsafe_b64encode(RAW).decode(),
     base64.b64encode(RAW).decode().rstrip("="), f"  {RAW.hex()}\n"],
)  # fmt: skip
def test_a_key_is_read_as_hex_or_base64(written: str) -> None:
    assert AuditKey.parse(written).reveal() == RAW.hex()


@pytest.mark.parametrize("written", ["", "secret", RAW[:31].hex(), "not a key, just words" * 3, "%%%%" * 11])
def test_a_short_or_unreadable_key_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        AuditKey.parse(written)


def test_a_key_never_prints() -> None:
    key = AuditKey(RAW)
    assert RAW.hex() not in f"{key} {key!r} {[key]}"


def test_macs_of_one_purpose_never_pass_for_another() -> None:
    key = AuditKey(RAW)
    assert key.signed(key.mac("audit head", 1, "x"), "audit head", 1, "x")
    assert not key.signed(key.mac("audit head", 1, "x"), "audit checkpoint", 1, "x")
    assert not AuditKey(RAW[::-1]).signed(key.mac("audit head", 1, "x"), "audit head", 1, "x")


def test_init_dbs_racing_make_one_private_key(tmp_path: Path) -> None:
    path = tmp_path / "beatline.db.audit-key"
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda _: create_key_file(path), range(8)))
    assert made.count(True) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind
    assert len(read_key_file(path).reveal()) == 64


def test_the_default_key_file_sits_beside_an_sqlite_file(tmp_path: Path) -> None:
    assert default_key_path(f"sqlite:///{tmp_path}/x.db") == tmp_path / "x.db.audit-key"
    assert default_key_path("postgresql://db.example/beatline") == Path("beatline.audit-key")
    assert default_key_path("sqlite://") == Path("beatline.audit-key")
