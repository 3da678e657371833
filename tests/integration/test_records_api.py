"""The reference records API (`beatline records-api`): its spec, its token, its limits, and fuzzing of
it from its own OpenAPI document with schemathesis, against the real server over HTTP.

The server runs in a thread of its own (schemathesis calls it with a blocking HTTP client) over a
SQLite database of the demo records and the known ones.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings

from bot.records_api import OPERATIONS, openapi
from knowledge.demo.dataset import load_demo_data
from knowledge.importing.importer import import_rows
from tests.support.keys import AUDIT_ENV, init_db
from tests.support.known_records import KNOWN
from tests.support.records_api import TOKEN, serving_records

SPEC = Path(__file__).resolve().parents[2] / "docs" / "records-api.openapi.json"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Beatline-Officer": "2001"}

schema = schemathesis.openapi.from_path(SPEC)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The records API on a free port, served from a thread's own event loop for the whole module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'records.db'}"
    init_db(url)
    load_demo_data(url, persons=300, seed=3)
    import_rows(url, KNOWN)
    ready: list[tuple[str, asyncio.AbstractEventLoop, asyncio.Event]] = []
    started = threading.Event()

    async def serve() -> None:
        stop = asyncio.Event()
        async with serving_records(url) as base:
            ready.append((base, asyncio.get_running_loop(), stop))
            started.set()
            await stop.wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10), "the records API did not start"
    base, loop, stop = ready[0]
    yield base
    loop.call_soon_threadsafe(stop.set)
    thread.join(5)


def get(api: str, path: str, headers: dict[str, str] | None = None, **params: str) -> requests.Response:
    return requests.get(api + path, params=params, headers=AUTH if headers is None else headers, timeout=5)


def test_the_served_spec_is_the_checked_in_one_and_needs_no_token(api: str) -> None:
    served = requests.get(api + "/openapi.json", timeout=5)
    assert served.status_code == 200
    assert served.json() == json.loads(SPEC.read_text(encoding="utf-8")) == openapi()
    assert served.json()["openapi"] == "3.1.0"


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.name)
@pytest.mark.parametrize("token", [None, "", "Bearer wrong", f"Bearer {TOKEN}x", f"bearer  {TOKEN}"])
def test_every_operation_refuses_a_missing_or_wrong_token(api: str, operation, token: str | None) -> None:
    headers = {"X-Beatline-Officer": "2001"} | ({"Authorization": token} if token is not None else {})
    refused = get(api, operation.path.replace("{", "").replace("}", ""), headers)
    assert refused.status_code == 401
    assert refused.json() == {"Error": "A valid bearer token is required."}


def test_a_known_person_is_found_and_loaded_in_the_documented_vocabulary(api: str) -> None:
    found = get(api, "/v1/persons", surname="Quixtable", given_name="Jonathan", birth_date="1985-04-03")
    assert found.status_code == 200
    first = found.json()["PersonMatches"][0]
    assert (first["PersonID"], first["BirthDateMatchCode"]) == ("PT01", "exact")
    person = get(api, "/v1/persons/PT01").json()
    assert (person["PersonGivenName"], person["PersonSurName"], person["PersonBirthDate"]) == (
        "Jonathan", "Quixtable", "1985-04-03",
    )  # fmt: skip
    assert person["PersonResidence"]["AddressID"] == "AT01"
    assert [m["MarkerCode"] for m in person["Markers"]] == ["VIOLENT"]


def test_a_shortlist_is_paged(api: str) -> None:
    pages, token = [], None
    while True:
        params = {"surname": "Quixtable", "given_name": "Jonathan", "page_size": "1"}
        page = get(api, "/v1/persons", **params, **({"page_token": token} if token else {})).json()
        pages.append([m["PersonID"] for m in page["PersonMatches"]])
        token = page["NextPageToken"]
        if token is None:
            break
    assert sorted(pid for page in pages for pid in page) == ["PT01", "PT02", "PT03"]
    assert all(len(page) == 1 for page in pages)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/persons", {"surname": "x" * 10_000}, 414),
        ("/v1/persons", {"surname": "x" * 101}, 400),
        ("/v1/persons", {}, 400),
        ("/v1/persons", {"surname": "<b>Smith</b>", "given_name": "'; DROP TABLE persons; --"}, 200),
        ("/v1/persons", {"surname": "Sm\u202eith\x00\u200b", "birth_date": "1985-04-03"}, 200),
        ("/v1/persons", {"surname": "Smith", "birth_date": "03/04/1985"}, 400),
        ("/v1/persons", {"surname": "Smith", "birth_date": "1985-02-30"}, 400),
        ("/v1/persons", {"surname": "Smith", "age": "1e9"}, 400),
        ("/v1/persons", {"surname": "Smith", "page_token": "-1"}, 400),
        ("/v1/persons", {"surname": "Smith", "min_score": "nan"}, 400),
        ("/v1/shortlist", {"ids": ",".join(["P1"] * 101)}, 400),
        ("/v1/shortlist", {"ids": "P1,,P2"}, 400),
        ("/v1/nearby-addresses", {"latitude": "91", "longitude": "0", "radius": "10"}, 400),
        ("/v1/nearby-addresses", {"latitude": "inf", "longitude": "0", "radius": "10"}, 400),
        ("/v1/persons/..%2F..%2Fopenapi.json", {}, 404),
        ("/v1/persons/" + "P" * 65, {}, 400),
        ("/v1/vehicles/QX12ABC", {"x": "y" * 5000}, 200),
        ("/v1/markers/../../etc/passwd", {}, 404),
    ],
)
def test_hostile_input_is_a_sentence_in_json_never_a_fault(api: str, path: str, params, status: int) -> None:
    answer = get(api, path, **params)
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/json")
    if status != 200:
        assert set(answer.json()) == {"Error"} and "Traceback" not in answer.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {TOKEN}"},  # no officer
        AUTH | {"X-Beatline-Officer": "x" * 65},
        AUTH | {"X-Beatline-Reason": "stop"},
        AUTH | {"X-Beatline-Reason": "STOP; DROP"},
    ],
)
def test_a_request_must_name_the_officer_and_a_well_formed_reason(api: str, headers: dict[str, str]) -> None:
    refused = get(api, "/v1/markers", headers)
    assert refused.status_code == 400 and set(refused.json()) == {"Error"}


def test_a_body_is_refused_as_too_large(api: str) -> None:
    sent = requests.request("GET", api + "/v1/markers", headers=AUTH, data=b"x" * 10_000, timeout=5)
    assert sent.status_code == 413 and set(sent.json()) == {"Error"}


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzing_from_its_own_spec_finds_nothing(case: schemathesis.Case, api: str) -> None:
    """Every response holds to the spec: documented status, content type and schema; never a 500."""
    case.call_and_validate(base_url=api, headers={"Authorization": f"Bearer {TOKEN}"})


def _records_api(url: str, *args: str, token: str = TOKEN) -> subprocess.Popen[str]:
    env = {**os.environ, "BEATLINE_DATABASE_URL": url, "BEATLINE_RECORDS_TOKEN": token}
    command = [sys.executable, "-m", "bot.cli", "records-api", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_command_serves_on_the_port_it_prints_and_stops_on_sigterm(sqlite_url: str) -> None:
    import_rows(sqlite_url, KNOWN)
    server = _records_api(sqlite_url, "--port", "0")
    try:
        assert server.stdout is not None
        base = server.stdout.readline().rsplit(" ", 1)[-1].strip()
        assert base.startswith("http://127.0.0.1:")
        assert get(base, "/v1/vehicles/QX12ABC").json()["VehicleMakeName"] == "Ford"
        assert get(base, "/v1/vehicles/QX12ABC", {"X-Beatline-Officer": "1"}).status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(10) == 0


def test_the_command_will_not_serve_beyond_this_machine_without_a_token(sqlite_url: str) -> None:
    server = _records_api(sqlite_url, "--host", "0.0.0.0", "--port", "0", token="")
    _, err = server.communicate(timeout=30)
    assert server.returncode == 2
    assert err.strip() == "beatline: Set BEATLINE_RECORDS_TOKEN before serving records beyond this machine."


def test_beatline_ask_reads_through_the_records_url(api: str, sqlite_url: str) -> None:
    env = {**os.environ, **AUDIT_ENV, "BEATLINE_DATABASE_URL": sqlite_url, "BEATLINE_RECORDS_URL": api,
           "BEATLINE_RECORDS_TOKEN": TOKEN}  # fmt: skip
    asked = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "check plate qx12 abc"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    result = json.loads(asked.stdout)
    assert result["outcome"] == "answered" and result["reply"].startswith("Vehicle QX12ABC: Red Ford Focus")
    wrong = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "check plate qx12 abc"],
        env={**env, "BEATLINE_RECORDS_TOKEN": "wrong"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert json.loads(wrong.stdout)["outcome"] == "error"
