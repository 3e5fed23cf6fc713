from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from app.people.pid_vault import PidVault

PID = "01018012345"


def test_r_id_3_lookup_hash_is_stable_and_keyed() -> None:
    vault = PidVault(b"key-one")
    assert vault.lookup_hash(PID) == vault.lookup_hash(PID)
    assert vault.lookup_hash(PID) != PidVault(b"key-two").lookup_hash(PID)
    assert PID.encode() not in vault.lookup_hash(PID)


def test_r_id_3_encryption_round_trips_and_never_repeats_ciphertext() -> None:
    vault = PidVault(b"key-one")
    first, second = vault.encrypt(PID), vault.encrypt(PID)
    assert first != second  # a fresh nonce each time: equal numbers do not look equal
    assert vault.decrypt(first) == vault.decrypt(second) == PID
    assert PID.encode() not in first


def test_a_ciphertext_cannot_be_read_with_another_key() -> None:
    blob = PidVault(b"key-one").encrypt(PID)
    with pytest.raises(InvalidTag):
        PidVault(b"key-two").decrypt(blob)


def test_the_vault_never_shows_its_keys() -> None:
    assert repr(PidVault(b"secret-key")) == "PidVault(***)"
