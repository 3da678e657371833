"""Mutual TLS to the records system: BEATLINE_RECORDS_CERT, _KEY and _CA, with certificates made here.

A private CA signs the records API's certificate and the gateway's; the API requires a client
certificate from that CA. Without one, or trusting another CA, the answer is the audited error.
"""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services import records_source
from bot.settings import Secret, Settings, SettingsError
from knowledge.answers.disclosure import RECORDS_DOWN
from knowledge.answers.dispatch import answer
from knowledge.importing.importer import import_rows
from knowledge.records.gateway import Gateway
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY
from tests.support.known_records import KNOWN
from tests.support.records_api import TOKEN, serving_records

OFFICER = Caller(actor="tg:2001", role="officer", telegram_user_id=2001, chat_id=2001)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _signed(name: str, subject: str, cwd: Path, extension: str) -> None:
    (cwd / f"{name}.ext").write_text(extension)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
             "-subj", subject, cwd=cwd)  # fmt: skip
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=cwd)  # fmt: skip


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
             "-days", "2", "-subj", "/CN=Test Force CA", cwd=where)  # fmt: skip
    _signed("server", "/CN=127.0.0.1", where, "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    _signed("client", "/CN=beatline", where, "extendedKeyUsage=clientAuth\n")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem",
             "-days", "2", "-subj", "/CN=Another CA", cwd=where)  # fmt: skip
    return where


@pytest.fixture
async def api(certs: Path, sqlite_url: str) -> AsyncIterator[str]:
    import_rows(sqlite_url, KNOWN)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs / "ca.pem"))
    tls.load_cert_chain(str(certs / "server.pem"), str(certs / "server.key"))
    tls.verify_mode = ssl.CERT_REQUIRED  # mutual: no client certificate from the CA, no connection
    async with serving_records(sqlite_url, tls=tls) as base:
        yield base


async def _ask(sqlite_url: str, settings: Settings) -> str:
    db = Database(sqlite_url, audit_key=AUDIT_KEY)
    records = records_source(settings, db)
    assert isinstance(records, Gateway)
    try:
        return (await answer(db, OFFICER, "check plate qx12 abc", reason="INV", records=records)).reply
    finally:
        await records.close()
        await db.dispose()


def _settings(api: str, certs: Path, **files: str) -> Settings:
    paths = {name: certs / file for name, file in files.items()}
    return Settings(records_url=api, records_token=Secret(TOKEN), records_timeout=2.0, **paths)


async def test_with_its_certificate_and_the_forces_ca_the_gateway_is_answered(
    api: str, certs: Path, sqlite_url: str
) -> None:
    settings = _settings(api, certs, records_cert="client.pem", records_key="client.key", records_ca="ca.pem")
    assert (await _ask(sqlite_url, settings)).startswith("Vehicle QX12ABC: Red Ford Focus")


@pytest.mark.parametrize(
    "files",
    [
        {"records_ca": "ca.pem"},  # no client certificate
        {"records_cert": "client.pem", "records_key": "client.key"},  # the system's CAs, not the force's
        {"records_cert": "client.pem", "records_key": "client.key", "records_ca": "other.pem"},
    ],
)
async def test_without_its_certificate_or_trusting_another_ca_it_is_the_error(
    api: str, certs: Path, sqlite_url: str, files: dict[str, str]
) -> None:
    assert await _ask(sqlite_url, _settings(api, certs, **files)) == RECORDS_DOWN


def test_an_unreadable_certificate_is_one_sentence_at_start_up(certs: Path, sqlite_url: str) -> None:
    settings = _settings("https://127.0.0.1:1", certs, records_cert="missing.pem", records_ca="ca.pem")
    with pytest.raises(SettingsError, match="BEATLINE_RECORDS_CERT"):
        records_source(settings, Database(sqlite_url))
