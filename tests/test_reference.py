"""The data in assets/ is complete and consistent: labels in both languages, known keys."""

from __future__ import annotations

import json

from core.domain.kinds import parse_record
from core.domain.place import parse_place
from core.reference_data import ASSETS_DIR, load_reference, sample_places, texts


def test_every_option_has_both_labels() -> None:
    ref = load_reference()
    for name, options in ref.enums.items():
        assert options, name
        for o in options:
            assert o.label.ja.strip() and o.label.en.strip(), (name, o.key)
    for d in ref.destinations:
        assert d.label.ja and d.label.en


def test_design_enumerations_are_all_there() -> None:
    ref = load_reference()
    assert ref.keys("urgency") == {"emergency", "high", "medium", "watch"}
    assert ref.keys("consent") == {"written", "verbal", "refused", "not_asked", "not_possible"}
    assert ref.keys("concern_status") == {"new", "triaged", "referred", "watching", "closed"}
    assert len(ref.keys("concern_categories")) == 18
    sensitive = {o.key for o in ref.enums["concern_categories"] if o.attrs.get("sensitive")}
    assert sensitive == {"dementia_suspected", "abuse_suspected", "dv", "health", "disability",
                         "mental_health"}
    for o in ref.enums["concern_categories"]:  # each suggests a destination that exists
        assert o.attrs["destination"] in ref.destination_keys


def test_programs_carry_their_rules() -> None:
    ref = load_reference()
    ibasho, salon = ref.programs["ibasho"], ref.programs["ikiiki_salon"]
    [bimonthly] = ibasho.conditions_in(2026).periods
    assert (bimonthly.period, bimonthly.months, bimonthly.qualifies.min_minutes) == (
        "months", 2, 120)
    assert ibasho.grant_cap_yen == 100_000
    assert ibasho.category_keys == ("preschool", "school_age", "adult", "senior")
    [weekly] = salon.conditions_in(2026).periods
    assert (weekly.period, weekly.qualifies.activities_all) == ("week", ("exercise",))
    [average] = salon.conditions_in(2026).year
    assert (average.measure, average.minimum) == ("average_participants", 5)
    assert salon.grant_cap_yen == 200_000
    assert ref.programs["tenmillion"].grant_cap_yen == 10_000_000
    assert set(ref.programs) == {"ibasho", "ikiiki_salon", "tenmillion", "chiiki_shakyo"}


def test_sample_places_are_valid_marked_and_span_all_programs() -> None:
    ref = load_reference()
    places = sample_places()
    raw = json.loads((ASSETS_DIR / "data" / "places.json").read_text(encoding="utf-8"))
    assert len(places) == len(raw["places"]) > 0
    assert all(p.sample for p in places)
    assert {p.program for p in places} == set(ref.programs)
    assert len({p.id for p in places}) == len(places)
    for p in places:
        assert parse_place(p.to_dict(), ref) == p
        parse_record(p.to_dict(), ref)
    raw = json.loads((ASSETS_DIR / "data" / "places.json").read_text(encoding="utf-8"))
    assert raw["sample"] is True and "SAMPLE" in raw["_comment"]
    dest = json.loads((ASSETS_DIR / "data" / "destinations.json").read_text(encoding="utf-8"))
    assert dest["sample"] is True


def test_ui_catalogues_have_the_same_keys() -> None:
    assert texts("ja").keys() == texts("en").keys()


def test_bundled_font_covers_all_japanese_in_the_data() -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(ASSETS_DIR / "fonts" / "NotoSansJP-JIS0208.otf")
    cmap = font.getBestCmap()
    text = "".join((ASSETS_DIR / sub).read_text(encoding="utf-8")
                   for sub in ("data/programs.json", "data/enums.json", "data/destinations.json",
                               "data/places.json", "i18n/ja.json", "i18n/en.json"))
    missing = sorted({ch for ch in text if ord(ch) > 0x7F and ord(ch) not in cmap})
    assert missing == []
    assert (ASSETS_DIR / "fonts" / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


def test_bundled_font_keeps_the_japanese_forms_only() -> None:
    """The font carries no Chinese or Korean language system (their `locl` forms doubled
    the file the client loads before the lock screen), and keeps the Japanese ones:
    quotes in their Japanese forms, vertical punctuation."""
    from fontTools.ttLib import TTFont

    font = TTFont(ASSETS_DIR / "fonts" / "NotoSansJP-JIS0208.otf")
    gsub = font["GSUB"].table
    languages = {(s.ScriptTag, ls.LangSysTag)
                 for s in gsub.ScriptList.ScriptRecord for ls in s.Script.LangSysRecord}
    assert ("hani", "JAN ") in languages
    assert not {tag for _, tag in languages} & {"KOR ", "ZHH ", "ZHS ", "ZHT "}
    japanese = next(ls.LangSys for s in gsub.ScriptList.ScriptRecord if s.ScriptTag == "hani"
                    for ls in s.Script.LangSysRecord if ls.LangSysTag == "JAN ")

    def substitutions(feature: str, features: list[int]) -> dict[str, str]:
        out: dict[str, str] = {}
        for index in features:
            record = gsub.FeatureList.FeatureRecord[index]
            if record.FeatureTag != feature:
                continue
            for lookup in record.Feature.LookupListIndex:
                for sub in gsub.LookupList.Lookup[lookup].SubTable:
                    out.update(getattr(getattr(sub, "ExtSubTable", sub), "mapping", {}))
        return out

    cmap = font.getBestCmap()
    assert cmap[ord("“")] in substitutions("locl", japanese.FeatureIndex)
    default = next(s.Script.DefaultLangSys for s in gsub.ScriptList.ScriptRecord
                   if s.ScriptTag == "hani")
    assert cmap[ord("、")] in substitutions("vert", default.FeatureIndex)
    assert len(font.getGlyphOrder()) < 1.1 * len(cmap)  # no second set of kanji
