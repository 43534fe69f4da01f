"""Loading the screens while nobody waits for them.

From the moment the web server listens, the browser spends a couple of seconds fetching
and compiling the Flutter client before it connects, and the staff member then spends
more typing the PIN: this Python process is idle through both. What the screens need is
loaded then, on threads, instead of before the server listens, on the lock screen's
first paint, and on home's first paint after the PIN. In two stages:

- `warm_up`, as the server starts: the screens' modules (the shell imports them all) and
  the Flet control classes the lock screen is built from (Flet makes each on its first
  use, `flet.__getattr__`);
- `after_lock_screen`, once the lock screen is on its way: the control classes of the
  other screens (dozens for home), httpx (which only sync needs), and the freeze below.

Loaded all at once as the server started, the second stage held the interpreter while
the server was sending the client to the browser: the lock screen showed 0.1 s later
(1.50 s against 1.41 s, medians of 11 runs of `benchmarks.startup`). While the PIN is
typed nobody waits for the server.

The first session waits for the first stage before it builds anything (`ready`), so our
modules are never imported by two threads at once; normally it finished long before.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import flet as ft

log = logging.getLogger(__name__)
_USED = re.compile(r"\bft\.([A-Z][A-Za-z0-9]+)\b")
_ROOTS = (Path(__file__).parent, Path(__file__).parents[2] / "ui_kit")
# what the first screen is built from: the frame, the lock screen, the theme
_LOCK_SCREEN = tuple(root / name for root, names in (
    (_ROOTS[0], ("shell.py", "chrome.py", "views/lock.py")),
    (_ROOTS[1], ("theme.py", "widgets.py", "navigation.py"))) for name in names)


def names_used(paths: Iterable[Path] | None = None) -> set[str]:
    """The Flet names (`ft.X`) our screens' source uses; of `paths`, or of them all."""
    found: set[str] = set()
    for path in paths if paths is not None else (p for r in _ROOTS for p in r.rglob("*.py")):
        try:
            found |= set(_USED.findall(path.read_text(encoding="utf-8")))
        except OSError:
            continue
    return found


def _make(names: set[str]) -> None:
    for name in sorted(names):
        try:
            getattr(ft, name)
        except Exception:  # a name Flet lacks is the screen's own error to show
            log.debug("flet has no %s", name)


def _screens() -> None:
    import field_app.ui.shell  # noqa: F401  (every screen)

    _make(names_used(_LOCK_SCREEN))


def _controls() -> None:
    import sync.http  # noqa: F401  (httpx, for the first sync after the PIN)

    _make(names_used())
    # what is loaded by now (modules, classes, Flet's controls) lives as long as the
    # process: out of the cyclic collector's sight, no later collection walks it again
    # (the store's, before it loads the records after the PIN, took 0.03 s doing so)
    gc.collect()
    gc.freeze()


class _Stage:
    """Work run once per process on a thread of its own; `done` is set when it ended."""

    def __init__(self, name: str, work: Callable[[], None]) -> None:
        self.name, self.work = name, work
        self.done = threading.Event()
        self._once = threading.Lock()
        self._started = False

    def start(self) -> None:
        with self._once:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, name=self.name, daemon=True).start()

    def _run(self) -> None:
        try:
            self.work()
        except Exception:  # the session's own import will say what is wrong
            log.exception("%s failed", self.name)
        finally:
            self.done.set()


_SCREENS = _Stage("warm-up", _screens)
_CONTROLS = _Stage("warm-up-controls", _controls)


def warm_up() -> None:
    """Once per process, in the background: returns at once."""
    _SCREENS.start()


def after_lock_screen() -> None:
    """The second stage, once the first screen is on its way (the session has waited for
    the first: one thread imports at a time). Returns at once."""
    _CONTROLS.start()


def ready(timeout: float = 60.0) -> None:
    """Wait for the first stage (starting it if nobody has); after `timeout` go on
    regardless: the imports then happen on the caller's thread, slower but the same."""
    warm_up()
    if not _SCREENS.done.wait(timeout):
        log.warning("the warm-up did not finish in %.0f s", timeout)
