"""The field forms share one base, and a new record starts from the domain's defaults: the
record the tablet's form makes is the one the domain would make, `staff_visited` included."""

from __future__ import annotations

import datetime as dt

import pytest

from core.domain import clock
from core.domain.defaults import STAFF_VISITED, default_times, defaults
from core.domain.gathering import Gathering, parse_gathering
from core.domain.record import Record
from field_app.store import Store
from field_app.ui.form import RecordForm
from field_app.ui.screens import FORM_ROUTES
from field_app.ui.shell import VIEWS
from field_app.ui.views.form_view import FormView
from tests.factories import REF, gathering

META = set(Record.META)


# a photo is never started blank by a form: it is made from a picture (store.attach_photo)
@pytest.mark.parametrize("kind", sorted(FORM_ROUTES))
def test_a_new_record_made_by_the_form_is_the_domains_new_record(store: Store, kind: str) -> None:
    before = clock.now()
    form = RecordForm.open(store, REF, kind, None, "佐藤 花子")
    after = clock.now()
    own = {k: v for k, v in form.data.items() if k not in META}
    expected = defaults(kind, after.date(), after)
    if kind == "gathering":  # the times follow the clock: the form read it between the two
        assert (own.pop("start_time"), own.pop("end_time")) in {default_times(before),
                                                                 default_times(after)}
        del expected["start_time"], expected["end_time"]
    assert own == expected
    assert (form.data["kind"], form.data["device_id"], form.data["author"]) == (
        kind, store.device_id, "佐藤 花子")


def test_staff_visited_starts_the_same_in_the_form_the_record_and_the_parser(store: Store) -> None:
    form = RecordForm.open(store, REF, "gathering", None, "佐藤 花子")
    assert form.data["staff_visited"] is STAFF_VISITED is True  # recorded by staff who are there
    doc = gathering().to_dict()
    del doc["staff_visited"]  # a gathering that does not say: read as a new one starts
    assert parse_gathering(doc, REF).staff_visited is STAFF_VISITED
    fields = {k: v for k, v in doc.items() if k not in ("kind", "attendance", "activities")}
    assert Gathering(**fields).staff_visited is STAFF_VISITED


def test_defaults_are_fresh_values_and_refuse_a_kind_the_tablet_does_not_write() -> None:
    now = dt.datetime(2026, 11, 26, 23, 40, tzinfo=clock.JST)
    first = defaults("startup", now.date(), now)
    first["history"].append({"stage": "x"})
    assert defaults("startup", now.date(), now)["history"] == [
        {"stage": "consult", "on": "2026-11-26"}]
    assert default_times(now) == ("23:30", "23:59")  # never past midnight
    with pytest.raises(ValueError, match="place"):
        defaults("place", now.date(), now)


@pytest.mark.parametrize("kind", sorted(VIEWS))
def test_every_form_screen_keeps_and_paints_its_changes_through_the_one_base(kind: str) -> None:
    view = VIEWS[kind]
    assert issubclass(view, FormView)
    repeated = {"_repaint", "_show", "saved"} & set(vars(view))
    assert not repeated, f"{view.__name__} repeats {repeated}"
    # a screen may add to a change (the concern's emergency destination), through the base
    assert "_change" not in vars(view) or view is VIEWS["concern"]
