"""`beatline records-api`: the reference records API, served over any records port (the SQL store).

It is what a force's integrator implements in front of their own system, and what Beatline's HTTP
gateway speaks. Every operation is a GET declared once in OPERATIONS: its parameters are checked
from that declaration and the OpenAPI 3.1 document (`/openapi.json`, no token needed) is generated
from it and from the wire vocabulary, so the two cannot drift. Without the bearer token: 401. Every
request must name the officer and may name the reason; both go to this server's log, the force's
record of who looked. Bad input is a 4xx JSON sentence, never a 500 or a traceback.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from knowledge.errors import RecordsUnavailable
from knowledge.matching.clean import clean_text
from knowledge.matching.scoring import PersonQuery
from knowledge.records import wire
from knowledge.records.port import Asking, Records, RecordsSource
from knowledge.records.read_model import AddressQuery
from knowledge.store.database import unavailable

__all__ = ["MAX_LINE", "MAX_QUERY", "OPERATIONS", "openapi", "openapi_json", "records_api"]

log = logging.getLogger(__name__)

MAX_QUERY = 8000  # characters of query string: a hundred ids and room to spare
MAX_BODY = 1024  # bytes: every operation is a GET, and a GET's body means nothing here
# The HTTP parser's own limit on a request line, well above MAX_QUERY, so that a long query string
# gets our 414 in JSON; only a line longer than this gets aiohttp's plain 400.
MAX_LINE = 64 * 1024
MAX_IDS = 100
PAGE_SIZE = 500
OFFICER = "X-Beatline-Officer"
REASON = "X-Beatline-Reason"

Values = dict[str, Any]


@dataclass(frozen=True)
class Param:
    """One parameter: its JSON Schema is both the documentation and the check."""

    name: str
    schema: dict[str, Any]
    required: bool = False
    where: str = "query"
    description: str = ""


def _text(name: str, most: int, *, least: int = 0, required: bool = False, what: str = "") -> Param:
    return Param(name, {"type": "string", "minLength": least, "maxLength": most}, required, description=what)


def _int(name: str, least: int, most: int, default: int | None = None, what: str = "") -> Param:
    schema: dict[str, Any] = {"type": "integer", "minimum": least, "maximum": most}
    if default is not None:
        schema["default"] = default
    return Param(name, schema, description=what)


def _number(name: str, least: float, most: float, *, required: bool = False) -> Param:
    return Param(name, {"type": "number", "minimum": least, "maximum": most}, required)


def _date(name: str, what: str) -> Param:
    return Param(name, {"type": "string", "format": "date"}, description=what)


_IDS = Param(
    "ids",
    {"type": "string", "pattern": f"^[^,]{{1,64}}(,[^,]{{1,64}}){{0,{MAX_IDS - 1}}}$"},
    required=True,
    description=f"Comma-separated record ids, at most {MAX_IDS}.",
)


def _path_id(name: str) -> Param:
    return Param(name, {"type": "string", "minLength": 1, "maxLength": 64}, True, "path")


def _limit(default: int, most: int = PAGE_SIZE) -> Param:  # the answers page long lists themselves
    return _int("limit", 1, most, default)


async def _persons(r: Records, v: Values) -> wire.Doc:
    lowest = v.get("age_min")
    ages = (lowest, v["age_max"]) if lowest is not None and v.get("age_max") is not None else None
    query = PersonQuery(
        v.get("given_name", ""), v["surname"], v.get("birth_date"), v.get("birth_year"), v.get("age"), ages
    )
    least = v.get("min_score", 0.0)
    ranked = [
        s
        for s in await r.find_persons(query, v.get("today") or dt.date.today())
        if max(s.score, s.name_score) >= least
    ]
    start, size = int(v.get("page_token", "0")), v.get("page_size", PAGE_SIZE)
    more = str(start + size) if start + size < len(ranked) else None
    return wire.PersonMatches([wire.PersonMatch.of(s) for s in ranked[start : start + size]], more)


async def _person(r: Records, v: Values) -> wire.Doc | None:
    found = await r.person(v["person_id"], incidents=v.get("incidents", 5))
    return wire.Person.of(found) if found else None


async def _shortlist(r: Records, v: Values) -> wire.Doc:
    found = await r.shortlist_entries(v["ids"])
    return wire.Shortlist([wire.ShortlistPerson.of(e) for e in found.values()])


async def _flags(r: Records, v: Values) -> wire.Doc:
    return wire.SafetyFlags(sorted(await r.safety_flagged(v["ids"])))


async def _vehicles(r: Records, v: Values) -> wire.Doc:
    found = await r.find_vehicles(v["vrm"].upper().replace(" ", ""))
    return wire.VehicleMatches([wire.VehicleMatch(wire.VehicleSummary.of(h), n) for h, n in found])


async def _starting(r: Records, v: Values) -> wire.Doc:
    start = v["prefix"].upper().replace(" ", "")
    found = await r.vehicles_starting(start, v.get("limit", 7)) if start else []
    return wire.Vehicles([wire.VehicleSummary.of(h) for h in found])


async def _vehicle(r: Records, v: Values) -> wire.Doc | None:
    found = await r.vehicle(v["vrm"])
    return wire.Vehicle.of(found) if found else None


async def _addresses(r: Records, v: Values) -> wire.Doc:
    query = AddressQuery(
        v.get("postcode"), v.get("house_number"), v.get("street"), v.get("flat"), v.get("town")
    )
    found = await r.find_addresses(query, v.get("limit", 8))
    return wire.AddressMatches([wire.AddressMatch.of(a) for a in found])


async def _flagged(r: Records, v: Values) -> wire.Doc:
    found = await r.flagged_in(v["area"], v.get("limit", 11))
    return wire.AddressMatches([wire.AddressMatch.of(a) for a in found])


async def _address(r: Records, v: Values) -> wire.Doc | None:
    found = await r.address(v["address_id"])
    return wire.Address.of(found) if found else None


async def _residents(r: Records, v: Values) -> wire.Doc:
    found = await r.residents(v["address_id"], v.get("limit", 5))
    return wire.Residents([wire.ResidentPerson.of(p) for p in found])


async def _nearby(r: Records, v: Values) -> wire.Doc:
    found = await r.addresses_within(v["latitude"], v["longitude"], v["radius"])
    return wire.NearbyAddresses([wire.NearbyAddress(d, wire.Address.of(a)) for d, a in found])


async def _incidents(r: Records, v: Values) -> wire.Doc:
    found = await r.incidents_at(v["ids"], v.get("limit", 5))
    return wire.IncidentSummaries([wire.IncidentSummary.of(i) for i in found])


async def _incident(r: Records, v: Values) -> wire.Doc | None:
    found = await r.incident(v["ref"])
    return wire.Incident.of(found) if found else None


async def _markers(r: Records, v: Values) -> wire.Doc:
    found = await r.marker_vocabulary()
    return wire.MarkerVocabulary([wire.Marker.of(m) for m in sorted(found.values(), key=lambda m: m.code)])


Handler = Callable[[Records, Values], Awaitable[wire.Doc | None]]


@dataclass(frozen=True)
class Operation:
    path: str
    name: str
    summary: str
    returns: type[wire.Doc]
    handler: Handler
    params: tuple[Param, ...] = field(default=())

    @property
    def can_miss(self) -> bool:
        """A single record by its id answers 404 when there is none; a search answers an empty list."""
        return any(p.where == "path" for p in self.params) and not self.path.endswith("/residents")


_NAME = 100  # characters of a name, street or postcode asked about
OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "/v1/persons", "findPersons", "Persons a name and dates may describe, best first.",
        wire.PersonMatches, _persons,
        (
            _text("surname", _NAME, least=1, required=True),
            _text("given_name", _NAME, what="Forenames as said; may be an initial."),
            _date("birth_date", "The date of birth asked about."),
            _int("birth_year", 1850, 2200), _int("age", 0, 150),
            _int("age_min", 0, 150), _int("age_max", 0, 150),
            _date("today", "The asker's today, for ages; the server's today if left out."),
            _number("min_score", 0, 100),
            _int("page_size", 1, PAGE_SIZE, PAGE_SIZE),
            Param("page_token", {"type": "string", "pattern": "^[0-9]{1,9}$"},
                  description="The NextPageToken of the page before."),
        ),
    ),
    Operation("/v1/persons/{person_id}", "getPerson", "A person with address, warrants and newest incidents.",
              wire.Person, _person, (_path_id("person_id"), _int("incidents", 0, 200, 5))),
    Operation("/v1/shortlist", "getShortlist", "Name, date of birth and town of each person asked about.",
              wire.Shortlist, _shortlist, (_IDS,)),
    Operation("/v1/safety-flags", "getSafetyFlags",
              "Those of the persons asked about who are wanted or carry an officer-safety marker.",
              wire.SafetyFlags, _flags, (_IDS,)),
    Operation("/v1/vehicles", "findVehicles", "Vehicles a mark may be, with the ANPR confusions each took.",
              wire.VehicleMatches, _vehicles, (_text("vrm", 16, least=1, required=True),)),
    Operation("/v1/vehicles-starting", "findVehiclesStarting", "Vehicles whose mark starts so.",
              wire.Vehicles, _starting, (_text("prefix", 16, least=2, required=True), _limit(7))),
    Operation("/v1/vehicles/{vrm}", "getVehicle", "A vehicle and its keeper.", wire.Vehicle, _vehicle,
              (_path_id("vrm"),)),
    Operation("/v1/addresses", "findAddresses", "Addresses by postcode, or house number and street.",
              wire.AddressMatches, _addresses,
              (_text("postcode", 16), _text("house_number", 16), _text("street", _NAME), _text("flat", 16),
               _text("town", _NAME), _limit(8))),
    Operation("/v1/flagged-addresses", "findFlaggedAddresses",
              "The flagged addresses of a postcode, a postcode district or a town, most severe first.",
              wire.AddressMatches, _flagged, (_text("area", _NAME, least=1, required=True), _limit(11))),
    Operation("/v1/addresses/{address_id}", "getAddress", "One address and its markers.", wire.Address,
              _address, (_path_id("address_id"),)),
    Operation("/v1/addresses/{address_id}/residents", "getResidents",
              "Who lives there, the wanted and the marked first.", wire.Residents, _residents,
              (_path_id("address_id"), _limit(5))),
    Operation("/v1/nearby-addresses", "findNearbyAddresses", "Addresses within a radius, nearest first.",
              wire.NearbyAddresses, _nearby,
              (_number("latitude", -90, 90, required=True), _number("longitude", -180, 180, required=True),
               _number("radius", 0, 2000, required=True))),
    Operation("/v1/incidents", "findIncidents", "The newest incidents at any of these addresses.",
              wire.IncidentSummaries, _incidents, (_IDS, _limit(5))),
    Operation("/v1/incidents/{ref}", "getIncident", "An incident, where it happened, and who was involved.",
              wire.Incident, _incident, (_path_id("ref"),)),
    Operation("/v1/markers", "getMarkers", "The marker vocabulary.", wire.MarkerVocabulary, _markers),
)  # fmt: skip


class BadInput(Exception):
    """A parameter that does not hold to its schema; the message says which, for the integrator."""


_WHOLE = re.compile(r"-?[0-9]{1,11}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OFFICER = re.compile(r"[0-9A-Za-z:._@-]{1,64}")
_REASON = re.compile(r"[A-Z]{0,16}")


def _check(param: Param, raw: str) -> Any:
    """The value `raw` holds for `param`, or BadInput: the schema, read as a check."""
    schema, bad = param.schema, BadInput(f"{param.name} must be {_kind(param.schema)}")
    if param is _IDS:
        ids = raw.split(",")
        if len(ids) > MAX_IDS or any(not 1 <= len(i) <= 64 for i in ids):
            raise bad
        return [clean_text(i, 65) for i in ids]
    if schema.get("format") == "date":
        try:
            if _DATE.fullmatch(raw):
                return dt.date.fromisoformat(raw)
        except ValueError:
            pass
        raise bad
    if schema["type"] in ("integer", "number"):
        try:
            value = int(raw) if schema["type"] == "integer" and _WHOLE.fullmatch(raw) else float(raw)
        except ValueError:
            raise bad from None
        if schema["type"] == "integer" and not isinstance(value, int):
            raise bad
        if not (math.isfinite(value) and schema["minimum"] <= value <= schema["maximum"]):
            raise bad
        return value
    if not schema.get("minLength", 0) <= len(raw) <= schema.get("maxLength", MAX_QUERY):
        raise bad
    if "pattern" in schema and not re.search(schema["pattern"], raw):
        raise bad
    return clean_text(raw, len(raw) + 1)  # no control character or direction override reaches a store


def _kind(schema: Mapping[str, Any]) -> str:
    if schema.get("format") == "date":
        return "a date, YYYY-MM-DD"
    if schema["type"] in ("integer", "number"):
        whole = "whole " if schema["type"] == "integer" else ""
        return f"a {whole}number from {schema['minimum']} to {schema['maximum']}"
    if "pattern" in schema:
        return "a NextPageToken"
    return f"text of {schema.get('minLength', 0)} to {schema['maxLength']} characters"


def _problem(status: int, sentence: str) -> web.Response:
    return web.Response(
        status=status, body=wire.encode(wire.Problem(sentence)), content_type="application/json"
    )


def _authorised(request: web.Request, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def _endpoint(
    operation: Operation, records: RecordsSource
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def endpoint(request: web.Request) -> web.Response:
        officer, reason = request.headers.get(OFFICER, ""), request.headers.get(REASON, "")
        if not _OFFICER.fullmatch(officer):
            return _problem(400, f"{OFFICER} must name the officer asking (1 to 64 letters, digits, :._@-).")
        if not _REASON.fullmatch(reason):
            return _problem(400, f"{REASON} must be a reason code in capitals, at most 16 letters.")
        values: Values = {}
        for param in operation.params:
            raw = (
                request.match_info.get(param.name) if param.where == "path" else request.query.get(param.name)
            )
            if raw is None:
                if param.required:
                    return _problem(400, f"{param.name} is required.")
                continue
            try:
                values[param.name] = _check(param, raw)
            except BadInput as bad:
                return _problem(400, f"{bad}.")
        log.info("records read: %s by officer %s for reason %s", operation.name, officer, reason or "-")
        try:
            async with records.view(Asking(reason, officer)) as view:
                found = await operation.handler(view, values)
        except RecordsUnavailable:
            return _problem(503, "The records store is not answering; try again.")
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("records store unavailable: %s", type(exc).__name__)
            return _problem(503, "The records store is not answering; try again.")
        if found is None:
            return _problem(404, "No such record.")
        return web.Response(body=wire.encode(found), content_type="application/json")

    return endpoint


@web.middleware
async def _no_tracebacks(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Every answer is JSON: aiohttp's own refusals too, and a fault of ours is logged, not shown."""
    if len(request.query_string) > MAX_QUERY:
        return _problem(414, f"The query string is longer than {MAX_QUERY} characters.")
    if (request.content_length or 0) > MAX_BODY or (request.body_exists and request.content_length is None):
        return _problem(413, "Requests to the records API carry no body.")
    try:
        return await handler(request)
    except web.HTTPException as refusal:  # aiohttp's own: 404, 405 (with its Allow header), 413
        problem = _problem(refusal.status, refusal.reason)
        if "Allow" in refusal.headers:
            problem.headers["Allow"] = refusal.headers["Allow"]
        return problem
    except Exception:
        resource = request.match_info.route.resource  # the route, not the path: a path names a record
        log.exception("records API fault on %s", resource.canonical if resource else "an unknown route")
        return _problem(500, "The records API failed on this request.")


