"""The data key: wrapped by the PIN (scrypt) and by the office's key (RSA-OAEP)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from core.keyring import Keyring, KeyringError, TooSoon, WrongPin, penalty

FAST = 14  # scrypt cost for tests; the app calibrates to ~0.4 s on the device


def office_keys() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def test_the_right_pin_opens_and_the_key_is_never_stored_plain(tmp_path: Path) -> None:
    ring = Keyring.at(tmp_path)
    key = ring.create("2468", log2_n=FAST)
    assert len(key) == 32 and ring.exists
    assert key not in (tmp_path / "keys.json").read_bytes()
    assert Keyring.at(tmp_path).unlock("2468") == key


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_pins_are_refused_and_slowed_down(tmp_path: Path) -> None:
    clock = Clock()
    ring = Keyring.at(tmp_path, clock)
    key = ring.create("2468", log2_n=FAST)
    for _ in range(2):  # two slips are free
        with pytest.raises(WrongPin) as info:
            ring.unlock("0000")
        assert info.value.wait_seconds == 0
    with pytest.raises(WrongPin) as third:
        ring.unlock("1111")
    assert third.value.wait_seconds == 5 and "5秒後" in third.value.message_ja
    again = Keyring.at(tmp_path, clock)  # a restart does not reset the count
    clock.now += 4.5
    with pytest.raises(TooSoon) as early:
        again.unlock("2468")  # even the right PIN waits
    assert early.value.wait_seconds == pytest.approx(0.5)
    clock.now -= 86_400  # the device's clock set back a day: the wait stays the penalty
    assert again.wait_seconds() == 5
    clock.now += 86_400 + 0.6
    assert again.unlock("2468") == key
    assert Keyring.at(tmp_path).data["failures"] == 0
    assert [penalty(n) for n in (0, 2, 3, 4, 5, 20)] == [0, 0, 5, 10, 20, 3600]


def test_a_forgotten_pin_is_recovered_with_the_office_key(tmp_path: Path) -> None:
    private, public = office_keys()
    ring = Keyring.at(tmp_path)
    key = ring.create("2468", log2_n=FAST)
    ring.add_office_key(key, public)
    recovered = Keyring.at(tmp_path).recover(private, "13579", log2_n=FAST)
    assert recovered == key
    assert Keyring.at(tmp_path).unlock("13579") == key
    with pytest.raises(WrongPin):
        Keyring.at(tmp_path).unlock("2468")
    other_private, _ = office_keys()
    with pytest.raises(KeyringError, match="does not open"):
        Keyring.at(tmp_path).recover(other_private, "99999", log2_n=FAST)


def test_pins_must_be_sensible(tmp_path: Path) -> None:
    ring = Keyring.at(tmp_path)
    for bad in ("123", " 1234", "x" * 65):
        with pytest.raises(KeyringError, match="4 to 64"):
            ring.create(bad, log2_n=FAST)
    assert not (tmp_path / "keys.json").exists()
    (tmp_path / "keys.json").write_text("{broken")
    with pytest.raises(KeyringError, match="unreadable"):
        Keyring.at(tmp_path)
