"""The model behind every record screen, apart from its controls.

Every change is kept at once: a change that makes a valid record is saved (pending for
sync); a change that leaves the form invalid is kept as a draft beside the last valid
record, with the problems per field. Reopening the screen shows the draft. Saves go to
the store's writer thread; the UI never waits on the disk.

One screen open is one editing session: its first save makes a new rev, and later saves
replace that rev in place until a push has taken it (the store decides, as the writes
land), so the office's history has one version per session, not one per tap.

Text that could still become an individual number as it is typed (it ends in up to 11
digits) is kept in memory only, until it is complete — and refused, so that a draft keeps
it masked — or the text goes on, or the screen is left (`flush`): no prefix of a number
ever reaches the disk.

A save counts only once the store says it is on disk. When the disk refuses one (full),
the draft stays, the store holds what was typed in memory (reopening the form shows it),
and the form says it is not saved until a later save lands (`retry`).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from core.domain import clock, legal_basis, my_number
from core.domain.defaults import defaults
from core.domain.errors import IbashoError, ValidationError
from core.domain.kinds import GUARDED, parse_record
from core.domain.problem import Problem
from core.domain.record import new_id, new_meta, utc_now
from core.domain.reference import Reference
from field_app.store import Store
from field_app.ui import fields
from ui_kit.i18n import Translator


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def blank(kind: str, store: Store, author: str, **values: Any) -> dict[str, Any]:
    """A new record as its form starts it: the domain's defaults for today, then `values`
    (what the route that opened it already knows)."""
    now = clock.now()
    data = new_meta(kind, store.device_id, author)
    data.update(defaults(kind, now.date(), now))
    data.update(values)
    return data


@dataclass
class RecordForm:
    store: Store
    reference: Reference
    data: dict[str, Any]
    saved_rev: int = 0  # the rev of the last valid version in the store; 0: none yet
    problems: dict[str, Problem] = field(default_factory=dict)
    on_error: Callable[[IbashoError], None] | None = None
    on_saved: Callable[[], None] | None = None
    touched: set[str] = field(default_factory=set)  # errors show on fields staff have used
    show_all: bool = False
    failure: IbashoError | None = None  # why the last save or draft did not reach the disk
    on_settled: Callable[[], None] | None = None  # after each write, on the writer thread
    _rev: int = 0  # the rev the screen opened at: its first save proposes the next
    held: bool = False  # the last change is in memory only (see the module's note)
    session: str = field(default_factory=new_id)  # this editing session (the module's note)
    edited: bool = False  # a valid save was handed to the store in this session

    @classmethod
    def open(cls, store: Store, reference: Reference, kind: str, rid: str | None,
             author: str, *, session: str | None = None, **defaults: Any) -> RecordForm:
        """The screen's form for record `rid` (a new one when nothing is stored under it).
        `session`: the one this screen carries on (the same record drawn again)."""
        saved = store.get(kind, rid) if rid else None
        draft = store.draft(rid) if rid else None
        # a new record's screen carries its id from the start (a route that can be left and
        # come back to): nothing stored under it yet means a blank record with that id
        own_id = {"id": rid} if rid and _is_uuid(rid) else {}
        data = dict(draft or saved or blank(kind, store, author, **defaults, **own_id))
        if kind == "concern":  # the office's part as last pulled, not as when the draft began
            data["office"] = saved.get("office") if saved else None
        rev = int(saved["rev"]) if saved else 0
        form = cls(store, reference, data, saved_rev=rev, _rev=rev)
        if session is not None:
            form.session = session
        if draft is not None:
            form.problems = form._check(draft)[1]
        if rid and store.is_unsaved(rid):
            form.failure = IbashoError("not saved yet: the last change could not be written",
                                       message_ja="まだ保存されていません（前回の変更を書き込めませんでした）。")
        return form

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def is_saved(self) -> bool:
        return self.saved_rev > 0 and not self.problems and self.failure is None \
            and not self.held

    def _check(self, data: dict[str, Any]) -> tuple[Any, dict[str, Problem]]:
        try:
            return parse_record(data, self.reference, today=clock.today()), {}
        except ValidationError as exc:
            found: dict[str, Problem] = {}
            said = self.reference.guards.messages.get("my_number") \
                if self.reference.guards is not None else None
            for p in exc.problems:
                if said is not None and p.expected_en == my_number.EXPECTED_EN:
                    # the words the data gives staff for it: what it is, and what to do
                    p = dataclasses.replace(p, expected_en=said.en, expected_ja=said.ja)
                found.setdefault(p.field, p)
            return None, found

    def check(self, **values: Any) -> dict[str, Problem]:
        """The problems the form would have with `values`, without keeping anything."""
        return self._check({**self.data, **values})[1]

    def change(self, **values: Any) -> Future[Any]:
        """Apply a change and keep it: as the next rev if valid, as a draft if not."""
        self.data.update(values)
        self.touched.update(values)
        self.data["updated_at"] = max(utc_now(), str(self.data.get("created_at", "")))
        self.data["rev"] = self._rev + 1  # a later save of this session: the store's rev
        record, self.problems = self._check(self.data)
        future: Future[Any]
        if self._growing(values):
            self.held = True
            future = Future()
            future.set_result(None)
            return future
        self.held = False
        if record is None:
            future = self.store.put_draft(self._safe(self.data))
        else:
            self.edited = True
            # drops the draft in the same journal line
            future = self.store.save_async(record, session=self.session)
        future.add_done_callback(self._report)
        return future

    def flush(self) -> Future[Any] | None:
        """Write a change held back in memory (the screen is being left)."""
        return self.change() if self.held else None

    def _growing(self, values: dict[str, Any]) -> bool:
        guards = self.reference.guards
        return guards is not None and any(
            isinstance(values.get(name), str) and guards.could_become_number(values[name])
            for name in GUARDED.get(self.kind, ()))

    def warning(self, name: str, lang: str) -> str | None:
        """What a guarded text field holds that it had better not (a phone number, an
        e-mail address, a full name): said, not refused."""
        guards, value = self.reference.guards, self.data.get(name)
        if guards is None or name not in GUARDED.get(self.kind, ()) or not isinstance(value, str):
            return None
        found = guards.warnings(value)  # each kind once: a name and a phone number both said
        return "\n".join(dict.fromkeys(f.message(lang) for f in found)) or None

    def notices(self, lang: str) -> list[str]:
        """Advice on the record as a whole that does not stop it being saved."""
        if self.kind != "concern":
            return []
        return [n(lang) for n in legal_basis.notices(self.reference, self.data)]

    def _safe(self, data: dict[str, Any]) -> dict[str, Any]:
        """What a draft may keep: an individual number never reaches the disk (the form
        still shows it, with why it is refused, until it is removed)."""
        guards = self.reference.guards
        if guards is None:
            return dict(data)
        out = dict(data)
        for name in GUARDED.get(self.kind, ()):
            if isinstance(out.get(name), str):
                out[name] = guards.masked(out[name])
        return out

    def retry(self) -> Future[Any]:
        """Write what the form holds again (after space was freed)."""
        return self.change()

    def _report(self, future: Future[Any]) -> None:
        # Writes finish in the order they were handed over (one writer thread): the last
        # report is the state of the last change.
        error = future.exception()
        if error is None:
            self.failure = None
            result = future.result()
            if result is not None:  # a record (not a draft) is on disk
                self.saved_rev = max(self.saved_rev, int(result.rev))
                if self.on_saved is not None:
                    self.on_saved()
        else:
            self.failure = error if isinstance(error, IbashoError) else IbashoError(
                str(error), message_ja="保存できませんでした。")
            if self.on_error is not None:
                self.on_error(self.failure)
        if self.on_settled is not None:
            self.on_settled()

    def state_text(self, t: Callable[..., str]) -> str:
        if self.failure is not None:
            return str(t("form.not_saved"))
        if self.held:
            return str(t("form.typing"))
        if self.saved_rev == 0 and not self.touched and not self.problems:
            return str(t("form.new"))
        if self.is_saved:
            return str(t("form.saved"))
        return str(t("form.incomplete", count=len(self.problems)))

    def error(self, name: str, lang: str) -> str | None:
        problem = self.problems.get(name) or next(
            (p for f, p in self.problems.items() if f.startswith(name + ".")), None)
        # a problem of one part of a field (`history[1].on`) shows once the field was touched
        if problem is None or not (self.show_all
                                   or name.split(".")[0].split("[")[0] in self.touched):
            return None
        return fields.words(Translator(lang), self.reference, self.kind).expected(problem)
