"""The PIN's key derivation, started while the PIN is still being typed.

scrypt at the calibrated cost takes about 0.4 s (DESIGN §8), and until now it began when
the staff member tapped 開く. The lock screen hands over what the PIN field holds as it is
typed (`ahead`); once it is long enough to be a PIN, the derivation runs on a thread, so
that by the tap it is done or nearly done (`derive` waits for it, or derives there).

What this does not change: nothing is unlocked, tried or counted until the PIN is
submitted, so the waits after wrong PINs hold as before (`Keyring.unlock`); a derivation
answers only for the same PIN under the same salt and cost, and only for a minute; at
most one derivation runs at a time (each takes up to 128 MiB); `forget` drops what was
derived (on unlock and on lock).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.keyring import PIN_MAX, PIN_MIN, Keyring

FRESH_SECONDS = 60.0  # a derivation not used by then is dropped rather than kept around

Key = tuple[str, str, int, int, int]  # (pin, salt, log2_n, r, p)
_SUBMIT: Key = ("", "", 0, 0, 0)  # what runs while a submitted PIN is derived


def _key(keyring: Keyring, pin: str) -> Key | None:
    entry = keyring.data.get("pin")
    if not entry or not (PIN_MIN <= len(pin) <= PIN_MAX):
        return None
    return (pin, str(entry["salt"]), int(entry["log2_n"]), int(entry["r"]), int(entry["p"]))


@dataclass
class Derivations:
    clock: Callable[[], float] = time.monotonic
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _wanted: tuple[Key, Keyring] | None = None  # the newest PIN typed, not started yet
    _running: Key | None = None
    _done: tuple[Key, bytes, float] | None = None

    def ahead(self, keyring: Keyring, pin: str) -> None:
        """The PIN field now holds `pin`: derive its key in the background. Returns at once."""
        key = _key(keyring, pin)
        if key is None:
            return
        with self._cond:
            if key == self._running or (self._done is not None and self._done[0] == key):
                return
            self._wanted = (key, keyring)
            if self._running is not None:
                return  # the running derivation's thread takes this one next
            self._running = key  # claimed for the thread started below
        threading.Thread(target=self._work, name="pin-ahead", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._cond:
                if self._wanted is None:
                    self._running = None
                    self._cond.notify_all()
                    return
                (key, keyring), self._wanted = self._wanted, None
                self._running = key
            try:
                kek: bytes | None = keyring.derive(key[0])
            except Exception:  # the submit derives again and says what is wrong
                kek = None
            with self._cond:
                self._done = (key, kek, self.clock()) if kek is not None else None

    def derive(self, keyring: Keyring, pin: str) -> bytes:
        """The key derived from `pin`: the one derived ahead if it is this PIN's, else
        derived now (after any derivation still running: one at a time)."""
        key = _key(keyring, pin)
        with self._cond:
            self._wanted = None  # what was typed before the submit is not wanted now
            while self._running is not None:
                self._cond.wait()
            done, self._done = self._done, None
            if (key is not None and done is not None and done[0] == key
                    and self.clock() - done[2] <= FRESH_SECONDS):
                return done[1]
            self._running = _SUBMIT
        try:
            return keyring.derive(pin)
        finally:
            with self._cond:
                self._running = None
                self._cond.notify_all()

    def forget(self) -> None:
        with self._cond:
            self._wanted, self._done = None, None
