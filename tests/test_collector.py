"""The collector pause reports take: it lasts until the last report running has finished,
and leaves the collector as it found it."""

from __future__ import annotations

import gc
import threading

from hub import collector


def test_the_collector_runs_again_when_the_last_report_ends() -> None:
    assert gc.isenabled()
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def report() -> None:
        with collector.paused():
            first_in.set()
            second_done.wait(timeout=30)
            seen.append(gc.isenabled())  # the other report has ended: still paused

    t = threading.Thread(target=report)
    t.start()
    assert first_in.wait(timeout=30)
    with collector.paused():
        assert not gc.isenabled()
    second_done.set()
    t.join(timeout=30)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_in_a_report_still_ends_the_pause() -> None:
    try:
        with collector.paused():
            raise ValueError("a report that failed")
    except ValueError:
        pass
    assert gc.isenabled()
