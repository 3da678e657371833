"""What an officer reads: safety first, a phone screen at first, everything on asking for more."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from knowledge.answers.render import (
    CONFIRM_WARRANT,
    SCREEN,
    address_summary,
    incident_summary,
    person_summary,
    shortlist,
    vehicle_detail,
    vehicle_summary,
)
from knowledge.records.read_model import (
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

VIOLENT = MarkerInfo("VIOLENT", "Violent", 3)
DRUGS = MarkerInfo("DRUGS", "Drugs", 2)
ALLEGES = MarkerInfo("ALLEGES", "Makes allegations", 1)
MISSING = MarkerInfo("MISSING", "Missing person", 2)
STOLEN = MarkerInfo("STOLEN", "Reported stolen", 3)
CLONED = MarkerInfo("CLONED", "Cloned plates", 3)
NO_MOT = MarkerInfo("NO_MOT", "No MOT", 1)
DOG = MarkerInfo("DANGEROUS_DOG", "Dangerous dog", 3)
MORE = "More detail"


def _address(**changes: object) -> AddressRecord:
    fields: dict = {"id": "A1", "line1": "12 Quill Lane", "town": "Marbury", "postcode": "MB1 2QL"}
    fields["markers"] = ()
    return AddressRecord(**(fields | changes))


def _warrant(ref: str, status: str = "ACTIVE", offence: str = "Burglary") -> WarrantInfo:
    return WarrantInfo(ref, offence, dt.date(2024, 3, 1), "Marbury Magistrates", status)


def _person(**changes: object) -> PersonRecord:
    fields: dict = {
        "id": "P1",
        "forenames": "Tobias",
        "surname": "Quennell",
        "date_of_birth": dt.date(1987, 5, 14),
        "sex": "M",
        "aliases": (),
        "markers": (),
        "warrants": (),
        "address": _address(),
        "incidents": (),
    }
    return PersonRecord(**(fields | changes))


def _involvements(count: int) -> tuple[Involvement, ...]:
    start = dt.datetime(2025, 5, 30, 22, 15)
    category = "Assault occasioning ABH"
    return tuple(
        Involvement(f"INC-2025-{n:06d}", start - dt.timedelta(days=9 * n), category, "SUSPECT")
        for n in range(count)
    )


def _lines(text: str) -> list[str]:
    return text.splitlines()


def test_a_person_without_warnings_says_so_before_who_they_are() -> None:
    lines = _lines(person_summary(_person()))
    assert lines[0] == "No warnings, no active warrant."
    assert lines[1] == "Name: QUENNELL, Tobias — born 14/05/1987 (P1)"
    assert "Last known address: 12 Quill Lane, Marbury MB1 2QL" in lines


def test_wanted_comes_before_markers_and_markers_go_most_severe_first() -> None:
    person = _person(markers=(ALLEGES, VIOLENT, DRUGS), warrants=(_warrant("W-77"),))
    lines = _lines(person_summary(person))
    assert lines[0] == "⚠ WANTED — Burglary (Marbury Magistrates, warrant W-77)"
    assert lines[1] == CONFIRM_WARRANT
    assert lines[2] == "⚠ Warnings: VIOLENT · DRUGS · MAKES ALLEGATIONS"


def test_a_missing_person_is_shown_as_missing_among_the_warnings() -> None:
    lines = _lines(person_summary(_person(markers=(MISSING, DRUGS))))
    assert lines[:2] == ["⚠ Warnings: DRUGS", "⚠ MISSING PERSON"]
    assert "No warnings" not in "\n".join(lines)


def test_only_active_warrants_make_a_person_wanted() -> None:
    person = _person(warrants=(_warrant("W-1", status="EXECUTED"),))
    first = person_summary(person, focus_warrants=True)
    assert "WANTED" not in first
    assert "Not wanted: no active warrant." in first


def test_warnings_at_the_home_address_come_first_never_below_a_no_warnings_line() -> None:
    lines = _lines(person_summary(_person(address=_address(markers=(DOG,)))))
    assert lines[0] == "⚠ At their last known address, 12 Quill Lane: DANGEROUS DOG"
    assert lines[1] == "No warnings on the person, no active warrant."
    assert "Last known address: 12 Quill Lane, Marbury MB1 2QL" in lines


def test_a_marked_person_at_a_marked_address_shows_both_before_the_name() -> None:
    person = _person(markers=(DRUGS,), address=_address(markers=(DOG,)))
    lines = _lines(person_summary(person))
    assert lines[:3] == [
        "⚠ Warnings: DRUGS",
        "⚠ At their last known address, 12 Quill Lane: DANGEROUS DOG",
        "Name: QUENNELL, Tobias — born 14/05/1987 (P1)",
    ]


def test_a_busy_record_fits_one_screen_and_says_more_is_available() -> None:
    offence = "Failing to surrender to custody at Marbury Crown Court"
    person = _person(
        markers=(VIOLENT, DRUGS, ALLEGES, MISSING),
        warrants=tuple(_warrant(f"W-{n}", offence=offence) for n in range(4)),
        address=_address(markers=(DOG,)),
        incidents=_involvements(12),
        aliases=("Toby Quennell", "Tobias Quinnell"),
    )
    first = person_summary(person)
    assert len(first) <= SCREEN
    assert first.startswith("⚠ WANTED")
    assert first.splitlines()[-1] == "(More detail: ask for more.)"


def test_the_first_answer_shows_three_recent_incidents_and_detail_shows_all_it_was_given() -> None:
    person = _person(incidents=_involvements(5))
    recent = next(line for line in _lines(person_summary(person)) if line.startswith("Recent: "))
    assert recent.count("(SUSPECT)") == 3
    assert recent.startswith("Recent: 30/05/2025 Assault occasioning ABH (SUSPECT)")
    detail = _lines(person_summary(person, detail=True))
    detailed = next(line for line in detail if line.startswith("Recent: "))
    assert detailed.count("(SUSPECT)") == 5


def test_detail_shows_aliases_and_warrants_that_are_no_longer_active() -> None:
    person = _person(
        aliases=("Toby Quennell", "T Quennel"),
        warrants=(_warrant("W-9"), _warrant("W-3", status="EXECUTED", offence="Theft")),
        incidents=_involvements(20),
    )
    first = person_summary(person)
    assert "Also known as" not in first and "W-3" not in first
    detail = person_summary(person, detail=True)
    assert "Also known as: Toby Quennell; T Quennel" in detail
    assert "Warrant W-3 executed: Theft" in detail
    assert MORE not in detail


@given(
    st.lists(st.sampled_from([VIOLENT, DRUGS, ALLEGES, MISSING]), max_size=4, unique=True),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=30),
    st.text(min_size=1, max_size=80),
)
def test_any_first_answer_fits_the_screen_with_its_warning_on_top(
    markers: list[MarkerInfo], wanted: int, incidents: int, offence: str
) -> None:
    person = _person(
        markers=tuple(markers),
        warrants=tuple(_warrant(f"W-{n}", offence=offence.replace("\n", " ")) for n in range(wanted)),
        incidents=_involvements(incidents),
    )
    first = person_summary(person)
    assert len(first) <= SCREEN
    if wanted:
        assert first.startswith("⚠ WANTED")
    elif markers:
        assert first.startswith("⚠ ")


def _vehicle(markers: tuple[MarkerInfo, ...], keeper: PersonRecord | None) -> VehicleRecord:
    return VehicleRecord("QX19ZTV", "Vauxhall", "Corsa", "Silver", markers, keeper)


def test_a_stolen_vehicle_says_so_first_even_beside_equally_severe_markers() -> None:
    first_line = _lines(vehicle_summary(_vehicle((CLONED, NO_MOT, STOLEN), None)))[0]
    assert first_line == "⚠ REPORTED STOLEN · CLONED PLATES · NO MOT"


def test_a_vehicle_names_its_keeper_and_chains_the_keepers_warnings() -> None:
    keeper = _person(markers=(VIOLENT,), warrants=(_warrant("W-5"),))
    lines = _lines(vehicle_summary(_vehicle((), keeper)))
    assert lines[0] == "Vehicle QX19ZTV: Silver Vauxhall Corsa"
    assert lines[1] == "Keeper: QUENNELL, Tobias — born 14/05/1987 (P1)"
    assert lines[2] == "  ⚠ WANTED — Burglary (Marbury Magistrates, warrant W-5)"
    assert lines[3] == f"  {CONFIRM_WARRANT}"
    assert lines[4] == "  ⚠ Warnings: VIOLENT"
    assert lines[5] == "  Address: 12 Quill Lane, Marbury MB1 2QL"


def test_a_keeper_without_warnings_and_a_vehicle_without_keeper_say_so() -> None:
    assert "  Keeper: no warnings." in _lines(vehicle_summary(_vehicle((), _person())))
    assert "Keeper: none recorded." in _lines(vehicle_summary(_vehicle((), None)))


def test_more_on_a_vehicle_is_its_keeper_in_full_warnings_still_first() -> None:
    keeper = _person(markers=(VIOLENT,), warrants=(_warrant("W-5"),))
    lines = _lines(vehicle_detail(_vehicle((STOLEN,), keeper), keeper))
    assert lines[:3] == ["⚠ REPORTED STOLEN", "Vehicle QX19ZTV: Silver Vauxhall Corsa", "Keeper:"]
    assert lines[3] == "  ⚠ WANTED — Burglary (Marbury Magistrates, warrant W-5)"
    assert "  Name: QUENNELL, Tobias — born 14/05/1987 (P1)" in lines
    assert _lines(vehicle_detail(_vehicle((), None), None))[-1] == "Keeper: none recorded."


def _incidents(count: int, summary: str = "Neighbours report shouting") -> list[IncidentAt]:
    start = dt.datetime(2025, 5, 30, 21, 0)
    return [IncidentAt(f"INC-{n}", start - dt.timedelta(days=n), "Domestic", summary) for n in range(count)]


def test_an_address_lists_each_incident_it_is_given_on_one_line() -> None:
    long = "Caller states a male\nis banging on the door and shouting threats at the occupant, then leaves"
    text = address_summary(_address(markers=(DOG,)), _incidents(3, long), [])
    lines = _lines(text)
    assert lines[0] == "⚠ DANGEROUS DOG"
    assert lines[1] == "Address: 12 Quill Lane, Marbury MB1 2QL (A1)"
    bullets = [line for line in lines if line.startswith("• ")]
    assert len(bullets) == 3
    assert bullets[0].startswith("• 30/05/2025 Domestic: Caller states a male is banging")
    assert all(line.endswith("…") and len(line) < 100 for line in bullets)


def test_an_address_with_no_incidents_says_so_and_lists_who_is_linked() -> None:
    people = [
        Resident("P1", "Tobias", "Quennell", dt.date(1987, 5, 14)),
        Resident("P2", "Ada", "Quennell", None),
    ]
    lines = _lines(address_summary(_address(), [], people))
    assert "No incidents recorded here." in lines
    assert lines[-3:] == [
        "Linked people:",
        "  QUENNELL, Tobias — born 14/05/1987 (P1)",
        "  QUENNELL, Ada — born unknown (P2)",
    ]


def test_a_linked_person_who_is_wanted_or_marked_is_flagged_on_their_line_and_counted_first() -> None:
    people = [
        Resident("P1", "Tobias", "Quennell", dt.date(1987, 5, 14), wanted=True, markers=(VIOLENT,)),
        Resident("P2", "Ada", "Quennell", None),
    ]
    lines = _lines(address_summary(_address(), [], people))
    assert lines[0] == f"⚠ Linked people with warnings: 1 — {CONFIRM_WARRANT}"
    assert "  ⚠ QUENNELL, Tobias — born 14/05/1987 (P1): WANTED · VIOLENT" in lines
    assert "  QUENNELL, Ada — born unknown (P2)" in lines


def test_an_address_in_detail_keeps_each_incident_summary_whole() -> None:
    long = "Caller states a male is banging on the door and shouting threats at the occupant, then leaves"
    text = address_summary(_address(), _incidents(1, long), [], detail=True)
    assert f"• 30/05/2025 Domestic: {long}" in _lines(text)


def test_an_incident_gives_its_place_warnings_narrative_and_people() -> None:
    incident = IncidentRecord(
        "INC-2025-000412",
        dt.datetime(2025, 4, 2, 23, 40),
        "Burglary",
        "Rear window forced, two males seen leaving.",
        _address(markers=(DOG,)),
        (Involved("P1", "Tobias", "Quennell", "SUSPECT"),),
    )
    assert _lines(incident_summary(incident)) == [
        "Incident INC-2025-000412 — Burglary, 02/04/2025 23:40",
        "At: 12 Quill Lane, Marbury MB1 2QL",
        "⚠ DANGEROUS DOG",
        "• SUSPECT: QUENNELL, Tobias (P1)",
        "Summary: Rear window forced, two males seen leaving.",
    ]


def test_a_long_narrative_never_pushes_a_partys_warnings_off_the_first_answer() -> None:
    witnesses = [Involved(f"P{n}", "Tobias", "Quennell", "witness") for n in range(6)]
    suspect = Involved("P9", "Ada", "Quennell", "suspect", wanted=True, markers=(VIOLENT,))
    narrative = "Rear window forced. " * 60
    incident = IncidentRecord(
        "INC-7", dt.datetime(2025, 4, 2, 23, 40), "Burglary", narrative, None, (*witnesses, suspect)
    )
    first = incident_summary(incident)
    assert len(first) <= SCREEN
    assert "⚠ suspect: QUENNELL, Ada (P9): WANTED · VIOLENT" in _lines(first)
    assert CONFIRM_WARRANT in _lines(first)


def test_a_shortlist_is_numbered_with_name_birth_date_and_town() -> None:
    options = [
        ShortlistEntry("P1", "Tobias", "Quennell", dt.date(1987, 5, 14), "Marbury"),
        ShortlistEntry("P7", "Tobiah", "Quennell", None, ""),
    ]
    assert _lines(shortlist("2 people match that name:", options)) == [
        "2 people match that name:",
        "1. QUENNELL, Tobias — born 14/05/1987, Marbury (P1)",
        "2. QUENNELL, Tobiah — born unknown (P7)",
        "Choose one of them, or ask again with a date of birth.",
    ]


ESCAPER = MarkerInfo("ESCAPER", "Escaper", 2)
MENTAL = MarkerInfo("MENTAL_HEALTH", "Mental health", 2)
ACID = MarkerInfo("CORROSIVES", "Carries corrosives", 4)  # a code a force added, above the defaults


def test_each_shortlist_entry_names_its_warrant_and_every_marker_most_severe_first() -> None:
    options = [
        ShortlistEntry("P1", "Tobias", "Quennell", None, "Marbury", wanted=True, markers=(MENTAL, ACID)),
        ShortlistEntry("P2", "Tobiah", "Quennell", None, "", markers=(ESCAPER, MISSING)),
        ShortlistEntry("P3", "Toby", "Quennell", None, ""),
    ]
    lines = _lines(shortlist("3 possible matches:", options))
    assert lines[1] == CONFIRM_WARRANT
    assert (
        lines[2]
        == "1. ⚠ QUENNELL, Tobias — born unknown, Marbury (P1): WANTED · CARRIES CORROSIVES · MENTAL HEALTH"
    )
    assert lines[3] == "2. ⚠ QUENNELL, Tobiah — born unknown (P2): ESCAPER · MISSING PERSON"
    assert lines[4] == "3. QUENNELL, Toby — born unknown (P3)"


@given(
    st.lists(
        st.tuples(st.booleans(), st.lists(st.sampled_from([VIOLENT, DRUGS, ALLEGES, MISSING, ESCAPER, ACID]),
                                          max_size=4, unique=True)),
        min_size=1, max_size=6,
    )
)  # fmt: skip
def test_no_shortlist_entry_hides_what_it_carries(carried: list[tuple[bool, list[MarkerInfo]]]) -> None:
    options = [
        ShortlistEntry(f"P{n}", "Tobias", "Quennell", None, "", wanted, tuple(markers))
        for n, (wanted, markers) in enumerate(carried)
    ]
    lines = _lines(shortlist("Possible matches:", options))
    for n, (wanted, markers) in enumerate(carried):
        [line] = [line for line in lines if f"(P{n})" in line]
        assert ("WANTED" in line) == wanted
        assert all(m.label.upper() in line for m in markers)
        assert line.split(". ", 1)[1].startswith("⚠ ") == bool(wanted or markers)
    assert (CONFIRM_WARRANT in lines) == any(wanted for wanted, _ in carried)


def test_an_incident_names_each_party_with_their_warrant_and_markers() -> None:
    incident = IncidentRecord(
        "INC-1", dt.datetime(2025, 5, 30, 21, 5), "Assault", "A fight outside", None,
        (
            Involved("P1", "Tobias", "Quennell", "suspect", wanted=True, markers=(VIOLENT,)),
            Involved("P2", "Ada", "Quennell", "victim"),
        ),
    )  # fmt: skip
    lines = _lines(incident_summary(incident))
    assert "⚠ suspect: QUENNELL, Tobias (P1): WANTED · VIOLENT" in lines
    assert "• victim: QUENNELL, Ada (P2)" in lines


def test_a_vehicle_answer_shows_the_keepers_address_and_its_dangers() -> None:
    dog = MarkerInfo("DANGEROUS_DOG", "Dangerous dog", 2)
    keeper = _person(address=_address(markers=(dog,)))
    text = vehicle_summary(VehicleRecord("QX12ABC", "Ford", "Focus", "Red", (), keeper))
    assert "  ⚠ At that address: DANGEROUS DOG" in _lines(text)


def test_an_active_warrant_says_to_confirm_it_wherever_it_is_shown() -> None:
    wanted = _person(warrants=(_warrant("W-5"),))
    assert CONFIRM_WARRANT in person_summary(wanted)
    assert CONFIRM_WARRANT in vehicle_summary(_vehicle((), wanted))
    assert CONFIRM_WARRANT not in person_summary(_person(warrants=(_warrant("W-6", status="EXECUTED"),)))
    resident = Resident("P1", "Tobias", "Quennell", None, wanted=True)
    assert CONFIRM_WARRANT in address_summary(_address(), [], [resident])
    assert CONFIRM_WARRANT not in address_summary(_address(), [], [Resident("P2", "Ada", "Quennell", None)])


def test_more_linked_people_than_shown_is_said_and_the_flagged_count_says_or_more() -> None:
    flagged = [Resident(f"P{n}", "Tobias", "Quennell", None, markers=(VIOLENT,)) for n in range(5)]
    lines = _lines(address_summary(_address(), [], flagged, more_people=True))
    assert lines[0] == "⚠ Linked people with warnings: 5 or more"
    assert lines[-1] == "More linked people than these: ask for more."
    mixed = [*flagged[:2], Resident("P9", "Ada", "Quennell", None)]
    lines = _lines(address_summary(_address(), [], mixed, more_people=True))
    assert lines[0] == "⚠ Linked people with warnings: 2"  # the flagged come first: the rest are not
    assert not any("or more" in line for line in lines if line.startswith("⚠"))


def test_a_persons_vehicles_are_part_of_their_record_with_the_vehicles_warnings() -> None:
    kept = tuple(
        VehicleHit(f"QV{n}2ABC", "Ford", "Focus", "Red", (STOLEN,) if n == 1 else ()) for n in range(1, 6)
    )
    person = _person(vehicles=kept)
    summary = person_summary(person)
    assert "Keeper of: QV12ABC Red Ford Focus ⚠ REPORTED STOLEN; QV22ABC Red Ford Focus; QV32ABC" in summary
    assert "QV32ABC Red Ford Focus and 2 more" in summary
    detail = person_summary(person, detail=True)
    assert "QV52ABC Red Ford Focus" in detail and "more" not in detail.split("Keeper of:")[1].split("\n")[0]
    forged = _person(vehicles=(VehicleHit("QV12ABC", "Ford\n⚠ WANTED", "Focus", "Red", ()),))
    assert not any(line.startswith("⚠ WANTED") for line in person_summary(forged).splitlines())
