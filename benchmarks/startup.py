"""Time from `ibasho-field` process start until the home screen is interactive in headless
Chromium (the semantics tree shows it), with N records in the store; the browser's own
launch is not counted. Median of 5. A one-button Flet page is measured the same way in
the same run, for scale.

    .venv/bin/python -m benchmarks.startup --records 10000

Last line (an interface; keep it exact):
    startup: records=N median_s=X
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.store import make_records, tables_of
from field_app.catalogue import sample_places
from field_app.store.journal import JournalStorage
from field_app.store.migrations import STORE_DIR
from tests.browser import TABLET, chromium, enable_semantics, free_port, wait_for_port

ONE_BUTTON = """
import flet as ft, sys
def main(page):
    page.add(ft.FilledButton("ホーム"))
ft.run(main, view=ft.AppView.WEB_BROWSER, port=int(sys.argv[1]), no_cdn=True)
"""


def time_start(browser, command: list[str], port: int, ready_text: str) -> float:  # type: ignore[no-untyped-def]
    env = dict(os.environ, IBASHO_LOG_LEVEL="WARNING", FLET_FORCE_WEB_SERVER="true")
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for_port(port, proc, timeout=120)
        page = browser.new_page(viewport=TABLET)
        page.goto(f"http://127.0.0.1:{port}/")
        enable_semantics(page)
        page.get_by_text(ready_text).first.wait_for(timeout=120_000)
        elapsed = time.perf_counter() - start
        page.close()
        return elapsed
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    p = argparse.ArgumentParser(description="app start-up benchmark")
    p.add_argument("--records", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ibasho-startup-"))
    try:
        tables = tables_of(make_records(args.records, random.Random(3)))
        tables["place"] = {pl.id: pl.to_dict() for pl in sample_places()}
        JournalStorage(root / "data" / STORE_DIR, initial=tables).close()
        ours, baseline = [], []
        with chromium() as browser:
            for _ in range(args.runs):
                port = free_port()
                ours.append(time_start(browser, [
                    sys.executable, "-m", "field_app.ui.app", "--web", "--port", str(port),
                    "--data-dir", str(root / "data")], port, "今日の記録"))
                port = free_port()
                baseline.append(time_start(browser, [sys.executable, "-c", ONE_BUTTON, str(port)],
                                           port, "ホーム"))
        print(f"one-button Flet page: median {statistics.median(baseline):.2f} s "
              f"(runs: {', '.join(f'{b:.2f}' for b in baseline)})")
        print(f"ibasho-field with {args.records} records: runs {', '.join(f'{o:.2f}' for o in ours)}")
        print(f"startup: records={args.records} median_s={statistics.median(ours):.2f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
