"""The records port over HTTP: a force's own records system behind `BEATLINE_RECORDS_URL`.

One pooled aiohttp session per process. Each question gets one view and one deadline
(`BEATLINE_RECORDS_TIMEOUT`, for the whole answer: every request and retry within it); every
request names the reason code and the officer (`X-Beatline-Reason`, `X-Beatline-Officer`) and
carries the bearer token, over mutual TLS when a certificate is configured. Every read is a GET, so
each may be retried, after a jittered back-off, when the connection fails or the system answers
5xx. A circuit breaker refuses at once while the system is down. Anything else that is not a
well-formed document (a 401, garbage, a wrong type) fails the whole answer: `RecordsUnavailable`,
which the audited path turns into the `error` answer; nothing stale, nothing partial.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import ssl
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import aiohttp
import msgspec
from yarl import URL

from knowledge.errors import RecordsUnavailable
from knowledge.matching.scoring import PersonQuery, ScoredPerson
from knowledge.records import wire
from knowledge.records.breaker import Breaker
from knowledge.records.port import Asking, Records
from knowledge.records.read_model import (
    AddressHit,
    AddressQuery,
    AddressRecord,
    IncidentAt,
    IncidentRecord,
    MarkerInfo,
    PersonRecord,
    Resident,
    ShortlistEntry,
    VehicleHit,
    VehicleRecord,
)

__all__ = ["MAX_BODY", "Gateway", "GatewayConfig", "client_tls"]

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_BODY = 8 * 1024 * 1024  # bytes: a bigger answer is not a records document
IDS_PER_REQUEST = 100  # ids in one query string, well under any server's line limit
MAX_MATCHES = 3000  # as many as the SQL store's search considers
ATTEMPTS = 3
BACKOFF = 0.05  # seconds: the first retry waits up to this, the next up to twice it


class Refused(RecordsUnavailable):
    """The records system answered, but refused the request (a 4xx): it is not down."""


@dataclass(frozen=True)
class GatewayConfig:
    url: str
    token: str = ""
    timeout: float = 3.0
    tls: ssl.SSLContext | None = None


def client_tls(cert: Path | None, key: Path | None, ca: Path | None) -> ssl.SSLContext | None:
    """The TLS context for mutual TLS and a private CA; None for the system's defaults."""
    if cert is None and ca is None:
        return None
    context = ssl.create_default_context(cafile=str(ca) if ca else None)
    if cert is not None:
        context.load_cert_chain(str(cert), str(key) if key else None)
    return context


