"""Record text is data: whatever a record holds renders inside a line of ours, and ids stay whole."""

from __future__ import annotations

import datetime as dt
import unicodedata
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st

from knowledge.answers.render import field, incident_summary, person_summary
from knowledge.matching.record_ids import audit_token, id_problem
from knowledge.records.read_model import (
    AddressRecord,
    IncidentRecord,
    Involved,
    Involvement,
    MarkerInfo,
    PersonRecord,
    WarrantInfo,
)

# Characters that have forged lines or reversed text in replies, mixed into any text at all.
FORGERS = "\n\r\x0b\x0c\x1c\x85\u2028\u2029\u202e\u202a\u2066\u2069\u200b\u200f\ufeff\x00⚠• "
HOSTILE = st.text(alphabet=st.sampled_from(FORGERS) | st.characters(), max_size=40)
BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}  # C0, C1, format (bidi), separators


@given(HOSTILE)
def test_a_rendered_field_is_one_line_with_no_control_or_direction_character(text: str) -> None:
    rendered = field(text)
    assert "\n" not in rendered and "\r" not in rendered
    assert not any(_is_control(char) or char in BIDI for char in rendered)
    assert field(rendered) == rendered


@given(st.lists(HOSTILE, min_size=9, max_size=9))
def test_no_person_text_can_start_a_line_or_forge_a_warning(texts: list[str]) -> None:
    fore, sur, pid, alias, line1, town, category, ref, role = texts
    person = PersonRecord(
        id=pid, forenames=fore, surname=sur, date_of_birth=None, sex="", aliases=(alias,),
        markers=(), warrants=(WarrantInfo(ref, category, dt.date(2020, 1, 1), town, "EXECUTED"),),
        address=AddressRecord(pid, line1, town, "LS1 1AA", ()),
        incidents=(Involvement(ref, dt.datetime(2024, 1, 1), category, role),),
    )  # fmt: skip
    lines = person_summary(person, detail=True).split("\n")
    leads = ["No warnings, no active warrant.", "Name: ", "Last known address: ", "Recent: ",
             "Also known as: ", "Warrant "]  # fmt: skip
    assert [line.startswith(lead) for line, lead in zip(lines, leads, strict=True)] == [True] * 6
    assert not any(_is_control(char) for char in "".join(lines))


@given(st.lists(HOSTILE, min_size=9, max_size=9))
def test_no_incident_text_can_start_a_line_or_forge_a_warning(texts: list[str]) -> None:
    ref, category, summary, line1, label, pid, forenames, surname, role = texts
    incident = IncidentRecord(
        ref, dt.datetime(2024, 5, 1, 22, 15), category, summary,
        AddressRecord("A1", line1, "Leeds", "LS1 1AA", (MarkerInfo("DANGEROUS_DOG", label, 3),)),
        (Involved(pid, forenames, surname, role),),
    )  # fmt: skip
    lines = incident_summary(incident, detail=True).split("\n")
    leads = ["Incident ", "At: ", "⚠ ", "• ", "Summary: "]
    assert [line.startswith(lead) for line, lead in zip(lines, leads, strict=True)] == [True] * 5
    assert not any(_is_control(char) for char in "".join(lines))


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,31}", fullmatch=True))
def test_an_id_that_fits_the_grammar_is_its_own_audit_token(record_id: str) -> None:
    assert id_problem(record_id, "id", 32) is None
    assert audit_token(record_id) == record_id


@given(st.text(min_size=1))
def test_any_id_is_one_audit_token_that_reads_back_whole(record_id: str) -> None:
    token = audit_token(record_id)
    assert token.split() == [token] and token.isascii() and token.isprintable()
    assert unquote(token) == record_id


def test_ids_forces_use_fit_the_grammar() -> None:
    ids = ("P000123", "INC-2024-000001", "CAD-4521/25", "CRN-01/123456/24", "2001/0123456A", "W.7_b")
    assert [id_problem(record_id, "id", 40) for record_id in ids] == [None] * len(ids)