def records_api(records: RecordsSource, *, token: str) -> web.Application:
    """The reference records API over `records`; every operation but the spec needs `token`."""

    @web.middleware
    async def bearer(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path != "/openapi.json" and token and not _authorised(request, token):
            return _problem(401, "A valid bearer token is required.")
        return await handler(request)

    app = web.Application(middlewares=[_no_tracebacks, bearer], client_max_size=MAX_BODY)
    spec = openapi_json().encode()

    async def serve_spec(_: web.Request) -> web.Response:
        return web.Response(body=spec, content_type="application/json")

    app.router.add_get("/openapi.json", serve_spec)
    for operation in OPERATIONS:
        app.router.add_get(operation.path, _endpoint(operation, records))
    return app


def openapi_json() -> str:
    """The document as served and as checked in (docs/records-api.openapi.json)."""
    return json.dumps(openapi(), indent=2, ensure_ascii=False) + "\n"


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of OPERATIONS, with the wire vocabulary as its schemas."""
    schemas = wire.schemas("#/components/schemas/{name}")
    error = {"description": "A sentence saying what was wrong.", "content": _json("Problem")}
    paths: dict[str, Any] = {}
    for op in OPERATIONS:
        responses = {
            "200": {"description": op.summary, "content": _json(op.returns.__name__)},
            "400": error,
            "401": error,
            "414": error,
            "503": error,
        }
        if op.can_miss:
            responses["404"] = error
        paths[op.path] = {
            "get": {
                "operationId": op.name,
                "summary": op.summary,
                "parameters": [_header(OFFICER, True), _header(REASON, False)]
                + [_parameter(p) for p in op.params],
                "responses": responses,
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Beatline records API",
            "version": "1.0.0",
            "description": "The records a force's own system gives Beatline: see docs/records-api.md.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _json(name: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def _parameter(p: Param) -> dict[str, Any]:
    found: dict[str, Any] = {"name": p.name, "in": p.where, "required": p.required, "schema": p.schema}
    if p.description:
        found["description"] = p.description
    return found


def _header(name: str, required: bool) -> dict[str, Any]:
    schema = (
        {"type": "string", "pattern": "^[0-9A-Za-z:._@-]{1,64}$"}
        if required
        else {"type": "string", "pattern": "^[A-Z]{0,16}$"}
    )
    what = "The officer asking: a Telegram id." if required else "Why: a reason code (STOP, ARREST, ...)."
    return {"name": name, "in": "header", "required": required, "schema": schema, "description": what}
