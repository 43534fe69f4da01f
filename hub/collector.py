"""Pausing the cyclic garbage collector while a report gathers a year of facts.

A report keeps one small `Facts` tuple per gathering of the year (tens of thousands), and
each parsed body it reads on the way allocates a few containers: the collector, run by
those allocations, walks the growing pile of facts again and again (a fifth of the
report's time on 100,000 gatherings) to find nothing, for facts and bodies hold no
cycles. Reference counting frees the bodies as before; only the search for cycles
waits, process-wide, until the last report running has finished.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0  # reports in this process with the collector paused
_was_enabled = True


@contextmanager
def paused() -> Iterator[None]:
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
