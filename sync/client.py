"""The device side of sync: drain the outbox in batches, pull what the office changed.

`Syncer.sync_once()` does one complete pass and raises on failure; `SyncWorker` runs
passes in the background (when a form is left or has been quiet a while, when asked, on a
timer, on connectivity hints), retrying
transient failures with exponential backoff and full jitter, honouring Retry-After,
for as long as it takes. Nothing here ever deletes a record the hub does not have.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from core.domain.kinds import FIELD_KINDS
from core.domain.record import utc_now
from field_app.store import Store
from sync.errors import NotEnrolledError, RefusedError, RevokedError, SyncError, TransientError
from sync.protocol import (
    ACCEPTED,
    ASSIGNMENT,
    CONFLICT,
    DUPLICATE,
    GRANT,
    MAX_BATCH_RECORDS,
    OFFICE_PART,
    PLACE,
    REFERENCE,
    REJECTED,
    STALE,
)

if TYPE_CHECKING:
    from sync.http import HubClient
    from sync.photos import PhotoStore

log = logging.getLogger(__name__)
HUB_META, SYNC_META, RETENTION_META = "hub", "sync", "retention"
REFERENCE_META = "reference"  # the office's destinations and program settings
ASSIGNMENT_META = "assignment"  # {"places": [...], "areas": [...]} from the office
Progress = Callable[[int, int], None]
PHOTO_BATCH = 50  # photos asked of the store at a time


@dataclass
class Report:
    sent: int = 0
    accepted: int = 0
    duplicate: int = 0
    rebased: int = 0
    quarantined: int = 0
    pulled: int = 0
    offered_again: int = 0  # records offered again to a hub restored from a backup
    archive_offered: int = 0  # of those, records kept in this device's yearly archives
    archive_refused: int = 0  # archived records the restored hub now refuses (kept here)
    photos_sent: int = 0  # photos the hub now holds whole (checked)
    photos_refused: int = 0  # photos the hub will not keep (left on the tablet, logged)


@dataclass
class Syncer:
    store: Store
    client: HubClient
    batch_size: int = 200
    on_progress: Progress | None = None
    at_office: bool = False  # an office pass: photos held until the office go too
    on_photos: Progress | None = None  # (photos sent, photos to send) in this pass
    refused_photos: set[str] = field(default_factory=set)  # not tried again by this worker
    _inflight: tuple[str, list[dict[str, Any]]] | None = field(default=None, repr=False)

    def sync_once(self) -> Report:
        report = Report()
        self.push_all(report)
        self.pull_all(report)
        if report.offered_again:  # the restored hub may lack what it had acknowledged
            self.push_all(report)
        self.offer_archived(report)
        self.send_photos(report)
        return report

    def send_photos(self, report: Report) -> None:
        """Photos' bytes go after the records: the store offers only photos whose record
        the hub has accepted (field_app/store/photos.py)."""
        from sync.photos import send_photos  # httpx: the lock screen does not wait for it

        sent = send_photos(cast("PhotoStore", self.store), self.client.http,
                           at_office=self.at_office, refused=self.refused_photos,
                           on_progress=self.on_photos, limit=PHOTO_BATCH)
        report.photos_sent += sent.sent
        report.photos_refused += sent.refused

    # push --------------------------------------------------------------------------

    def push_all(self, report: Report) -> None:
        total = self.store.pending_count()
        if self.on_progress:
            self.on_progress(0, total)
        size = max(1, min(self.batch_size, MAX_BATCH_RECORDS))
        rounds = 0
        while True:
            rounds += 1
            if rounds > 100_000:  # a bound, not a limit anyone should reach
                raise SyncError("push did not converge")
            if self._inflight is None:
                batch = [_wire(d) for d in self.store.sending(limit=size)]
                if not batch:
                    return
                # the same key for every retry of this exact batch: replays are no-ops
                self._inflight = (str(uuid.uuid4()), batch)
            key, batch = self._inflight
            try:
                results = self.client.push(batch, key)
            except RefusedError as exc:
                self._inflight = None
                if exc.status in (400, 413, 415, 422) and len(batch) > 1:
                    size = max(1, len(batch) // 2)  # find the record the hub cannot take
                    continue
                if exc.status in (400, 413, 415, 422):
                    self.store.quarantine(batch[0]["id"], batch[0]["rev"], exc.problems or [{
                        "field": "record", "value": "", "expected_en": exc.message,
                        "expected_ja": exc.message_ja}])
                    report.quarantined += 1
                    continue
                raise
            self._inflight = None
            self._apply(results, report)
            report.sent += len(batch)
            size = max(1, min(self.batch_size, MAX_BATCH_RECORDS))
            if self.on_progress:
                self.on_progress(min(report.sent, max(total, report.sent)), max(total, report.sent))

    def _apply(self, results: list[Any], report: Report) -> None:
        acks = []
        for r in results:
            if r.status in (ACCEPTED, DUPLICATE):
                acks.append((r.id, r.rev))
                report.accepted += r.status == ACCEPTED
                report.duplicate += r.status == DUPLICATE
            elif r.status in (STALE, CONFLICT):
                # Only this device writes its records, so its latest content wins: save it
                # again above the hub's rev. The hub keeps a conflicting body for review.
                if self._rebase(r.id, r.rev, max(r.hub_rev or r.rev, r.rev) + 1):
                    report.rebased += 1
            elif r.status == REJECTED and self.store.quarantine(r.id, r.rev, r.problems):
                report.quarantined += 1
        if acks:
            self.store.acknowledge(acks)

    def _rebase(self, rid: str, sent_rev: int, new_rev: int) -> bool:
        for kind in FIELD_KINDS:
            record = self.store.load(kind, rid)
            if record is not None:
                if record.rev != sent_rev:
                    return False  # edited since: that newer rev is already pending
                self.store.save(dataclasses.replace(record, rev=new_rev, updated_at=utc_now()))
                return True
        return False

    def offer_archived(self, report: Report) -> None:
        """Offer a restored hub the records this device archived, a year at a time. They left
        the outbox long ago, so they go straight from the archive; the hub keeps what it
        lacks and answers `duplicate` for the rest. Nothing in the archive changes. Records
        still waiting (moved there while unsynced, or refused since) go by the outbox: once."""
        state = self.store.meta(SYNC_META) or {}
        years = [int(y) for y in state.get("archive_to_offer") or []]
        me = self.store.device_id
        size = max(1, min(self.batch_size, MAX_BATCH_RECORDS))
        waiting = self.store.waiting_ids()
        for year in years:
            docs = [_wire(d) for d in self.store.archived(year)
                    if d.get("device_id") == me and d["id"] not in waiting]
            for start in range(0, len(docs), size):
                self._offer(docs[start:start + size], report)
            state = self.store.meta(SYNC_META) or {}
            left = [y for y in state.get("archive_to_offer") or [] if int(y) != year]
            restored_at = dict(state.get("restored") or {})
            if restored_at:
                restored_at["offered"] = int(restored_at.get("offered") or 0) + len(docs)
            self.store.set_meta(SYNC_META, {**state, "archive_to_offer": left,
                                            **({"restored": restored_at} if restored_at else {})})

    def _offer(self, batch: list[dict[str, Any]], report: Report) -> None:
        try:
            results = self.client.push(batch, str(uuid.uuid4()))
        except RefusedError as exc:
            if exc.status not in (400, 413, 415, 422):
                raise
            if len(batch) > 1:  # find the records the hub cannot take; send the rest
                half = len(batch) // 2
                self._offer(batch[:half], report)
                self._offer(batch[half:], report)
            else:
                report.archive_refused += 1
                log.warning("an archived record was refused by the restored hub (%s)", exc.status)
            return
        for r in results:
            report.archive_offered += 1
            report.accepted += r.status == ACCEPTED
            report.duplicate += r.status == DUPLICATE
            # stale or conflict: the hub holds that record at another rev, which it keeps
            report.archive_refused += r.status == REJECTED

    # pull --------------------------------------------------------------------------------

    def pull_all(self, report: Report) -> None:
        state = self.store.meta(SYNC_META) or {}
        cursor = state.get("cursor")
        full = cursor is None
        seen_places: set[str] = set()
        for _ in range(100_000):
            page = self.client.pull(cursor)
            known = state.get("history")
            if page.history and known and page.history != known:
                # Not the history this device last synced with: the hub was restored from a
                # backup. Offer again everything held before the new name is kept, so that a
                # pass cut short here offers again next time rather than never.
                report.offered_again += self.store.offer_again()
                # the yearly archives hold what was synced long ago: offered year by year
                # after the store's records, each year struck off once the hub has it, so
                # that a pass cut short resumes where it stopped
                state = {**state, "restored": {"at": utc_now(), "from": known,
                                               "to": page.history,
                                               "offered": report.offered_again},
                         "archive_to_offer": self.store.archived_years()}
            if page.history:
                state = {**state, "history": page.history}
            full = full or page.reset
            places = [c.body for c in page.changes if c.kind == PLACE]
            parts = {c.id: c.body for c in page.changes if c.kind == OFFICE_PART}
            for c in page.changes:
                if c.kind == REFERENCE:  # the office's destinations and program settings
                    self.store.set_meta(REFERENCE_META, c.body)
                elif c.kind == ASSIGNMENT:  # the places and areas this staff member has
                    self.store.set_meta(ASSIGNMENT_META, c.body)
            grants = [{**c.body, "kind": "grant", "id": c.id} for c in page.changes
                      if c.kind == GRANT]
            if grants:  # the office's grant status of places, read-only here
                self.store.put_reference(grants)
            if places:
                self.store.put_reference(places)
                seen_places.update(str(p["id"]) for p in places)
            if parts:
                self.store.set_office_parts(parts)
            report.pulled += len(page.changes)
            retention = (page.settings or {}).get("retention")
            if isinstance(retention, dict) and self.store.meta(RETENTION_META) != retention:
                self.store.set_meta(RETENTION_META, retention)
            cursor = page.cursor
            self.store.set_meta(SYNC_META, {**state, "cursor": cursor})
            if not page.more:
                break
        if full:
            # Places that came from the sample data, not from this hub, go away.
            stale = [p["id"] for p in self.store.all("place")
                     if p.get("sample") and p["id"] not in seen_places]
            self.store.remove_reference("place", stale)


def _wire(doc: dict[str, Any]) -> dict[str, Any]:
    """What the device sends: its own part only (the office part came from the hub)."""
    out = dict(doc)
    if out.get("kind") == "concern":
        out["office"] = None
    return out


def _hub_client(url: str, token: str) -> HubClient:
    from sync.http import HubClient  # httpx: the lock screen does not wait for it

    return HubClient(url, token)


def enrol(store: Store, hub_url: str, code: str, device_name: str, **client_options: Any) -> str:
    """Exchange an enrolment code; returns the staff name. Pending records stay pending."""
    from sync.http import HubClient  # httpx: the lock screen does not wait for it

    with HubClient(hub_url, **client_options) as client:
        enrolment = client.enrol(code.strip(), store.device_id, device_name)
    store.set_meta(HUB_META, {"url": hub_url, "token": enrolment.token,
                              "staff_name": enrolment.staff_name, "enrolled_at": utc_now(),
                              "office_public_key": enrolment.office_public_key})
    # A new hub (or a re-enrolment) starts with a full pull. The history last synced with is
    # kept: a device re-enrolled because a restored hub no longer knew it must still offer
    # again what that hub lost.
    last = (store.meta(SYNC_META) or {}).get("history")
    store.set_meta(SYNC_META, {"history": last} if last else None)
    return enrolment.staff_name


# the background worker -------------------------------------------------------------------


@dataclass
class Status:
    state: str = "idle"  # idle | syncing | offline | revoked | not_enrolled | error
    pending: int = 0
    sent: int = 0
    total: int = 0
    last_success: str | None = None
    message: str = ""
    message_ja: str = ""
    next_try_in: float | None = None
    pulled: int = 0  # changes the last finished pass brought from the hub
    restored_at: str = ""  # when this device last found its hub restored from a backup
    offered_again: int = 0  # how many records it then offered again
    photos_sent: int = 0  # photos the hub holds whole in this pass
    photos_total: int = 0  # photos this pass sends


def restored(store: Store) -> dict[str, Any]:
    """The Status fields saying when the hub was last found restored, kept across restarts."""
    found = (store.meta(SYNC_META) or {}).get("restored") or {}
    return {"restored_at": str(found.get("at") or ""),
            "offered_again": int(found.get("offered") or 0)}


def backoff(attempt: int, *, base: float = 1.0, cap: float = 300.0,
            retry_after: float | None = None, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter, never sooner than the hub's Retry-After."""
    delay = (rng or random).uniform(0, min(cap, base * 2 ** min(attempt, 30)))
    return max(delay, retry_after or 0.0)


