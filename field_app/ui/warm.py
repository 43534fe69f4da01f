"""Loading the screens while nobody waits for them.

From the moment the web server listens, the browser spends a couple of seconds fetching
and compiling the Flutter client before it connects, and the staff member then spends
more typing the PIN: this Python process is idle through both. The screens' modules, the
Flet control classes they use and httpx (which only sync needs) are loaded then, on a
thread, instead of before the server listens (the screens' imports), on the lock screen's
first paint (the theme's classes) and on home's first paint after the PIN (dozens of
control classes; Flet makes each on its first use, `flet.__getattr__`).

The first session waits for the warm-up to finish before it builds anything (`ready`), so
our modules are never imported by two threads at once; normally it finished long before.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import flet as ft

log = logging.getLogger(__name__)
_USED = re.compile(r"\bft\.([A-Z][A-Za-z0-9]+)\b")
_ROOTS = (Path(__file__).parent, Path(__file__).parents[2] / "ui_kit")
_once = threading.Lock()
_done = threading.Event()
_started = False


def names_used() -> set[str]:
    found: set[str] = set()
    for root in _ROOTS:
        for path in root.rglob("*.py"):
            try:
                found |= set(_USED.findall(path.read_text(encoding="utf-8")))
            except OSError:
                continue
    return found


def _load() -> None:
    try:
        import field_app.ui.shell  # noqa: F401  (every screen)
        import sync.http  # noqa: F401  (httpx, for the first sync after the PIN)

        for name in sorted(names_used()):
            try:
                getattr(ft, name)
            except Exception:  # a name Flet lacks is the screen's own error to show
                log.debug("flet has no %s", name)
    except Exception:  # the session's own import will say what is wrong
        log.exception("warming up the screens failed")
    finally:
        _done.set()


def warm_up() -> None:
    """Once per process, in the background: returns at once."""
    global _started
    with _once:
        if _started:
            return
        _started = True
    threading.Thread(target=_load, name="warm-up", daemon=True).start()


def ready(timeout: float = 60.0) -> None:
    """Wait for the warm-up (starting it if nobody has); after `timeout` go on regardless:
    the imports then happen on the caller's thread, slower but the same."""
    warm_up()
    if not _done.wait(timeout):
        log.warning("the warm-up did not finish in %.0f s", timeout)
