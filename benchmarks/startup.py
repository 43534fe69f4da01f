"""Time from `ibasho-field` process start until the home screen is interactive in headless
Chromium (the semantics tree shows it), with N sealed records (five years of history, after
the retention the app's first unlock applies, as benchmarks.store does); the browser's
own launch is not counted. The home screen comes after the lock screen: the harness enters
the PIN; the PIN check (scrypt at the cost calibrated on this machine) and opening the sealed
store are counted, the seconds spent typing the PIN are not (like the browser's launch, that
is not the app's time). The time to an interactive lock screen is printed as well.
Median of 5. A one-button Flet page is measured the same way in the same run, for scale.
A screen counts as shown at the first animation frame whose semantics tree holds its text
(or the PIN field): Playwright's own waits poll every 500 ms after their first few tries,
which put up to half a second of the harness's time into each figure at random.
Once home is shown, a tap on each screen (the navigation's tabs, and a place with five
years of gatherings from the places list) until its text is shown, three rounds of them,
against the taps between two one-control screens of the same app in the same session (a
benchmark-only tab, `IBASHO_BENCH_ROUTES=1`: field_app.ui.chrome), each figure a median over
the runs and rounds as the baseline's is over its six taps; one line per screen (with the
first visit of a session beside it: `first_s`), then the render line: its ratio is the
slowest screen's tap over that baseline tap.

    .venv/bin/python -m benchmarks.startup --records 10000

Lines (an interface; keep them exact):
    render: records=N home_s=X week_s=Y baseline_s=B ratio=R settled_baseline_s=S settled_ratio=Q
             (the last two: the same taps from a settled screen, the target found first)
    startup: records=N median_s=X baseline_s=B ratio=R   (the last line: the app's own
             time to home after the PIN, the one-button page's, and the first over the second)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.store import make_records, settle, tables_of
from core.domain import clock
from core.keyring import Keyring
from core.reference_data import sample_places
from field_app.store.journal import JournalStorage
from field_app.store.migrations import STORE_DIR
from field_app.store.sealing import sealed_codec
from field_app.store.store import SEAL_CHECK, SEAL_MARK
from tests.browser import (
    PIN,
    RAIL_TAB,
    TABLET,
    chromium,
    enable_semantics,
    focus_and_type,
    free_port,
    stop,
    type_into,
    wait_for_port,
)
from tests.factories import IBASHO

PLACE_NAME = IBASHO.name  # where the generated history's gatherings were held

ONE_BUTTON = """
import flet as ft, sys
def main(page):
    page.add(ft.FilledButton("ホーム"))
ft.run(main, view=ft.AppView.WEB_BROWSER, port=int(sys.argv[1]), no_cdn=True)
"""


SHOWS_TEXT = """t => (document.querySelector('flt-semantics-host')?.textContent ?? '').includes(t)"""
HAS_PIN_FIELD = "() => !!document.querySelector('flt-semantics input[type=\"password\"]')"


def shown(page, text: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until `text` is in the semantics tree, looking at every animation frame."""
    page.wait_for_function(SHOWS_TEXT, arg=text, polling="raf", timeout=120_000)


# (screen, how it is reached, what shows it is there), in the order tapped from home
SCREENS = (("week", ("nav", "週"), "週の予定"),
           ("places", ("nav", "場所"), "か所"),
           ("place", ("tap", PLACE_NAME), "最近の開催"),  # five years of gatherings
           ("followups", ("nav", "フォロー"), "フォローアップ"),
           ("sync", ("nav", "同期"), "受け付けられなかった記録"),
           ("home", ("nav", "ホーム"), "今日の開催予定"))
BASELINE_TAPS = 6  # between the two one-control screens (chrome.BENCH_ROUTES)
# Each screen is tapped in ROUNDS rounds, as the baseline is tapped six times: the figure
# is the median of them all, and the first visit of a session (the browser's Flutter
# client meets the screen's code and shaders for the first time) is printed beside it.
ROUNDS = 3
# Then one round from settled screens, and as many settled baseline taps (`tap`'s pause):
# printed at the end of each line as settled_s and settled_ratio
SETTLE = 0.5
SETTLED = "{}:settled"


