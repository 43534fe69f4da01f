"""Hypothesis: any valid record, with Japanese, emoji, empty or very long text, goes through
the store (plain and sealed) and comes back equal, also after reopening."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.domain.kinds import FIELD_KINDS, SENSITIVE
from field_app.store import Store
from field_app.store.sealing import AesGcmSealer, SealingCodec
from tests.factories import REF, concern, gathering, startup, visit_note, visit_plan

JAPANESE = st.sampled_from("あいうえおアイウエオ漢字居場所認知症孤立ｶﾅ〜ー「」、。　")
EMOJI = st.sampled_from("🙂👵🏻👨‍👩‍👧🌂🍵✅❤️")
TEXT = st.one_of(
    st.just(""),
    st.text(st.one_of(JAPANESE, EMOJI, st.characters(exclude_categories=("Cs",),
                                                     exclude_characters="\x00")), max_size=60),
    # very long: a short drawn piece repeated up to the 20,000-character limit
    st.builds(lambda piece, n: (piece * n)[:20_000], st.text(JAPANESE, min_size=1, max_size=50),
              st.integers(400, 20_000)),
)
ALIAS = st.text(st.one_of(JAPANESE, EMOJI), max_size=20)
_dirs = itertools.count()


@st.composite
def records(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    kind = draw(st.sampled_from(FIELD_KINDS))
    if kind == "gathering":
        counts = draw(st.lists(st.integers(0, 10_000), min_size=4, max_size=4))
        return gathering(note=draw(TEXT), helpers=draw(st.integers(0, 10_000)),
                         attendance=dict(zip(["preschool", "school_age", "adult", "senior"],
                                             counts, strict=True)),
                         first_time=draw(st.integers(0, min(sum(counts), 10_000))))
    if kind == "concern":
        cats = draw(st.lists(st.sampled_from(sorted(REF.keys("concern_categories"))),
                             min_size=1, max_size=5, unique=True))
        return concern(observed=draw(TEXT.filter(str.strip)), subject_alias=draw(ALIAS),
                       categories=cats, consent="written")
    if kind == "visit_plan":
        return visit_plan(note=draw(TEXT.map(lambda t: t[:1000])), date="2027-01-15")
    if kind == "startup":
        return startup(group_name=draw(ALIAS.filter(str.strip)), note=draw(TEXT))
    return visit_note(observations=draw(TEXT), decisions=draw(TEXT),
                      duration_minutes=draw(st.integers(0, 1440)))


def check_round_trip(base: Path, batch: list, codec_factory) -> None:  # type: ignore[no-untyped-def]
    path = base / str(next(_dirs))
    with Store(path, codec=codec_factory()) as s:
        for r in batch:
            s.save(r)
        for r in batch:
            assert s.load(r.kind, r.id) == r
    with Store(path, codec=codec_factory()) as s:
        for r in batch:
            assert s.load(r.kind, r.id) == r
        assert s.pending_count() == len(batch)


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(batch=st.lists(records(), min_size=1, max_size=4))
def test_plain_round_trip(tmp_path: Path, batch: list) -> None:
    check_round_trip(tmp_path, batch, lambda: None)


KEY = os.urandom(32)


@SETTINGS
@given(batch=st.lists(records(), min_size=1, max_size=4))
def test_sealed_round_trip(tmp_path: Path, batch: list) -> None:
    check_round_trip(tmp_path, batch, lambda: SealingCodec(SENSITIVE, AesGcmSealer(KEY)))
