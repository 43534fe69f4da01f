"""The data key of a device, and how it is unlocked (DESIGN §8).

Sensitive fields are sealed under a random 256-bit data key. The key is never stored as
it is: it is wrapped twice, in `keys.json` beside the store:

- by a key derived from the staff member's PIN with scrypt (memory-hard; its cost is
  calibrated when the PIN is set and stored with the wrap), and
- by the office's public key (RSA-OAEP-SHA256) received at enrolment, so a forgotten
  PIN never loses unsynced records: `ibasho-hub recover` opens that wrap with the
  office's private key and wraps the key again under a new PIN.

Wrong PINs are slowed down progressively, and the count survives a restart.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from core.config import Config
from core.domain.errors import IbashoError

KEYS_FILE = "keys.json"
PIN_MIN, PIN_MAX = 4, 64
TARGET_SECONDS = 0.4  # per unlock on the device that sets the PIN
MIN_LOG2_N = 14
MAX_LOG2_N = 17  # 128 MiB of memory per unlock: enough for a mid-range tablet
FREE_TRIES = 3  # wrong PINs before the waits start


class KeyringError(IbashoError):
    pass


class WrongPin(KeyringError):
    def __init__(self, wait_seconds: float) -> None:
        super().__init__(
            f"wrong PIN; try again in {wait_seconds:.0f} s" if wait_seconds else "wrong PIN",
            message_ja=(f"PINが違います。{wait_seconds:.0f}秒後にもう一度入力してください。"
                        if wait_seconds else "PINが違います。"))
        self.wait_seconds = wait_seconds


class TooSoon(KeyringError):
    def __init__(self, wait_seconds: float) -> None:
        super().__init__(f"too many wrong PINs; wait {wait_seconds:.0f} s",
                         message_ja=f"PINの誤りが続いたため、{wait_seconds:.0f}秒お待ちください。")
        self.wait_seconds = wait_seconds


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def check_pin(pin: str) -> None:
    if not (PIN_MIN <= len(pin) <= PIN_MAX) or pin != pin.strip():
        raise KeyringError(f"the PIN must be {PIN_MIN} to {PIN_MAX} characters",
                           message_ja=f"PINは{PIN_MIN}〜{PIN_MAX}文字で入力してください。")


def penalty(failures: int) -> float:
    """Seconds to wait after `failures` wrong PINs in a row: 0, then doubling to an hour."""
    extra = failures - FREE_TRIES
    return 0.0 if extra < 0 else float(min(3600, 5 * 2 ** extra))


def calibrate(target: float = TARGET_SECONDS) -> int:
    """The scrypt cost (log2 N) that takes about `target` seconds here.

    IBASHO_SCRYPT_LOG2N fixes it instead (test suites; never below 2**14)."""
    fixed = Config.from_env().scrypt_log2n
    if fixed is not None:
        return max(MIN_LOG2_N, min(MAX_LOG2_N, fixed))
    log2_n = MIN_LOG2_N
    salt = os.urandom(16)
    while log2_n < MAX_LOG2_N:
        start = time.perf_counter()
        Scrypt(salt=salt, length=32, n=2 ** log2_n, r=8, p=1).derive(b"calibration")
        if time.perf_counter() - start >= target / 2:
            return log2_n + 1 if time.perf_counter() - start < target * 0.7 else log2_n
        log2_n += 1
    return log2_n


def fingerprint(public_pem: bytes) -> str:
    key = serialization.load_pem_public_key(public_pem)
    der = key.public_bytes(serialization.Encoding.DER,
                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()[:16]


def office_wrap(data_key: bytes, public_pem: bytes) -> dict[str, str]:
    key = serialization.load_pem_public_key(public_pem)
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 3072:
        raise KeyringError("the office key must be RSA, 3072 bits or more",
                           message_ja="事務局の鍵の形式が正しくありません。")
    wrapped = key.encrypt(data_key, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                                                 algorithm=hashes.SHA256(), label=None))
    return {"alg": "RSA-OAEP-SHA256", "key_id": fingerprint(public_pem), "wrapped": _b64(wrapped)}


def office_unwrap(entry: dict[str, str], private_pem: bytes, password: bytes | None = None
                  ) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=password)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyringError("not an RSA private key")
    try:
        return key.decrypt(_unb64(entry["wrapped"]), padding.OAEP(
            mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    except ValueError as exc:
        raise KeyringError("this office key does not open this device's data key",
                           message_ja="この鍵ではこの端末のデータを開けません。") from exc


@dataclass
class Keyring:
    path: Path
    data: dict[str, Any]
    clock: Callable[[], float] = time.time  # wall time: the wait holds across restarts

    @classmethod
    def at(cls, data_dir: Path, clock: Callable[[], float] = time.time) -> Keyring:
        path = Path(data_dir) / KEYS_FILE
        if path.exists():
            try:
                return cls(path, json.loads(path.read_text(encoding="utf-8")), clock)
            except (ValueError, OSError) as exc:
                raise KeyringError(
                    f"{path} is unreadable: {exc}",
                    message_ja="鍵ファイルを読み込めません。事務局に連絡してください。") from exc
        return cls(path, {}, clock)

    @property
    def exists(self) -> bool:
        return "pin" in self.data

    @property
    def office_key_id(self) -> str | None:
        office = self.data.get("office")
        return office["key_id"] if office else None

    def _save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _pin_wrap(self, data_key: bytes, pin: str, log2_n: int) -> dict[str, Any]:
        salt, nonce = os.urandom(16), os.urandom(12)
        kek = Scrypt(salt=salt, length=32, n=2 ** log2_n, r=8, p=1).derive(pin.encode())
        wrapped = AESGCM(kek).encrypt(nonce, data_key, b"ibasho-data-key")
        return {"kdf": "scrypt", "log2_n": log2_n, "r": 8, "p": 1, "salt": _b64(salt),
                "nonce": _b64(nonce), "wrapped": _b64(wrapped)}

    def create(self, pin: str, *, log2_n: int | None = None) -> bytes:
        """First run: a new data key under this PIN. Returns the data key."""
        if self.exists:
            raise KeyringError("a PIN is already set", message_ja="PINはすでに設定されています。")
        check_pin(pin)
        data_key = os.urandom(32)
        self.data = {"version": 1, "pin": self._pin_wrap(data_key, pin, log2_n or calibrate()),
                     "office": None, "failures": 0, "last_failure": 0.0,
                     "created_at": dt.datetime.now(dt.UTC).isoformat()}
        self._save()
        return data_key

    def derive(self, pin: str) -> bytes:
        """The key that wraps the data key, from `pin` (scrypt at the stored cost)."""
        entry = self.data["pin"]
        return Scrypt(salt=_unb64(entry["salt"]), length=32, n=2 ** entry["log2_n"],
                      r=entry["r"], p=entry["p"]).derive(pin.encode())

    def unlock(self, pin: str, derive: Callable[[str], bytes] | None = None) -> bytes:
        """The data key, if `pin` opens it; a wrong PIN is counted and slows the next.
        `derive` gives the key from the PIN (`Derivations`: derived while it was typed)."""
        wait = self.wait_seconds()
        if wait > 0:
            raise TooSoon(wait)
        entry = self.data["pin"]
        kek = (derive or self.derive)(pin)
        try:
            key = AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]),
                                      b"ibasho-data-key")
        except InvalidTag:
            self.data["failures"] = int(self.data.get("failures", 0)) + 1
            self.data["last_failure"] = self.clock()
            self._save()
            raise WrongPin(penalty(self.data["failures"])) from None
        if self.data.get("failures"):
            self.data["failures"] = 0
            self._save()
        return key

    def wait_seconds(self) -> float:
        failures = int(self.data.get("failures", 0))
        wait = penalty(failures)
        since = self.clock() - float(self.data.get("last_failure", 0.0))
        # never longer than the penalty itself: a clock set back must not lock the device
        return max(0.0, min(wait, wait - since))

    def add_office_key(self, data_key: bytes, public_pem: bytes) -> None:
        self.data["office"] = office_wrap(data_key, public_pem)
        self._save()

    def change_pin(self, data_key: bytes, new_pin: str, *, log2_n: int | None = None) -> None:
        check_pin(new_pin)
        self.data["pin"] = self._pin_wrap(data_key, new_pin, log2_n or calibrate())
        self.data["failures"], self.data["last_failure"] = 0, 0.0
        self._save()

    def recover(self, private_pem: bytes, new_pin: str, *, password: bytes | None = None,
                log2_n: int | None = None) -> bytes:
        """The office opens its wrap and sets a new PIN (a forgotten PIN loses nothing)."""
        office = self.data.get("office")
        if not office:
            raise KeyringError("this device has no office wrap (it was never enrolled)",
                               message_ja="この端末は事務局の鍵で復旧できません（未登録）。")
        data_key = office_unwrap(office, private_pem, password)
        self.change_pin(data_key, new_pin, log2_n=log2_n)
        return data_key