def target_of(page, how: str, label: str):  # type: ignore[no-untyped-def]
    """What a tap on a screen's way in lands on: its tab on the rail, or (a place) its
    entry in the places list by its name."""
    if how == "nav":
        return page.get_by_role("button", name=re.compile(
            f"^{re.escape(label)}\\s+{RAIL_TAB.pattern}")).first
    return page.get_by_text(re.compile(f"^{re.escape(label)}")).first


def tap_tab(page, label: str, text: str, pause: float = 0.0) -> float:  # type: ignore[no-untyped-def]
    """Seconds from a tap on the tab `label` (the rail) until `text` is shown."""
    return tap(target_of(page, "nav", label), label, text, pause)


def tap(target, label: str, text: str, pause: float = 0.0) -> float:  # type: ignore[no-untyped-def]
    """Seconds from a tap on `target` until `text` is shown. The tap is made again if
    nothing came of it in 20 s (a tap lost while a screen was drawn; said). With `pause`,
    the target is found first and the screen left that long before the clock starts: what
    is timed is then the tap and the app, not Playwright finding and checking the target
    (0.1-0.2 s in every figure otherwise) nor the last screen's drawing still going on."""
    if pause:
        target.wait_for(timeout=60_000)
        time.sleep(pause)
    start = time.perf_counter()
    for attempt in range(3):
        target.click()
        try:
            target.page.wait_for_function(SHOWS_TEXT, arg=text, polling="raf", timeout=20_000)
            return time.perf_counter() - start
        except PlaywrightTimeout:
            print(f"  (a tap on {label} showed nothing; tapped again, attempt {attempt + 2})")
    raise AssertionError(f"{label}: {text} never showed")


def time_screens(page) -> dict[str, list[float]]:  # type: ignore[no-untyped-def]
    """Seconds from a tap to each screen shown, a round of them after another, the first
    round the session's first visits; and (as "baseline") the taps between the app's two
    one-control screens, in the same session, the same way."""
    out: dict[str, list[float]] = {name: [] for name, _, _ in SCREENS}
    for _ in range(ROUNDS):
        for name, (how, label), text in SCREENS:
            if how == "nav":
                out[name].append(tap_tab(page, label, text))
                continue
            # found by its name first: the list is lazy, and the place may be far down (the
            # list keeps what was typed: a later round finds it there)
            if not out[name]:
                type_into(page, "名前・ふりがな・地域で探す", label)
            entry = target_of(page, how, label)
            entry.wait_for(timeout=60_000)
            out[name].append(tap(entry, label, text))
    tap_tab(page, "基準A", "一つめの基準画面")
    for key, pause in (("baseline", 0.0), (SETTLED.format("baseline"), SETTLE)):
        out[key] = [tap_tab(page, *(("基準B", "二つめの基準画面") if i % 2 == 0
                                    else ("基準A", "一つめの基準画面")), pause=pause)
                    for i in range(BASELINE_TAPS)]
    for name, (how, label), text in SCREENS:  # a round from settled screens
        out[SETTLED.format(name)] = [tap(target_of(page, how, label), label, text, pause=SETTLE)]
    return out


def time_start(browser, command: list[str], port: int, ready_text: str,  # type: ignore[no-untyped-def]
               pin: str | None = None, screens: list[dict[str, list[float]]] | None = None
               ) -> tuple[float, float, float]:
    """(seconds to the first interactive screen, seconds to `ready_text`, the same without
    the time the harness spends typing the PIN, which is the user's time, not the app's)."""
    env = dict(os.environ, IBASHO_LOG_LEVEL="WARNING", FLET_FORCE_WEB_SERVER="true")
    if screens is not None:  # the app's two one-control screens, for the baseline tap
        env["IBASHO_BENCH_ROUTES"] = "1"
    env.pop("IBASHO_SCRYPT_LOG2N", None)  # the real, calibrated PIN cost
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for_port(port, proc, timeout=120)
        page = browser.new_page(viewport=TABLET)
        page.goto(f"http://127.0.0.1:{port}/")
        enable_semantics(page)
        first = time.perf_counter() - start
        typing = 0.0
        if pin is not None:
            page.wait_for_function(HAS_PIN_FIELD, polling="raf", timeout=120_000)
            first = time.perf_counter() - start
            field = page.locator('flt-semantics input[type="password"]').first
            focus_and_type(page, field, pin)
            typing = time.perf_counter() - start - first
            page.keyboard.press("Enter")
        shown(page, ready_text)
        elapsed = time.perf_counter() - start
        if screens is not None:
            screens.append(time_screens(page))
        page.close()
        return first, elapsed, elapsed - typing
    finally:
        stop(proc)


