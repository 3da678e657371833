"""The records API's documents: every record survives the trip to JSON and back unchanged, and a
document that is not exactly one fails whole."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.matching.scoring import DobMatch, ScoredPerson
from knowledge.records import wire
from knowledge.records.breaker import Breaker
from knowledge.records.read_model import (
    AddressRecord,
    IncidentRecord,
    Involved,
    Involvement,
    MarkerInfo,
    PersonRecord,
    VehicleHit,
    VehicleRecord,
    WarrantInfo,
)

text = st.text(max_size=40)
ids = st.text(min_size=1, max_size=64)
# Stored incident times carry no zone; a force's system may send whole-minute offsets (RFC 3339
# has no seconds in an offset, so a zone's historical LMT offset could not survive any JSON).
zones = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
)
times = st.datetimes() | st.datetimes(timezones=zones)
markers = st.tuples(*[st.builds(MarkerInfo, ids, text, st.integers(0, 100))] * 2)
coordinate = st.none() | st.floats(-180, 180, allow_nan=False)
addresses = st.builds(AddressRecord, ids, text, text, text, markers, coordinate, coordinate)
warrants = st.builds(WarrantInfo, ids, text, st.dates(), text, ids)
persons = st.builds(
    PersonRecord,
    ids, text, text, st.none() | st.dates(), ids, st.lists(text, max_size=3).map(tuple), markers,
    st.lists(warrants, max_size=3).map(tuple), st.none() | addresses,
    st.lists(st.builds(Involvement, ids, times, text, text), max_size=3).map(tuple),
    st.lists(st.builds(VehicleHit, ids, text, text, text, markers), max_size=2).map(tuple),
)  # fmt: skip
vehicles = st.builds(VehicleRecord, ids, text, text, text, markers, st.none() | persons)
incidents = st.builds(
    IncidentRecord, ids, times, text, text, st.none() | addresses,
    st.lists(st.builds(Involved, ids, text, text, text, st.booleans(), markers), max_size=3).map(tuple),
)  # fmt: skip


def _trip(document: wire.Doc) -> wire.Doc:
    return wire.decode(wire.encode(document), type(document))


@given(persons)
def test_a_person_survives_json(person: PersonRecord) -> None:
    assert _trip(wire.Person.of(person)).record() == person  # type: ignore[attr-defined]


@given(vehicles)
def test_a_vehicle_survives_json(vehicle: VehicleRecord) -> None:
    assert _trip(wire.Vehicle.of(vehicle)).record() == vehicle  # type: ignore[attr-defined]


@given(incidents)
def test_an_incident_survives_json(incident: IncidentRecord) -> None:
    assert _trip(wire.Incident.of(incident)).record() == incident  # type: ignore[attr-defined]


@given(st.builds(ScoredPerson, ids, st.floats(0, 100), st.floats(0, 100), st.sampled_from(DobMatch)))
def test_a_match_survives_json(match: ScoredPerson) -> None:
    assert _trip(wire.PersonMatch.of(match)).record() == match  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>502 Bad Gateway</html>",
        b'{"PersonMatches": [{"PersonID": "P1", "Match',
        b'{"PersonMatches": [{"PersonID": "P1", "MatchScore": "high", "NameScore": 1, '
        b'"BirthDateMatchCode": "exact"}], "NextPageToken": null}',
        b'{"PersonMatches": [{"PersonID": "P1", "MatchScore": 101, "NameScore": 1, '
        b'"BirthDateMatchCode": "exact"}], "NextPageToken": null}',
        b'{"PersonMatches": [{"PersonID": "P1", "MatchScore": 90, "NameScore": 90, '
        b'"BirthDateMatchCode": "probably"}], "NextPageToken": null}',
        b'{"PersonMatches": [{"PersonID": "' + b"P" * 65 + b'", "MatchScore": 90, "NameScore": 90, '
        b'"BirthDateMatchCode": "exact"}], "NextPageToken": null}',
        b'{"PersonMatches": []}',
        b"[]",
    ],
)
def test_a_document_that_is_not_exactly_one_fails_whole(body: bytes) -> None:
    with pytest.raises((msgspec.DecodeError, msgspec.ValidationError)):
        wire.decode(body, wire.PersonMatches)


def test_the_breaker_opens_after_failures_refuses_then_lets_one_probe_through() -> None:
    now = [0.0]
    breaker = Breaker(threshold=3, cooldown=10, clock=lambda: now[0])
    for _ in range(2):
        assert breaker.allow()
        breaker.failed()
    assert breaker.allow() and not breaker.is_open
    breaker.failed()
    assert breaker.is_open and not breaker.allow()
    now[0] = 10.0
    assert breaker.allow() and not breaker.allow()  # one probe at a time
    breaker.failed()  # the probe failed: another cooldown
    assert not breaker.allow()
    now[0] = 20.0
    assert breaker.allow()
    breaker.succeeded()
    assert not breaker.is_open and breaker.allow() and breaker.allow()


def test_a_time_of_day_keeps_its_zone_or_its_absence() -> None:
    naive, aware = dt.datetime(2026, 1, 2, 3, 4), dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    for moment in (naive, aware):
        assert _trip(wire.IncidentSummary("I1", moment, "", "")).occurred_at.tzinfo == moment.tzinfo  # type: ignore[attr-defined]
