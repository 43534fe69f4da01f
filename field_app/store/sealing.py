"""Sealing: fields marked sensitive are encrypted before they reach the disk (DESIGN §8).

The store keeps plaintext only in memory. `SealingCodec` wraps each sensitive
field of each document in AES-256-GCM under the data key, with the table, the
record id and the field name as associated data, so a sealed value cannot be
moved to another record or field without failing to open. Which fields are
sensitive is declared by the domain (`Record.SENSITIVE`); `POLICY` adds what the store
itself keeps about people (below). `sealed_codec(key)` is the device's codec.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.domain.kinds import SENSITIVE
from field_app.store import codec
from field_app.store.errors import StoreError

PREFIX = "sealed:v1:"
# Beyond the records' own sensitive fields: the office's part of a concern (its feedback
# and referral say what is being done for the person), the hub token and the store's seal
# check (meta), and a refusal's reasons (they quote the refused values). Drafts are sealed
# by the kind of record they hold.
POLICY: dict[str, tuple[str, ...]] = {
    **SENSITIVE, "concern": (*SENSITIVE["concern"], "office"), "meta": ("token", "check"),
    "quarantine": ("reasons",)}


class Sealer(Protocol):
    def seal(self, plaintext: bytes, context: bytes) -> bytes: ...

    def open(self, sealed: bytes, context: bytes) -> bytes: ...


class AesGcmSealer:
    """AES-256-GCM with a random 96-bit nonce per value."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the data key must be 32 bytes (AES-256)")
        self._aead = AESGCM(key)
        self._key = key

    def derive(self, purpose: bytes) -> bytes:
        """A key of its own for `purpose` (the photo files), from the data key (HKDF):
        what is sealed for one use never opens as another."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                    info=b"ibasho-field/" + purpose).derive(self._key)

    def seal(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, context: bytes) -> bytes:
        try:
            return self._aead.decrypt(sealed[:12], sealed[12:], context)
        except InvalidTag as exc:
            raise StoreError("a sealed field could not be opened (wrong key or damaged data)",
                             message_ja="暗号化された項目を開けませんでした。") from exc


class SealingCodec:
    def __init__(self, sensitive: Mapping[str, tuple[str, ...]], sealer: Sealer) -> None:
        self.sensitive = {table: frozenset(names) for table, names in sensitive.items() if names}
        self.sealer = sealer

    def _names(self, table: str, doc: Mapping[str, Any]) -> frozenset[str]:
        if table == "drafts":  # a draft holds a record of any kind
            return self.sensitive.get(str(doc.get("kind")), frozenset())
        return self.sensitive.get(table, frozenset())

    def encode(self, table: str, doc: Mapping[str, Any]) -> Mapping[str, Any]:
        names = self._names(table, doc)
        if not names:
            return doc
        out = dict(doc)
        for name in names & out.keys():
            context = f"{table}/{doc.get('id', '')}/{name}".encode()
            sealed = self.sealer.seal(codec.dumps(out[name]), context)
            out[name] = PREFIX + base64.b64encode(sealed).decode("ascii")
        return out

    def decode(self, table: str, doc: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(doc)
        for name in self._names(table, doc) & out.keys():
            value = out[name]
            if isinstance(value, str) and value.startswith(PREFIX):
                context = f"{table}/{doc.get('id', '')}/{name}".encode()
                sealed = base64.b64decode(value[len(PREFIX):])
                out[name] = codec.loads(self.sealer.open(sealed, context))
        return out


def sealed_codec(key: bytes) -> SealingCodec:
    """The device's codec: the store's sealing policy under this data key."""
    return SealingCodec(POLICY, AesGcmSealer(key))