def main() -> int:
    p = argparse.ArgumentParser(description="app start-up benchmark")
    p.add_argument("--records", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ibasho-startup-"))
    try:
        tables = tables_of(make_records(args.records, random.Random(3)))
        tables["place"] = {pl.id: pl.to_dict() for pl in sample_places()}
        tables["meta"] = {SEAL_MARK: {"id": SEAL_MARK, "check": SEAL_CHECK}}  # sealed already
        key = Keyring.at(root / "data").create(PIN)  # calibrated here, as on a tablet
        JournalStorage(root / "data" / STORE_DIR, initial=tables,
                       codec_=sealed_codec(key)).close()
        # what the app's first unlock does to five years of history (benchmarks.store)
        stubbed, archived, left = settle(root / "data", sealed_codec(key), clock.today())
        print(f"history: {args.records} records; retention as at unlock: {archived} in the "
              f"yearly archives, {stubbed} concerns reduced to stubs, {left} in the store")
        ours, wall, lock_screen, baseline = [], [], [], []
        screens: list[dict[str, list[float]]] = []
        with chromium() as browser:
            for _ in range(args.runs):
                port = free_port()
                locked, home, app_only = time_start(browser, [
                    sys.executable, "-m", "field_app.ui.app", "--web", "--port", str(port),
                    "--data-dir", str(root / "data")], port, "今日の開催予定", pin=PIN,
                    screens=screens)
                ours.append(app_only)
                wall.append(home)
                lock_screen.append(locked)
                port = free_port()
                baseline.append(time_start(browser, [sys.executable, "-c", ONE_BUTTON, str(port)],
                                           port, "ホーム")[1])
        # calibration times scrypt once: where 2**16 takes about 0.28 s (here), a run gets
        # either cost, and the unlock takes 0.3 or 0.6 s; say which this run got
        print(f"PIN cost calibrated here: scrypt log2_n="
              f"{Keyring.at(root / 'data').data['pin']['log2_n']}")
        print(f"one-button Flet page: median {statistics.median(baseline):.2f} s "
              f"(runs: {', '.join(f'{b:.2f}' for b in baseline)})")
        print(f"ibasho-field with {args.records} records: lock screen interactive after "
              f"{statistics.median(lock_screen):.2f} s (median); home after the PIN: "
              f"{statistics.median(wall):.2f} s wall clock, of which the app's own time (not "
              f"counting the PIN being typed): runs {', '.join(f'{o:.2f}' for o in ours)}")
        names = [n for n, _, _ in SCREENS] + ["baseline"]
        taps = {key: statistics.median(tap for run in screens for tap in run[key])
                for key in names + [SETTLED.format(n) for n in names]}
        calm = {name: taps[SETTLED.format(name)] for name in names}
        for name, _, _ in SCREENS:
            first = statistics.median(run[name][0] for run in screens)
            print(f"render {name}: records={args.records} tap_s={taps[name]:.2f} "
                  f"baseline_s={taps['baseline']:.2f} ratio={taps[name] / taps['baseline']:.2f} "
                  f"first_s={first:.2f} first_ratio={first / taps['baseline']:.2f} "
                  f"settled_s={calm[name]:.2f} settled_ratio={calm[name] / calm['baseline']:.2f}")
        slowest = max(taps[name] for name, _, _ in SCREENS)
        print(f"render: records={args.records} home_s={taps['home']:.2f} "
              f"week_s={taps['week']:.2f} baseline_s={taps['baseline']:.2f} "
              f"ratio={slowest / taps['baseline']:.2f} settled_baseline_s={calm['baseline']:.2f} "
              f"settled_ratio={max(calm[n] for n, _, _ in SCREENS) / calm['baseline']:.2f}")
        median, base = statistics.median(ours), statistics.median(baseline)
        print(f"startup: records={args.records} median_s={median:.2f} baseline_s={base:.2f} "
              f"ratio={median / base:.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
