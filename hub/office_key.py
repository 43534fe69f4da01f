"""The office's key pair for recovering a device whose PIN is lost (DESIGN §8).

The private key never touches the hub's database: `ibasho-hub keygen` writes it to a
file for the office to keep offline (passphrase-protected when one is given); the hub
keeps the public key and hands it to each device at enrolment."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.engine import Connection

from hub import hub_settings

SETTING = "office_public_key"


def generate(out: Path, passphrase: bytes | None) -> bytes:
    """Write a new private key to `out` (mode 0600); returns the public key PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            encryption)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def store_public(conn: Connection, public_pem: bytes, actor: str) -> None:
    hub_settings.put(conn, SETTING, public_pem.decode(), actor, "office_key_set", "{}")


def public(conn: Connection) -> str:
    return hub_settings.get(conn, SETTING) or ""
