"""Keep identity numbers unreadable at rest and findable by a keyed hash (R-ID-3).

Two keys are derived from SAMPLAN_DATA_KEY with HKDF, one per purpose, so the lookup hash and
the ciphertext never share key material.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_NONCE_BYTES = 12


def _derive(data_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(data_key)


class PidVault:
    def __init__(self, data_key: bytes) -> None:
        self._lookup_key = _derive(data_key, b"samplan pid lookup v1")
        self._cipher = AESGCM(_derive(data_key, b"samplan pid encryption v1"))

    def lookup_hash(self, pid: str) -> bytes:
        return hmac.new(self._lookup_key, pid.encode(), hashlib.sha256).digest()

    def encrypt(self, pid: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._cipher.encrypt(nonce, pid.encode(), b"pid")

    def decrypt(self, blob: bytes) -> str:
        nonce, ciphertext = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
        return self._cipher.decrypt(nonce, ciphertext, b"pid").decode()

    def __repr__(self) -> str:
        return "PidVault(***)"
