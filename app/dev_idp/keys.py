"""Signing keys and JWS: one RSA-2048 key per realm, made at first start and kept on disk.

The private JWKs live in `data_dir/dev_idp_keys.json` (mode 0600), so tokens stay verifiable
across restarts, as a relying party's cached JWKS expects; delete the file to rotate. The kid is
the RFC 7638 thumbprint. JWS is written here with `cryptography` rather than a JOSE library, so
the provider shares no JOSE code with the relying party it tests, and can also write the broken
forms the fault knobs need (alg none, HS256, a foreign key).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.models import Realm

KEYS_FILE = "dev_idp_keys.json"
JsonObject = dict[str, Any]
Signer = Callable[[bytes], bytes]

logger = logging.getLogger("app.dev_idp")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _b64_int(text: str) -> int:
    return int.from_bytes(b64url_decode(text), "big")


def thumbprint(n: str, e: str) -> str:
    """RFC 7638: SHA-256 over the required members, sorted, without whitespace."""
    canonical = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("ascii")).digest())


@dataclass(frozen=True, repr=False)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @classmethod
    def generate(cls) -> SigningKey:
        return cls.of(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def of(cls, private_key: rsa.RSAPrivateKey) -> SigningKey:
        public = private_key.public_key().public_numbers()
        return cls(private_key, thumbprint(_int_b64(public.n), _int_b64(public.e)))

    @classmethod
    def from_jwk(cls, jwk: JsonObject) -> SigningKey:
        public = rsa.RSAPublicNumbers(_b64_int(jwk["e"]), _b64_int(jwk["n"]))
        numbers = rsa.RSAPrivateNumbers(
            p=_b64_int(jwk["p"]),
            q=_b64_int(jwk["q"]),
            d=_b64_int(jwk["d"]),
            dmp1=_b64_int(jwk["dp"]),
            dmq1=_b64_int(jwk["dq"]),
            iqmp=_b64_int(jwk["qi"]),
            public_numbers=public,
        )
        return cls.of(numbers.private_key())

    def public_jwk(self) -> JsonObject:
        public = self.private_key.public_key().public_numbers()
        return {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": _int_b64(public.n),
            "e": _int_b64(public.e),
        }

    def private_jwk(self) -> JsonObject:
        private = self.private_key.private_numbers()
        return {
            **self.public_jwk(),
            "d": _int_b64(private.d),
            "p": _int_b64(private.p),
            "q": _int_b64(private.q),
            "dp": _int_b64(private.dmp1),
            "dq": _int_b64(private.dmq1),
            "qi": _int_b64(private.iqmp),
        }

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def verifies(self, data: bytes, signature: bytes) -> bool:
        try:
            self.private_key.public_key().verify(
                signature, data, padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return False
        return True

    def __repr__(self) -> str:
        return f"SigningKey(kid={self.kid})"


@functools.cache
def stranger_key() -> SigningKey:
    """A key that is in no JWKS: for the `other_key` fault (a bad signature under a good kid)."""
    return SigningKey.generate()


def load_or_create(data_dir: Path) -> dict[Realm, SigningKey]:
    path = data_dir / KEYS_FILE
    if not path.exists():
        _create(path)
    try:
        document = json.loads(path.read_text())
        return {realm: SigningKey.from_jwk(document[realm.value]) for realm in Realm}
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise RuntimeError(f"{path} is damaged; delete it to make new test keys") from error


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {realm.value: SigningKey.generate().private_jwk() for realm in Realm}
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    # Created 0600 from the start: there is no moment when the private keys are world-readable.
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(document, file)
    try:
        # link() refuses to overwrite: when two processes start at once, the first file wins
        # and both read it, so they never sign with different keys.
        os.link(draft, path)
        logger.info("dev-idp signing keys created", extra={"event": "dev_idp_keys_created"})
    except FileExistsError:
        pass
    finally:
        draft.unlink()


def _json_b64(value: JsonObject) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def encode_jws(header: JsonObject, payload: JsonObject, signer: Signer | None) -> str:
    """Compact JWS; no signer gives the empty signature of `alg: none`."""
    signing_input = f"{_json_b64(header)}.{_json_b64(payload)}"
    signature = signer(signing_input.encode("ascii")) if signer else b""
    return f"{signing_input}.{b64url(signature)}"


def decode_rs256(token: str, key: SigningKey) -> JsonObject | None:
    """The payload of a compact RS256 JWS that `key` signed, else None. Expiry is not checked."""
    try:
        header_part, payload_part, signature_part = token.split(".")
        header = json.loads(b64url_decode(header_part))
        signature = b64url_decode(signature_part)
        if not isinstance(header, dict) or header.get("alg") != "RS256":
            return None
        if not key.verifies(f"{header_part}.{payload_part}".encode("ascii"), signature):
            return None
        payload = json.loads(b64url_decode(payload_part))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return payload if isinstance(payload, dict) else None