class Gateway:
    """A force's records system, reached over HTTP; one per process."""

    def __init__(self, config: GatewayConfig, breaker: Breaker | None = None) -> None:
        self.config = config
        self.base = URL(config.url.rstrip("/") + "/")
        self.breaker = breaker or Breaker()
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use, inside the running loop, and kept: one connection pool per process.
        if self._session is None or self._session.closed:
            headers = {"Accept": "application/json"}
            if self.config.token:
                headers["Authorization"] = f"Bearer {self.config.token}"
            self._session = aiohttp.ClientSession(
                headers=headers,
                connector=aiohttp.TCPConnector(limit=50, ssl=self.config.tls or True),
                timeout=aiohttp.ClientTimeout(total=self.config.timeout),
                raise_for_status=False,
            )
        return self._session

    def view(self, asking: Asking) -> AbstractAsyncContextManager[Records]:
        return self._within_deadline(asking)

    @asynccontextmanager
    async def _within_deadline(self, asking: Asking) -> AsyncIterator[Records]:
        if not self.breaker.allow():
            raise RecordsUnavailable("circuit open: the records system failed the last answers")
        headers = {"X-Beatline-Reason": asking.reason, "X-Beatline-Officer": asking.officer}
        deadline = asyncio.get_running_loop().time() + self.config.timeout
        try:
            yield GatewayRecords(self, headers, deadline)
        except Refused:  # the system is up and answering, if not as asked
            self.breaker.succeeded()
            raise
        except BaseException:  # unusable answers, and a cancelled probe, which must not hold the breaker
            self.breaker.failed()
            raise
        self.breaker.succeeded()

    async def get(
        self, path: str, params: Mapping[str, str], headers: Mapping[str, str], deadline: float, kind: type[T]
    ) -> T | None:
        """The document at path, or None for a 404; retried on a failed connection or a 5xx.

        Each attempt gets what is left of the answer's deadline: an explicit budget rather than a
        cancelling timeout around the answer, which aiohttp's own timeout would swallow and retry.
        """
        url = self.base.join(URL(path)).with_query(params)
        path = _operation(path)  # from here on only for logs and errors, which never name a record
        loop = asyncio.get_running_loop()
        for attempt in range(ATTEMPTS):
            if attempt:
                await asyncio.sleep(random.uniform(0, BACKOFF * 2 ** (attempt - 1)))
            left = deadline - loop.time()
            if left <= 0:
                raise RecordsUnavailable(f"no answer on {path} within {self.config.timeout:g} s")
            try:
                timeout = aiohttp.ClientTimeout(total=left)
                async with self._client().get(
                    url, headers=headers, allow_redirects=False, timeout=timeout
                ) as response:
                    if response.status >= 500:
                        log.info(
                            "records system answered %s on %s (attempt %s)",
                            response.status,
                            path,
                            attempt + 1,
                        )
                        continue
                    body = await _bounded(response, path)
            except (aiohttp.ClientError, OSError) as exc:
                log.info(
                    "records system unreachable on %s: %s (attempt %s)", path, type(exc).__name__, attempt + 1
                )
                continue
            if response.status == 404 and response.content_type == "application/json":
                return None  # no such record (an HTML 404 is a wrong URL, not an answer)
            if response.status != 200:
                raise Refused(f"records system refused {path} with {response.status}{_said(body)}")
            try:
                return wire.decode(body, kind)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                raise RecordsUnavailable(
                    f"records system sent an unusable document on {path}: {exc}"
                ) from None
        raise RecordsUnavailable(f"records system failed {ATTEMPTS} times on {path}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _operation(path: str) -> str:
    """The path as logs and errors may show it: `v1/persons/{id}`, never the id or plate it asked for."""
    collection, _, record = path.partition("/")[2].partition("/")
    return f"v1/{collection}/{{id}}" if record else path


async def _bounded(response: aiohttp.ClientResponse, path: str) -> bytes:
    """The whole body, refused past MAX_BODY: a records document is never that big."""
    if (response.content_length or 0) > MAX_BODY:
        raise RecordsUnavailable(f"records system sent more than {MAX_BODY} bytes on {path}")
    body = bytearray()
    async for chunk in response.content.iter_chunked(65536):
        body += chunk
        if len(body) > MAX_BODY:
            raise RecordsUnavailable(f"records system sent more than {MAX_BODY} bytes on {path}")
    return bytes(body)


def _said(body: bytes) -> str:
    """The refusal's own sentence, if it is one of the API's Problem documents (never record text)."""
    try:
        return f": {wire.decode(body, wire.Problem).error[:200]}"
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""


class GatewayRecords:
    """The records as a force's system gives them, for one question."""

    def __init__(self, gateway: Gateway, headers: Mapping[str, str], deadline: float) -> None:
        self.gateway, self.headers, self.deadline = gateway, headers, deadline

    async def _get(self, path: str, kind: type[T], **params: str) -> T | None:
        return await self.gateway.get(path, params, self.headers, self.deadline, kind)

    async def _must(self, path: str, kind: type[T], **params: str) -> T:
        found = await self._get(path, kind, **params)
        if found is None:  # a search endpoint answers an empty list, never 404
            raise RecordsUnavailable(f"records system has no {path}")
        return found

    async def find_persons(self, query: PersonQuery, today: dt.date) -> list[ScoredPerson]:
        params = {"surname": query.surname, "today": today.isoformat(), "min_score": "80"}
        if query.forenames:
            params["given_name"] = query.forenames
        if query.dob:
            params["birth_date"] = query.dob.isoformat()
        if query.birth_year is not None:
            params["birth_year"] = str(query.birth_year)
        if query.age is not None:
            params["age"] = str(query.age)
        if query.age_range is not None:
            params["age_min"], params["age_max"] = map(str, query.age_range)
        found: list[ScoredPerson] = []
        while len(found) < MAX_MATCHES:
            page = await self._must("v1/persons", wire.PersonMatches, **params)
            found += [m.record() for m in page.matches]
            if page.next_page is None:
                break
            params["page_token"] = page.next_page
        return found

    async def person(self, person_id: str, *, incidents: int) -> PersonRecord | None:
        found = await self._get(f"v1/persons/{_segment(person_id)}", wire.Person, incidents=str(incidents))
        return found.record() if found else None

    async def _in_chunks(self, path: str, kind: type[T], ids: Sequence[str], **params: str) -> list[T]:
        chunks = [ids[n : n + IDS_PER_REQUEST] for n in range(0, len(ids), IDS_PER_REQUEST)]
        return await asyncio.gather(*(self._must(path, kind, ids=",".join(c), **params) for c in chunks))

    async def shortlist_entries(self, person_ids: Sequence[str]) -> dict[str, ShortlistEntry]:
        pages = await self._in_chunks("v1/shortlist", wire.Shortlist, person_ids)
        return {p.id: p.record() for page in pages for p in page.persons}

    async def safety_flagged(self, person_ids: Sequence[str]) -> set[str]:
        pages = await self._in_chunks("v1/safety-flags", wire.SafetyFlags, person_ids)
        return {pid for page in pages for pid in page.flagged}

    async def find_vehicles(self, vrm: str) -> list[tuple[VehicleHit, int]]:
        found = await self._must("v1/vehicles", wire.VehicleMatches, vrm=vrm)
        return [(m.vehicle.record(), m.confusions) for m in found.matches]

    async def vehicles_starting(self, start: str, limit: int) -> list[VehicleHit]:
        found = await self._must("v1/vehicles-starting", wire.Vehicles, prefix=start, limit=str(limit))
        return [v.record() for v in found.vehicles]

    async def vehicle(self, vrm: str) -> VehicleRecord | None:
        found = await self._get(f"v1/vehicles/{_segment(vrm)}", wire.Vehicle)
        return found.record() if found else None

    async def find_addresses(self, query: AddressQuery, limit: int = 8) -> list[AddressHit]:
        params = {
            name: value
            for name, value in (
                ("postcode", query.postcode),
                ("house_number", query.house_number),
                ("street", query.street),
                ("flat", query.flat),
                ("town", query.town),
            )
            if value
        }
        found = await self._must("v1/addresses", wire.AddressMatches, limit=str(limit), **params)
        return [a.record() for a in found.matches]

    async def flagged_in(self, area: str, limit: int) -> list[AddressHit]:
        found = await self._must("v1/flagged-addresses", wire.AddressMatches, area=area, limit=str(limit))
        return [a.record() for a in found.matches]

    async def address(self, address_id: str) -> AddressRecord | None:
        found = await self._get(f"v1/addresses/{_segment(address_id)}", wire.Address)
        return found.record() if found else None

    async def addresses_within(
        self, lat: float, lon: float, radius_m: float
    ) -> list[tuple[float, AddressRecord]]:
        found = await self._must(
            "v1/nearby-addresses",
            wire.NearbyAddresses,
            latitude=repr(lat),
            longitude=repr(lon),
            radius=repr(radius_m),
        )
        return [(a.distance_m, a.address.record()) for a in found.addresses]

    async def incidents_at(self, address_ids: Sequence[str], limit: int = 5) -> list[IncidentAt]:
        if not address_ids:
            return []
        pages = await self._in_chunks("v1/incidents", wire.IncidentSummaries, address_ids, limit=str(limit))
        every = sorted((i.record() for page in pages for i in page.incidents), key=lambda i: i.ref)
        try:
            return sorted(every, key=lambda i: i.occurred_at, reverse=True)[
                :limit
            ]  # newest first, as one query
        except TypeError:  # times with and without a zone cannot be ordered: not one system's records
            raise RecordsUnavailable("records system sent incident times with and without a zone") from None

    async def residents(self, address_id: str, limit: int = 5) -> list[Resident]:
        found = await self._must(
            f"v1/addresses/{_segment(address_id)}/residents", wire.Residents, limit=str(limit)
        )
        return [r.record() for r in found.residents]

    async def incident(self, ref: str) -> IncidentRecord | None:
        found = await self._get(f"v1/incidents/{_segment(ref)}", wire.Incident)
        return found.record() if found else None

    async def marker_vocabulary(self) -> dict[str, MarkerInfo]:
        found = await self._must("v1/markers", wire.MarkerVocabulary)
        return {m.code: m.record() for m in found.markers}


def _segment(value: str) -> str:
    """A path segment that stays one segment whatever it holds ('/', '..', '?')."""
    return quote(value, safe="")
