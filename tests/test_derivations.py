"""The PIN's key derived while it is typed: the same key, one scrypt at a time, nothing
tried or counted before the submit, and nothing kept for another PIN, salt or later."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from core.keyring import Keyring, WrongPin
from field_app.store.derivations import FRESH_SECONDS, Derivations
from tests.factories import gathering

FAST = 14


class CountingKeyring(Keyring):
    """A real keyring that counts its scrypt runs and how many ran at once."""

    calls: list[str]
    at_once: int
    most_at_once: int
    guard: threading.Lock

    def derive(self, pin: str) -> bytes:
        with self.guard:
            self.calls.append(pin)
            self.at_once += 1
            self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            return super().derive(pin)
        finally:
            with self.guard:
                self.at_once -= 1


def ring_at(path: Path, pin: str = "2468") -> tuple[CountingKeyring, bytes]:
    key = Keyring.at(path).create(pin, log2_n=FAST)
    ring = CountingKeyring(path / "keys.json", Keyring.at(path).data)
    ring.calls, ring.at_once, ring.most_at_once, ring.guard = [], 0, 0, threading.Lock()
    return ring, key


def settled(d: Derivations) -> None:
    deadline = time.monotonic() + 30
    while d._running is not None or d._wanted is not None:
        assert time.monotonic() < deadline, "the derivation did not finish"
        time.sleep(0.01)


def test_a_pin_derived_as_it_was_typed_unlocks_without_a_second_scrypt(tmp_path: Path) -> None:
    ring, key = ring_at(tmp_path)
    d = Derivations()
    for typed in ("2", "24", "246", "2468"):  # too short to be a PIN until the fourth
        d.ahead(ring, typed)
    assert ring.unlock("2468", derive=lambda pin: d.derive(ring, pin)) == key
    assert ring.calls == ["2468"]


def test_a_wrong_pin_typed_ahead_is_counted_only_when_submitted(tmp_path: Path) -> None:
    ring, _ = ring_at(tmp_path)
    d = Derivations()
    d.ahead(ring, "1111")
    settled(d)
    assert Keyring.at(tmp_path).data["failures"] == 0
    with pytest.raises(WrongPin):
        ring.unlock("1111", derive=lambda pin: d.derive(ring, pin))
    assert Keyring.at(tmp_path).data["failures"] == 1
    assert ring.calls == ["1111"]


def test_the_newest_pin_typed_wins_and_one_scrypt_runs_at_a_time(tmp_path: Path) -> None:
    ring, _ = ring_at(tmp_path)
    d = Derivations()
    for typed in ("2468", "24681", "246813", "2468135"):
        d.ahead(ring, typed)
    assert d.derive(ring, "2468135") == Keyring.at(tmp_path).derive("2468135")
    assert ring.most_at_once == 1
    assert ring.calls[0] == "2468" and ring.calls[-1] == "2468135"
    assert len(ring.calls) <= 3  # what was typed between two runs is skipped


def test_a_submitted_pin_other_than_the_one_typed_is_derived_anew(tmp_path: Path) -> None:
    ring, key = ring_at(tmp_path)
    d = Derivations()
    d.ahead(ring, "1357")
    assert ring.unlock("2468", derive=lambda pin: d.derive(ring, pin)) == key
    assert ring.calls == ["1357", "2468"] and ring.most_at_once == 1


def test_another_salt_is_not_answered_with_the_old_derivation(tmp_path: Path) -> None:
    old, _ = ring_at(tmp_path / "old")
    new, key = ring_at(tmp_path / "new")  # the same PIN set again (a recovery): new salt
    d = Derivations()
    d.ahead(old, "2468")
    settled(d)
    assert new.unlock("2468", derive=lambda pin: d.derive(new, pin)) == key
    assert new.calls == ["2468"]


def test_forgotten_or_old_derivations_are_not_used(tmp_path: Path) -> None:
    ring, key = ring_at(tmp_path)
    now = [1000.0]
    d = Derivations(clock=lambda: now[0])
    d.ahead(ring, "2468")
    settled(d)
    d.forget()
    d.derive(ring, "2468")
    assert len(ring.calls) == 2  # derived anew
    d.ahead(ring, "2468")
    settled(d)
    now[0] += FRESH_SECONDS + 1
    assert ring.unlock("2468", derive=lambda pin: d.derive(ring, pin)) == key
    assert len(ring.calls) == 4
    assert d._done is None  # nothing derived stays behind once used


def test_the_app_derives_the_pin_typed_on_the_lock_screen_and_keeps_nothing_after(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.reference_data import load_reference
    from field_app.ui.services import Services

    monkeypatch.setenv("IBASHO_SCRYPT_LOG2N", str(FAST))
    services = Services.at(tmp_path, load_reference())
    services.typing_pin("2468")  # no PIN set yet: the first one is set, not derived
    assert services.derivations._running is None and services.derivations._done is None
    services.create_pin("2468")
    assert services.store is not None
    services.store.save(gathering(device_id=services.store.device_id))
    services.store._storage.compact()  # a snapshot to parse
    services.lock()
    services.typing_pin("2468")
    settled(services.derivations)
    assert services.derivations._done is not None
    assert services.parsed._run is not None  # the snapshot, parsed meanwhile
    services.unlock("2468")
    assert not services.locked and services.derivations._done is None
    assert services.parsed._run is None  # taken by the opening
    assert len(services.store.all("gathering")) == 1
    services.typing_pin("1357")  # unlocked: nothing to derive
    assert services.derivations._running is None and services.derivations._done is None
    services.lock()
    with pytest.raises(WrongPin):
        services.unlock("1357")
    services.stop()
