"""What the whole running app shares across browser sessions: the keyring and the store
(open only while unlocked), reference data, the background sync worker, and the idle lock.

Locking closes the store and forgets the data key: while locked, nothing sensitive is
readable in this process, and the lock screen has nothing to show."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.domain import clock
from core.domain.overrides import apply_overrides
from core.domain.reference import Reference
from core.domain.retention import Policy
from core.keyring import Keyring
from core.reference_data import sample_places, sync_quiet_seconds
from field_app.store import Store, StoreCorruptError, StoreError, open_sealed
from field_app.store.derivations import Derivations
from field_app.store.migrations import STORE_DIR
from field_app.store.snapshot import Ahead
from sync.client import (
    HUB_META,
    REFERENCE_META,
    RETENTION_META,
    Status,
    SyncWorker,
    enrol,
    restored,
)

log = logging.getLogger(__name__)
PROFILE = "profile"


@dataclass
class Services:
    data_dir: Path
    base_reference: Reference  # as shipped; the office's changes come with sync
    keyring: Keyring
    store: Store | None = None
    notices: list[tuple[str, str]] = field(default_factory=list)
    worker: SyncWorker | None = None
    interval: float = 60.0
    quiet: float = field(default_factory=sync_quiet_seconds)  # a form's saves, then push
    lock_after: float = 300.0  # seconds without use
    on_unlock: Callable[[Services], None] | None = None
    derivations: Derivations = field(default_factory=Derivations)
    parsed: Ahead = field(default_factory=Ahead)  # the snapshot, parsed as the PIN is typed
    _listeners: list[Callable[[Status], None]] = field(default_factory=list)
    _lock_listeners: list[Callable[[bool], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _last_use: float = field(default_factory=time.monotonic)
    _stop: threading.Event = field(default_factory=threading.Event)
    _applied: tuple[object, Reference | None] = (None, None)
    _told_pending: int = -1  # the pending count listeners were last given
    _pruned_after: str | None = None  # the sync pass after which photos were last pruned

    @classmethod
    def at(cls, data_dir: Path, reference: Reference, **options: object) -> Services:
        return cls(Path(data_dir), reference, Keyring.at(data_dir), **options)  # type: ignore[arg-type]

    @property
    def reference(self) -> Reference:
        """The shipped catalogue with the office's destinations and program settings, as
        last pulled from the hub (rebuilt only when they change)."""
        doc = self.store.meta(REFERENCE_META) if self.store is not None else None
        seen, built = self._applied
        if built is None or doc != seen:
            built = apply_overrides(self.base_reference, doc)
            self._applied = (doc, built)
        return built

    # locking --------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.store is None

    @property
    def needs_pin(self) -> bool:
        return not self.keyring.exists

    def create_pin(self, pin: str) -> None:
        self._open(self.keyring.create(pin))

    def typing_pin(self, pin: str) -> None:
        """What the lock screen's PIN field holds, as it is typed: its key is derived
        meanwhile, so the unlock does not wait for scrypt (nothing is tried or counted),
        and the store's snapshot is parsed (what needs no key: store.snapshot.Ahead)."""
        if not self.needs_pin and self.locked:
            self.derivations.ahead(self.keyring, pin)
            self.parsed.start(self.data_dir / STORE_DIR)

    def unlock(self, pin: str) -> None:
        # read keys.json afresh: the office may have recovered it with a new PIN meanwhile
        # (a key derived ahead under the old salt then does not answer for it)
        self.keyring = Keyring.at(self.data_dir)
        try:
            key = self.keyring.unlock(
                pin, derive=lambda typed: self.derivations.derive(self.keyring, typed))
        finally:
            self.derivations.forget()
        self._open(key)

    def _open(self, key: bytes) -> None:
        try:
            store = open_sealed(self.data_dir, key, ahead=self.parsed.take())
        except StoreCorruptError as exc:
            self.notices.append(("store.unreadable.title",
                                 exc.text("ja") + "\n\n" + exc.text("en")))
            store = open_sealed(self.data_dir, key)
        if store.count("place") == 0:
            store.put_reference(sample_places())  # until a hub sends the council's own
        # on the writer thread, after the screen is back: the home screen does not wait for it
        store.apply_retention_async(clock.today(), Policy.of(store.meta(RETENTION_META)))
        store.prune_photos()  # on the writer thread too: sent photos past their retention
        hub = store.meta(HUB_META) or {}
        if hub.get("office_public_key") and self.keyring.office_key_id is None:
            self.keyring.add_office_key(key, hub["office_public_key"].encode())
        self._key = key
        self.store = store
        self.touch()
        if self.on_unlock is not None:
            self.on_unlock(self)
        self.start_sync()
        self._tell_lock(False)

    def lock(self) -> None:
        self.derivations.forget()
        with self._lock:
            store, worker = self.store, self.worker
            self.store, self.worker, self._key = None, None, b""
        if worker is not None:
            worker.stop()
        if store is not None:
            store.close()
            self._tell_lock(True)

    def touch(self) -> None:
        self._last_use = time.monotonic()

    def watch_idle(self) -> None:
        """Lock after `lock_after` seconds without use (checked on its own thread)."""
        def run() -> None:
            while not self._stop.wait(timeout=min(5.0, max(0.5, self.lock_after / 10))):
                if not self.locked and time.monotonic() - self._last_use > self.lock_after:
                    log.info("locking after %.0f s without use", self.lock_after)
                    self.lock()

        threading.Thread(target=run, name="ibasho-idle-lock", daemon=True).start()

    def on_lock_change(self, fn: Callable[[bool], None]) -> Callable[[], None]:
        with self._lock:
            self._lock_listeners.append(fn)
        return lambda: self._lock_listeners.remove(fn) if fn in self._lock_listeners else None

    def _tell_lock(self, locked: bool) -> None:
        for fn in list(self._lock_listeners):
            try:
                fn(locked)
            except Exception:
                log.exception("lock listener failed")

    # sync -----------------------------------------------------------------------------

    @property
    def status(self) -> Status:
        if self.worker is not None:
            return self.worker.status
        if self.store is None:
            return Status(state="idle")
        state = "not_enrolled" if not self.store.meta(HUB_META) else "idle"
        return Status(state=state, pending=self.store.pending_count(), **restored(self.store))

    def listen(self, fn: Callable[[Status], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(fn)

        def stop() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)

        return stop

    def _publish(self, status: Status) -> None:
        self._told_pending = status.pending
        store = self.store
        if store is not None and status.state == "idle" and status.last_success \
                and status.last_success != self._pruned_after:
            # a pass has ended: photos the hub now has may be due to become thumbnails
            self._pruned_after = status.last_success
            with contextlib.suppress(StoreError):  # locked meanwhile
                store.prune_photos()
        with self._lock:
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(status)
            except Exception:
                log.exception("status listener failed")

    def start_sync(self) -> None:
        if self.store is not None and self.worker is None and self.store.meta(HUB_META):
            self.worker = SyncWorker(self.store, interval=self.interval, on_status=self._publish)
            self.worker.start()
        self.notify()

    def notify(self) -> None:
        """Sync now: a form was left, or staff asked (the worker coalesces these)."""
        self.touch()
        if self.worker is not None:
            self.worker.notify()
        else:
            self._publish(self.status)

    @property
    def can_sync_at_office(self) -> bool:
        """Whether a pass at the office can run (the one that also sends photos held until
        then): there is a sync worker."""
        return self.worker is not None

    def sync_at_office(self) -> None:
        """Sync now, at the office: photos held until the office go too."""
        self.touch()
        if self.worker is not None:
            self.worker.notify(at_office=True)

    def edited(self) -> None:
        """A form saved (on disk already): pushed once the form is left or has been quiet
        for `quiet` seconds, not tap by tap."""
        self.touch()
        worker, store = self.worker, self.store
        if worker is None:
            self._publish(self.status)
            return
        worker.edited(self.quiet)
        pending = store.pending_count() if store is not None else self._told_pending
        if pending != self._told_pending:  # the badge counts it before the push
            self._publish(dataclasses.replace(worker.status, pending=pending))

    def enrol(self, hub_url: str, code: str, device_name: str) -> str:
        """Blocking (network): call it off the UI's event path."""
        store = self.store
        if store is None:
            raise RuntimeError("locked")
        staff = enrol(store, hub_url, code, device_name)
        hub = store.meta(HUB_META) or {}
        if hub.get("office_public_key"):  # a forgotten PIN can now be recovered by the office
            self.keyring.add_office_key(self._key, hub["office_public_key"].encode())
        profile = store.meta(PROFILE) or {}
        if not profile.get("name"):
            store.set_meta(PROFILE, {**profile, "name": staff})
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        self.start_sync()
        return staff

    def author(self) -> str:
        if self.store is None:
            return ""
        profile = self.store.meta(PROFILE) or {}
        hub = self.store.meta(HUB_META) or {}
        return str(profile.get("name") or hub.get("staff_name") or "")

    def stop(self) -> None:
        self._stop.set()
        self.lock()