class SyncWorker:
    """Runs sync passes on its own thread; the UI calls `notify()` (sync now) or `edited()`
    (sync once quiet) and reads `status`. A form's saves are not pushed one by one: each
    pushes the quiet deadline back, and a pass runs when it passes, when asked, or when
    the timer (or a retry's backoff) is due."""

    def __init__(self, store: Store, *, interval: float = 120.0,
                 on_status: Callable[[Status], None] | None = None,
                 client_factory: Callable[[str, str], HubClient] | None = None,
                 base_delay: float = 1.0, max_delay: float = 300.0) -> None:
        self.store = store
        self.interval = interval
        self.on_status = on_status
        self.client_factory = client_factory or _hub_client
        self.base_delay, self.max_delay = base_delay, max_delay
        self.status = Status(pending=store.pending_count(), **restored(store))
        self._cond = threading.Condition()
        self._now = False  # a pass is asked for now
        self._at_office = False  # the pass asked for is an office pass (photos held go too)
        self.office_pass = False  # the pass now running (or retried) is one
        self._refused_photos: set[str] = set()  # photos the hub refused: not sent again
        self._quiet_due: float | None = None  # monotonic time a quiet form is pushed at
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ibasho-sync", daemon=True)

    def start(self) -> SyncWorker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stop.set()
            self._cond.notify()
        self._thread.join(timeout)

    def notify(self, *, at_office: bool = False) -> None:
        """Sync now: a form was left, staff asked (今すぐ同期), the network came back.
        `at_office`: staff asked at the office (事務所で同期（写真も送る）): photos held
        until the office go in this pass too."""
        with self._cond:
            self._now = True
            self._at_office = self._at_office or at_office
            self._cond.notify()

    def edited(self, quiet: float) -> None:
        """A form saved: sync once nothing more has been saved for `quiet` seconds."""
        with self._cond:
            self._quiet_due = time.monotonic() + quiet
            self._cond.notify()

    def _await_pass(self, wait: float) -> bool:
        """Wait until a pass is due (asked for, a quiet form, or `wait` seconds gone);
        False when stopped. Every wait is bounded by the earliest of these."""
        timer = time.monotonic() + wait
        with self._cond:
            while not self._stop.is_set():
                now = time.monotonic()
                due = timer if self._quiet_due is None else min(timer, self._quiet_due)
                if self._now or now >= due:
                    self._now, self._quiet_due = False, None  # this pass sends it all
                    # an office pass stays one until it succeeds (a retry is one too)
                    self.office_pass = self.office_pass or self._at_office
                    self._at_office = False
                    return True
                self._cond.wait(timeout=due - now)
        return False

    def _publish(self, **changes: Any) -> None:
        self.status = dataclasses.replace(self.status, pending=self.store.pending_count(),
                                          **changes)
        if self.on_status:
            try:
                self.on_status(self.status)
            except Exception:  # a broken listener must not stop the sync
                log.exception("sync status listener failed")

    def _run(self) -> None:
        attempt = 0
        wait = 0.0
        while self._await_pass(wait):
            try:
                self._pass()
                self.office_pass = False
                attempt, wait = 0, self.interval
            except TransientError as exc:
                attempt += 1
                wait = backoff(attempt, base=self.base_delay, cap=self.max_delay,
                               retry_after=exc.retry_after)
                self._publish(state="offline", message=exc.message, message_ja=exc.message_ja,
                              next_try_in=wait)
            except (RevokedError, NotEnrolledError) as exc:
                state = "revoked" if isinstance(exc, RevokedError) else "not_enrolled"
                self._publish(state=state, message=exc.message, message_ja=exc.message_ja)
                attempt, wait = 0, self.interval  # a re-enrolment wakes us with notify()
            except Exception as exc:  # keep the thread alive whatever happens
                log.exception("sync pass failed")
                attempt += 1
                wait = backoff(attempt, base=self.base_delay, cap=self.max_delay)
                self._publish(state="error", message=str(exc), message_ja="同期中にエラーが発生しました。",
                              next_try_in=wait)

    def _pass(self) -> None:
        hub = self.store.meta(HUB_META)
        if not hub or not hub.get("token"):
            raise NotEnrolledError()
        self._publish(state="syncing", sent=0, total=self.store.pending_count(), next_try_in=None,
                      pulled=0, photos_sent=0, photos_total=0)

        def progress(sent: int, total: int) -> None:
            self._publish(state="syncing", sent=sent, total=total)

        def photos(sent: int, total: int) -> None:
            self._publish(state="syncing", photos_sent=sent, photos_total=total)

        with self.client_factory(hub["url"], hub["token"]) as client:
            report = Syncer(self.store, client, on_progress=progress, on_photos=photos,
                            at_office=self.office_pass,
                            refused_photos=self._refused_photos).sync_once()
        self._publish(state="idle", last_success=utc_now(), message="", message_ja="",
                      pulled=report.pulled, **restored(self.store))
