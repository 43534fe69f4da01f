"""What the whole running app shares across browser sessions: the store, reference data,
and the background sync worker with its status listeners."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from field_app.domain.reference import Reference
from field_app.store import Store
from sync.client import HUB_META, Status, SyncWorker, enrol

log = logging.getLogger(__name__)
PROFILE = "profile"


@dataclass
class Services:
    store: Store
    reference: Reference
    notices: list[tuple[str, str]] = field(default_factory=list)
    worker: SyncWorker | None = None
    interval: float = 60.0
    _listeners: list[Callable[[Status], None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def status(self) -> Status:
        if self.worker is not None:
            return self.worker.status
        state = "not_enrolled" if not self.store.meta(HUB_META) else "idle"
        return Status(state=state, pending=self.store.pending_count())

    def listen(self, fn: Callable[[Status], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(fn)

        def stop() -> None:
            with self._lock:
                if fn in self._listeners:
                    self._listeners.remove(fn)

        return stop

    def _publish(self, status: Status) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(status)
            except Exception:
                log.exception("status listener failed")

    def start_sync(self) -> None:
        if self.worker is None and self.store.meta(HUB_META):
            self.worker = SyncWorker(self.store, interval=self.interval, on_status=self._publish)
            self.worker.start()
        self.notify()

    def notify(self) -> None:
        """A save happened, or staff asked: sync soon (the worker coalesces these)."""
        if self.worker is not None:
            self.worker.notify()
        else:
            self._publish(self.status)

    def enrol(self, hub_url: str, code: str, device_name: str) -> str:
        """Blocking (network): call it off the UI's event path."""
        staff = enrol(self.store, hub_url, code, device_name)
        profile = self.store.meta(PROFILE) or {}
        if not profile.get("name"):
            self.store.set_meta(PROFILE, {**profile, "name": staff})
        self.start_sync()
        return staff

    def author(self) -> str:
        profile = self.store.meta(PROFILE) or {}
        hub = self.store.meta(HUB_META) or {}
        return str(profile.get("name") or hub.get("staff_name") or "")

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
