"""Signed button data: round trip, the 64-byte limit, and refusal of anything altered, foreign or late."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from knowledge.access.button_payloads import BriefingButton, FollowButton, PageButton, RecordButton
from knowledge.access.buttons import MAX_DATA_BYTES, ButtonRefused, ButtonSigner, derive_key

NOW = 1_800_000_000.0
signer = ButtonSigner(derive_key("123456:TEST"), lifetime=600)
user_ids = st.integers(min_value=1, max_value=2**52)
# What Beatline puts in a payload: a prefix and a record id of up to 40 characters.
payloads = st.from_regex(r"r[om][pvaiw]:[A-Za-z0-9 \-_/|]{1,40}", fullmatch=True)


@given(payloads, user_ids)
def test_a_signed_button_opens_for_its_user_and_fits_telegram(payload: str, user_id: int) -> None:
    data = signer.sign(payload, user_id, now=NOW)
    assert len(data.encode()) <= MAX_DATA_BYTES
    assert signer.verify(data, user_id, now=NOW + 599) == payload


@given(payloads, user_ids, user_ids)
def test_someone_elses_button_is_refused(payload: str, owner: int, presser: int) -> None:
    data = signer.sign(payload, owner, now=NOW)
    if presser != owner:
        with pytest.raises(ButtonRefused, match="invalid"):
            signer.verify(data, presser, now=NOW)


@given(payloads, user_ids, st.data())
def test_any_changed_character_is_refused(payload: str, user_id: int, data: st.DataObject) -> None:
    signed = signer.sign(payload, user_id, now=NOW)
    at = data.draw(st.integers(min_value=0, max_value=len(signed) - 1))
    replacement = data.draw(st.characters(codec="ascii").filter(lambda c: c != signed[at]))
    with pytest.raises(ButtonRefused):
        signer.verify(signed[:at] + replacement + signed[at + 1 :], user_id, now=NOW)


@given(st.text(max_size=80), user_ids)
def test_arbitrary_data_never_verifies_and_never_crashes(data: str, user_id: int) -> None:
    with pytest.raises(ButtonRefused):
        signer.verify(data, user_id, now=NOW)


def test_a_late_press_is_refused_as_expired() -> None:
    data = signer.sign("rop:P000001", 42, now=NOW)
    with pytest.raises(ButtonRefused, match="expired"):
        signer.verify(data, 42, now=NOW + 601)


def test_a_button_can_live_longer_when_asked() -> None:
    data = signer.sign("ack:7", 42, lifetime=86_400, now=NOW)
    assert signer.verify(data, 42, now=NOW + 86_000) == "ack:7"


def test_every_process_with_the_same_token_agrees_and_another_token_does_not() -> None:
    data = signer.sign("rop:P000001", 42, now=NOW)
    assert ButtonSigner(derive_key("123456:TEST")).verify(data, 42, now=NOW) == "rop:P000001"
    with pytest.raises(ButtonRefused):
        ButtonSigner(derive_key("654321:OTHER")).verify(data, 42, now=NOW)


def test_a_payload_too_long_for_telegram_is_not_signed() -> None:
    with pytest.raises(ValueError, match="too long"):
        signer.sign("rop:" + "X" * 60, 42, now=NOW)


# The payload codec: the wire format of buttons already in officers' chats, so it must not change.
kinds = st.sampled_from(["person", "vehicle", "address", "incident", "warrant"])
record_ids = st.from_regex(r"[A-Za-z0-9 \-_/|:]{1,40}", fullmatch=True)


@pytest.mark.parametrize(
    ("button", "payload"),
    [
        (RecordButton("person", "P000001"), "rop:P000001"),
        (RecordButton("vehicle", "QX12ABC", detail=True), "rmv:QX12ABC"),
        (RecordButton("warrant", "W 1|2:3"), "row:W 1|2:3"),
        (BriefingButton("s", 12), "bs12"),
        (BriefingButton("a", 7), "ba7"),
        (PageButton(6), "ln6"),
    ],
)
def test_payloads_keep_the_format_of_buttons_already_sent(
    button: RecordButton | BriefingButton | PageButton, payload: str
) -> None:
    assert button.encode() == payload
    assert type(button).decode(payload) == button


@given(kinds, record_ids, st.booleans(), user_ids)
def test_a_record_button_comes_back_as_it_was_signed(
    kind: str, record_id: str, detail: bool, user: int
) -> None:
    button = RecordButton(kind, record_id, detail=detail)
    data = signer.sign(button.encode(), user, now=NOW)
    assert re.match(RecordButton.PATTERN, data)
    assert RecordButton.decode(signer.verify(data, user, now=NOW)) == button


@given(st.sampled_from("sxora"), st.integers(min_value=1, max_value=2**53), user_ids)
def test_a_briefing_button_comes_back_as_it_was_signed(action: str, briefing_id: int, user: int) -> None:
    data = signer.sign(BriefingButton(action, briefing_id).encode(), user, lifetime=86_400, now=NOW)
    assert re.match(rf"^b{action}\d+\|", data)  # the patterns handlers/briefing.py registers
    assert BriefingButton.decode(signer.verify(data, user, now=NOW)) == BriefingButton(action, briefing_id)


@given(st.text(max_size=70))
@example("bs012")
@example("rox:P1")
@example("rop:")
def test_only_what_encode_writes_decodes_and_the_rest_is_refused_as_invalid(payload: str) -> None:
    for codec in (RecordButton, BriefingButton):
        try:
            button = codec.decode(payload)
        except ButtonRefused as refused:
            assert refused.reason == "invalid"
        else:
            assert button.encode() == payload


@given(st.integers(min_value=0, max_value=10**6), user_ids)
def test_a_next_page_button_comes_back_as_it_was_signed_and_matches_no_other_handler(
    shown: int, user: int
) -> None:
    data = signer.sign(PageButton(shown).encode(), user, now=NOW)
    assert re.match(PageButton.PATTERN, data) and not re.match(RecordButton.PATTERN, data)
    assert PageButton.decode(signer.verify(data, user, now=NOW)) == PageButton(shown)


@pytest.mark.parametrize("payload", ["ln", "ln-1", "ln06", "ln6x", "lx6", "ln٣"])
def test_a_malformed_next_page_payload_is_invalid(payload: str) -> None:
    with pytest.raises(ButtonRefused, match="invalid"):
        PageButton.decode(payload)


def test_a_follow_button_comes_back_as_it_was_signed() -> None:
    for button in (FollowButton("person", "P000123"), FollowButton("vehicle", "AB12CDE")):
        assert FollowButton.decode(button.encode()) == button
    assert FollowButton("person", "P1").encode() == "fp:P1"  # the wire format of buttons already sent
    for payload in ("fp:", "fa:A1", "f", "fpP1", RecordButton("person", "P1").encode()):
        with pytest.raises(ButtonRefused):
            FollowButton.decode(payload)
