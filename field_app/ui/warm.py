"""Making, while the lock screen waits for the PIN, the Flet control classes the screens
after it use.

Flet makes each control class on its first use (`flet.__getattr__` imports its module and
builds its dataclass): the home screen's first paint after the PIN paid for dozens of them,
about a third of a second here. The names are the `ft.X` our screens write; a packaged app
without its sources simply skips this. httpx, which only sync needs, is imported here too
(50 ms the lock screen no longer waits for).
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


def _make_all() -> None:
    import sync.http  # noqa: F401  (httpx, for the first sync after the PIN)

    for name in sorted(names_used()):
        try:
            getattr(ft, name)
        except Exception:  # a name Flet lacks is the screen's own error to show
            log.debug("flet has no %s", name)


def warm_controls() -> None:
    """Once per process, in the background: returns at once."""
    global _started
    with _once:
        if _started:
            return
        _started = True
    threading.Thread(target=_make_all, name="warm-controls", daemon=True).start()
