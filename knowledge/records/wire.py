"""The records API's JSON vocabulary: one msgspec Struct per document, named after NIEM where one fits.

The HTTP gateway decodes what a force's system sends with these types and nothing else, so a field of
the wrong type, a missing field or a document that is not JSON fails as a whole: never a partial
record. (msgspec: strict typed decoding, field renaming and JSON Schema for the OpenAPI document
from one declaration, and the fastest decoder for Python, which matters on every answer's path.)
The mapping to the read model is here and only here; docs/records-api.md lists it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

import msgspec

from knowledge.matching.scoring import DobMatch, ScoredPerson
from knowledge.records.read_model import (
    AddressHit,
    AddressRecord,
    IncidentAt,
    IncidentRecord,
    Involved,
    Involvement,
    MarkerInfo,
    PersonRecord,
    Resident,
    ShortlistEntry,
    VehicleHit,
    VehicleRecord,
    WarrantInfo,
)

__all__ = ["DOCUMENTS", "decode", "encode", "schemas"]

Text = Annotated[str, msgspec.Meta(max_length=4000)]
Id = Annotated[str, msgspec.Meta(max_length=64)]
Score = Annotated[float, msgspec.Meta(ge=0, le=100)]


def _f(name: str) -> Any:
    return msgspec.field(name=name)


class Doc(msgspec.Struct):
    """A document of the records API; unknown fields are ignored so a force may send more."""


class Marker(Doc):
    code: Id = _f("MarkerCode")
    label: Text = _f("MarkerText")
    severity: Annotated[int, msgspec.Meta(ge=0, le=100)] = _f("MarkerSeverity")

    @classmethod
    def of(cls, m: MarkerInfo) -> Marker:
        return cls(m.code, m.label, m.severity)

    def record(self) -> MarkerInfo:
        return MarkerInfo(self.code, self.label, self.severity)


Markers = Annotated[list[Marker], msgspec.Meta(max_length=50)]


def _markers(found: tuple[MarkerInfo, ...]) -> list[Marker]:
    return [Marker.of(m) for m in found]


def _infos(found: list[Marker]) -> tuple[MarkerInfo, ...]:
    return tuple(m.record() for m in found)


class Warrant(Doc):
    ref: Id = _f("WarrantID")
    offence: Text = _f("WarrantOffenseText")
    issued_on: dt.date = _f("WarrantIssuedDate")
    court: Text = _f("CourtName")
    status: Id = _f("WarrantStatusCode")


class Address(Doc):
    id: Id = _f("AddressID")
    line1: Text = _f("AddressDeliveryPointText")
    town: Text = _f("LocationCityName")
    postcode: Text = _f("LocationPostalCode")
    markers: Markers = _f("Markers")
    latitude: float | None = _f("GeographicCoordinateLatitude")
    longitude: float | None = _f("GeographicCoordinateLongitude")

    @classmethod
    def of(cls, a: AddressRecord) -> Address:
        return cls(a.id, a.line1, a.town, a.postcode, _markers(a.markers), a.latitude, a.longitude)

    def record(self) -> AddressRecord:
        return AddressRecord(
            self.id, self.line1, self.town, self.postcode, _infos(self.markers), self.latitude, self.longitude
        )


class IncidentInvolvement(Doc):
    ref: Id = _f("IncidentID")
    occurred_at: dt.datetime = _f("IncidentDateTime")
    category: Text = _f("IncidentCategoryText")
    role: Text = _f("PersonRoleText")


class VehicleSummary(Doc):
    vrm: Id = _f("VehicleRegistrationPlateID")
    make: Text = _f("VehicleMakeName")
    model: Text = _f("VehicleModelName")
    colour: Text = _f("VehicleColorPrimaryText")
    markers: Markers = _f("Markers")

    @classmethod
    def of(cls, v: VehicleHit) -> VehicleSummary:
        return cls(v.vrm, v.make, v.model, v.colour, _markers(v.markers))

    def record(self) -> VehicleHit:
        return VehicleHit(self.vrm, self.make, self.model, self.colour, _infos(self.markers))


class Person(Doc):
    id: Id = _f("PersonID")
    forenames: Text = _f("PersonGivenName")
    surname: Text = _f("PersonSurName")
    date_of_birth: dt.date | None = _f("PersonBirthDate")
    sex: Id = _f("PersonSexCode")
    aliases: Annotated[list[Text], msgspec.Meta(max_length=50)] = _f("PersonAlternateNames")
    markers: Markers = _f("Markers")
    warrants: Annotated[list[Warrant], msgspec.Meta(max_length=200)] = _f("Warrants")
    address: Address | None = _f("PersonResidence")
    incidents: Annotated[list[IncidentInvolvement], msgspec.Meta(max_length=200)] = _f("IncidentInvolvements")
    vehicles: Annotated[list[VehicleSummary], msgspec.Meta(max_length=200)] = _f("VehiclesKept")

    @classmethod
    def of(cls, p: PersonRecord) -> Person:
        return cls(
            p.id,
            p.forenames,
            p.surname,
            p.date_of_birth,
            p.sex,
            list(p.aliases),
            _markers(p.markers),
            [Warrant(w.ref, w.offence, w.issued_on, w.court, w.status) for w in p.warrants],
            Address.of(p.address) if p.address else None,
            [IncidentInvolvement(i.ref, i.occurred_at, i.category, i.role) for i in p.incidents],
            [VehicleSummary.of(v) for v in p.vehicles],
        )

    def record(self) -> PersonRecord:
        return PersonRecord(
            self.id,
            self.forenames,
            self.surname,
            self.date_of_birth,
            self.sex,
            tuple(self.aliases),
            _infos(self.markers),
            tuple(WarrantInfo(w.ref, w.offence, w.issued_on, w.court, w.status) for w in self.warrants),
            self.address.record() if self.address else None,
            tuple(Involvement(i.ref, i.occurred_at, i.category, i.role) for i in self.incidents),
            tuple(v.record() for v in self.vehicles),
        )


class Vehicle(Doc):
    vrm: Id = _f("VehicleRegistrationPlateID")
    make: Text = _f("VehicleMakeName")
    model: Text = _f("VehicleModelName")
    colour: Text = _f("VehicleColorPrimaryText")
    markers: Markers = _f("Markers")
    keeper: Person | None = _f("VehicleRegisteredKeeper")

    @classmethod
    def of(cls, v: VehicleRecord) -> Vehicle:
        keeper = Person.of(v.keeper) if v.keeper else None
        return cls(v.vrm, v.make, v.model, v.colour, _markers(v.markers), keeper)

    def record(self) -> VehicleRecord:
        keeper = self.keeper.record() if self.keeper else None
        return VehicleRecord(self.vrm, self.make, self.model, self.colour, _infos(self.markers), keeper)


class VehicleMatch(Doc):
    vehicle: VehicleSummary = _f("Vehicle")
    confusions: Annotated[int, msgspec.Meta(ge=0, le=7)] = _f("PlateConfusionCount")


class InvolvedPerson(Doc):
    id: Id = _f("PersonID")
    forenames: Text = _f("PersonGivenName")
    surname: Text = _f("PersonSurName")
    role: Text = _f("PersonRoleText")
    wanted: bool = _f("PersonWantedIndicator")
    markers: Markers = _f("Markers")


class Incident(Doc):
    ref: Id = _f("IncidentID")
    occurred_at: dt.datetime = _f("IncidentDateTime")
    category: Text = _f("IncidentCategoryText")
    summary: Text = _f("IncidentSummaryText")
    address: Address | None = _f("IncidentLocation")
    people: Annotated[list[InvolvedPerson], msgspec.Meta(max_length=500)] = _f("IncidentPersons")

    @classmethod
    def of(cls, i: IncidentRecord) -> Incident:
        people = [
            InvolvedPerson(p.id, p.forenames, p.surname, p.role, p.wanted, _markers(p.markers))
            for p in i.people
        ]
        address = Address.of(i.address) if i.address else None
        return cls(i.ref, i.occurred_at, i.category, i.summary, address, people)

    def record(self) -> IncidentRecord:
        people = tuple(
            Involved(p.id, p.forenames, p.surname, p.role, p.wanted, _infos(p.markers)) for p in self.people
        )
        address = self.address.record() if self.address else None
        return IncidentRecord(self.ref, self.occurred_at, self.category, self.summary, address, people)


class IncidentSummary(Doc):
    ref: Id = _f("IncidentID")
    occurred_at: dt.datetime = _f("IncidentDateTime")
    category: Text = _f("IncidentCategoryText")
    summary: Text = _f("IncidentSummaryText")

    @classmethod
    def of(cls, i: IncidentAt) -> IncidentSummary:
        return cls(i.ref, i.occurred_at, i.category, i.summary)

    def record(self) -> IncidentAt:
        return IncidentAt(self.ref, self.occurred_at, self.category, self.summary)


class ResidentPerson(Doc):
    id: Id = _f("PersonID")
    forenames: Text = _f("PersonGivenName")
    surname: Text = _f("PersonSurName")
    date_of_birth: dt.date | None = _f("PersonBirthDate")
    wanted: bool = _f("PersonWantedIndicator")
    markers: Markers = _f("Markers")

    @classmethod
    def of(cls, r: Resident) -> ResidentPerson:
        return cls(r.id, r.forenames, r.surname, r.date_of_birth, r.wanted, _markers(r.markers))

    def record(self) -> Resident:
        return Resident(
            self.id, self.forenames, self.surname, self.date_of_birth, self.wanted, _infos(self.markers)
        )


class ShortlistPerson(Doc):
    id: Id = _f("PersonID")
    forenames: Text = _f("PersonGivenName")
    surname: Text = _f("PersonSurName")
    date_of_birth: dt.date | None = _f("PersonBirthDate")
    town: Text = _f("LocationCityName")
    wanted: bool = _f("PersonWantedIndicator")  # required: a missing flag must not read as "not wanted"
    markers: Markers = _f("Markers")

    @classmethod
    def of(cls, e: ShortlistEntry) -> ShortlistPerson:
        return cls(e.id, e.forenames, e.surname, e.date_of_birth, e.town, e.wanted, _markers(e.markers))

    def record(self) -> ShortlistEntry:
        markers = _infos(self.markers)
        return ShortlistEntry(
            self.id, self.forenames, self.surname, self.date_of_birth, self.town, self.wanted, markers
        )


class AddressMatch(Doc):
    id: Id = _f("AddressID")
    line1: Text = _f("AddressDeliveryPointText")
    postcode: Text = _f("LocationPostalCode")
    markers: Markers = _f("Markers")
    house_number: Text = _f("StreetNumberText")

    @classmethod
    def of(cls, a: AddressHit) -> AddressMatch:
        return cls(a.id, a.line1, a.postcode, _markers(a.markers), a.house_number)

    def record(self) -> AddressHit:
        return AddressHit(self.id, self.line1, self.postcode, _infos(self.markers), self.house_number)


_DOB_CODES = {m: m.name.lower() for m in DobMatch}
_DOBS = {code: m for m, code in _DOB_CODES.items()}


class PersonMatch(Doc):
    id: Id = _f("PersonID")
    score: Score = _f("MatchScore")
    name_score: Score = _f("NameScore")
    dob: Annotated[str, msgspec.Meta(pattern="^(" + "|".join(_DOBS) + ")$")] = _f("BirthDateMatchCode")

    @classmethod
    def of(cls, s: ScoredPerson) -> PersonMatch:
        return cls(s.person_id, s.score, s.name_score, _DOB_CODES[s.dob])

    def record(self) -> ScoredPerson:
        return ScoredPerson(self.id, self.score, self.name_score, _DOBS[self.dob])


class NearbyAddress(Doc):
    distance_m: Annotated[float, msgspec.Meta(ge=0)] = _f("DistanceMeters")
    address: Address = _f("Address")


Page = Annotated[str, msgspec.Meta(max_length=64)]


class PersonMatches(Doc):
    matches: Annotated[list[PersonMatch], msgspec.Meta(max_length=500)] = _f("PersonMatches")
    next_page: Page | None = _f("NextPageToken")


class VehicleMatches(Doc):
    matches: Annotated[list[VehicleMatch], msgspec.Meta(max_length=500)] = _f("VehicleMatches")


class Vehicles(Doc):
    vehicles: Annotated[list[VehicleSummary], msgspec.Meta(max_length=500)] = _f("Vehicles")


class AddressMatches(Doc):
    matches: Annotated[list[AddressMatch], msgspec.Meta(max_length=500)] = _f("AddressMatches")


class NearbyAddresses(Doc):
    addresses: Annotated[list[NearbyAddress], msgspec.Meta(max_length=5000)] = _f("NearbyAddresses")


class IncidentSummaries(Doc):
    incidents: Annotated[list[IncidentSummary], msgspec.Meta(max_length=500)] = _f("IncidentSummaries")


class Residents(Doc):
    residents: Annotated[list[ResidentPerson], msgspec.Meta(max_length=500)] = _f("Residents")


class Shortlist(Doc):
    persons: Annotated[list[ShortlistPerson], msgspec.Meta(max_length=500)] = _f("Persons")


class SafetyFlags(Doc):
    flagged: Annotated[list[Id], msgspec.Meta(max_length=500)] = _f("FlaggedPersonIDs")


class MarkerVocabulary(Doc):
    markers: Annotated[list[Marker], msgspec.Meta(max_length=5000)] = _f("Markers")


class Problem(Doc):
    """Every refusal: a sentence for the integrator, never a traceback."""

    error: Text = _f("Error")


DOCUMENTS: tuple[type[Doc], ...] = (
    Person,
    Vehicle,
    Incident,
    Address,
    PersonMatches,
    VehicleMatches,
    Vehicles,
    AddressMatches,
    NearbyAddresses,
    IncidentSummaries,
    Residents,
    Shortlist,
    SafetyFlags,
    MarkerVocabulary,
    Problem,
)

_encoder = msgspec.json.Encoder()


def encode(document: Doc) -> bytes:
    return _encoder.encode(document)


T = TypeVar("T")


def decode(body: bytes, kind: type[T]) -> T:
    """The document `body` holds; msgspec.ValidationError or DecodeError if it is anything else."""
    return msgspec.json.decode(body, type=kind, strict=True)


def schemas(ref_template: str) -> dict[str, Any]:
    """The JSON Schema of every document, for the OpenAPI document's components."""
    _, components = msgspec.json.schema_components(DOCUMENTS, ref_template=ref_template)
    return components
