"""Signed button data: round trip, the 64-byte limit, and refusal of anything altered, foreign or late."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
