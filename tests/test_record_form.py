"""The form behind the field app's screens, on a real store: every change kept, and the
office's part of a concern always as last pulled."""

from __future__ import annotations

from field_app.store import Store
from field_app.ui.form import RecordForm
from tests.factories import REF, concern

REFERRED = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-11-26",
            "method": "電話", "feedback": "来週連絡します", "closed_on": None,
            "updated_at": "2026-11-26T01:00:00.000Z", "updated_by": "事務局"}


def test_a_screen_open_while_a_referral_arrives_does_not_undo_it(store: Store) -> None:
    c = concern(follow_up_on=None)
    store.save(c)
    form = RecordForm.open(store, REF, "concern", c.id, "佐藤 花子")
    store.set_office_parts({c.id: REFERRED})  # a sync brings the office's referral meanwhile
    form.change(observed="追記: 帰り道が分からなくなっていた").result()
    saved = store.get("concern", c.id)
    assert saved is not None and saved["rev"] == 2 and saved["office"] == REFERRED
    assert saved["observed"].startswith("追記")


def test_a_draft_begun_before_a_referral_shows_and_keeps_the_referral(store: Store) -> None:
    c = concern(follow_up_on=None)
    store.save(c)
    form = RecordForm.open(store, REF, "concern", c.id, "佐藤 花子")
    form.change(categories=[]).result()  # incomplete: kept as a draft, not saved
    assert store.draft(c.id) is not None and form.saved_rev == 1
    store.set_office_parts({c.id: REFERRED})
    reopened = RecordForm.open(store, REF, "concern", c.id, "佐藤 花子")
    assert reopened.data["office"] == REFERRED  # the screen says つなぎ済み, not 新規
    assert reopened.data["categories"] == []  # and the draft is still what was typed
    reopened.change(categories=["isolation"]).result()  # complete again: saved as rev 2
    saved = store.get("concern", c.id)
    assert saved is not None and saved["rev"] == 2 and saved["office"] == REFERRED
