"""Fields marked sensitive never reach the disk in plaintext when a sealer is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.domain.kinds import SENSITIVE
from field_app.store import Store, StoreError
from field_app.store.sealing import AesGcmSealer, SealingCodec
from tests.factories import concern, gathering, visit_note

SECRETS = ["同じ話を何度も繰り返す認知症の疑い", "Kさん", "bruises-on-arms-7731", "ひとり親で孤立"]


def all_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_sensitive_fields_are_sealed_in_journal_and_snapshot(tmp_path: Path) -> None:
    key = os.urandom(32)
    codec = SealingCodec(SENSITIVE, AesGcmSealer(key))
    records = [concern(observed=SECRETS[0], subject_alias=SECRETS[1]),
               visit_note(observations=SECRETS[2]), gathering(note=SECRETS[3])]
    with Store(tmp_path, codec=codec) as s:
        for r in records:
            s.save(r)
        on_disk = all_bytes(tmp_path)
        s._storage.compact()
        on_disk += all_bytes(tmp_path)
    for secret in SECRETS:
        assert secret.encode() not in on_disk
        assert secret.encode("unicode_escape") not in on_disk
    assert b"sealed:v1:" in on_disk
    with Store(tmp_path, codec=SealingCodec(SENSITIVE, AesGcmSealer(key))) as s:
        for r in records:
            assert s.load(r.kind, r.id) == r
    with pytest.raises(StoreError, match="could not be opened"):
        Store(tmp_path, codec=SealingCodec(SENSITIVE, AesGcmSealer(os.urandom(32))))


def test_a_sealed_value_cannot_be_moved_to_another_record(tmp_path: Path) -> None:
    key = os.urandom(32)
    codec = SealingCodec(SENSITIVE, AesGcmSealer(key))
    a, b = concern(observed="A"), concern(observed="B")
    sealed_a = codec.encode("concern", a.to_dict())
    forged = dict(codec.encode("concern", b.to_dict()), observed=sealed_a["observed"])
    with pytest.raises(StoreError):
        codec.decode("concern", forged)


def test_the_devices_store_is_sealed_by_its_own_policy_and_refuses_a_wrong_opening(
        tmp_path: Path) -> None:
    from field_app.store import StoreSealedError, open_sealed
    from field_app.store.sealing import POLICY

    assert set(POLICY["concern"]) >= set(SENSITIVE["concern"]) | {"office"}
    assert "token" in POLICY["meta"] and "reasons" in POLICY["quarantine"]
    with Store(tmp_path) as plain:  # before the first PIN: plaintext
        plain.save(concern(observed=SECRETS[0]))
        plain.set_meta("hub", {"url": "https://hub", "token": SECRETS[2]})
    assert SECRETS[0].encode() in all_bytes(tmp_path)
    key = os.urandom(32)
    with open_sealed(tmp_path, key) as s:  # the first sealed opening rewrites it sealed
        assert s.meta("hub")["token"] == SECRETS[2]  # type: ignore[index]
    on_disk = all_bytes(tmp_path)
    assert SECRETS[0].encode() not in on_disk and SECRETS[2].encode() not in on_disk
    with pytest.raises(StoreSealedError) as plainly:  # no codec: refused, not read as garbage
        Store(tmp_path)
    assert "PIN" in plainly.value.message_ja
    with pytest.raises(StoreError, match=r"could not be opened|do not open"):
        open_sealed(tmp_path, os.urandom(32))
    with open_sealed(tmp_path, key) as s:  # and nothing was harmed by the wrong openings
        assert s.count("concern") == 1
