"""Drive the real app in web mode with the system Chromium (no browser downloads)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 412, "height": 915}
ARTIFACTS = Path(__file__).parent / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


@contextmanager
def running_app(data_dir: Path, *extra: str, log_dir: Path | None = None) -> Iterator[str]:
    """`ibasho-field --web` as a real process; yields its URL. Its log goes beside the data
    directory unless `log_dir` says elsewhere (a data directory on a disk made to fill up)."""
    port = free_port()
    log = open((log_dir or data_dir.parent) / f"app-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "field_app.ui.app", "--web", "--port", str(port),
         "--data-dir", str(data_dir), *extra],
        stdout=log, stderr=subprocess.STDOUT,
        env=dict(os.environ, IBASHO_LOG_LEVEL="WARNING", IBASHO_SCRYPT_LOG2N="14"))
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it does not go within 20 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@dataclass
class Traffic:
    """Every request the page made, and which of them the CSP stopped in the browser."""

    requests: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    answered_from: set[str] = field(default_factory=set)

    @property
    def blocked(self) -> list[str]:
        """Requests the browser refused to send because of the page's CSP."""
        return [url for url, why in self.failures if why == "csp"]

    def off_machine(self) -> list[str]:
        return [u for u in self.requests if not is_local(u)]


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("blob", "data"):
        return True
    return parsed.hostname in LOCAL_HOSTS


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser
        except Exception as exc:
            on_failure(browser)
            trap = next((e for e in BROWSER_ERRORS if "pageerror" in e
                         and any(t in e for t in ENGINE_TRAPS)), None)
            if trap is not None:
                raise FlutterEngineCrash(trap) from exc
            raise
        finally:
            browser.close()


# WebAssembly traps of the browser's Flutter renderer (skwasm): when one fires, the render
# thread is dead and the page is frozen for good (flutter/flutter#182734, Flutter 3.41's
# skwasm; Flet's client is built with it). Seen about once in two full suites here, on
# different tests. Such a test is run once more (pytest-rerunfailures, `--only-rerun`
# in pyproject.toml): only for this, and only once.
ENGINE_TRAPS = ("memory access out of bounds", "null function", "unaligned accesses",
                "RuntimeError: unreachable")


class FlutterEngineCrash(Exception):
    """The browser's Flutter renderer crashed mid-test (not the app: see ENGINE_TRAPS)."""


def on_failure(browser: Browser) -> None:
    """What each open page showed when the test failed: a screenshot under artifacts and the
    screen's text among the browser errors, since a timeout says only what it waited for."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [page for context in browser.contexts for page in context.pages]
    for n, page in enumerate(pages):
        try:
            page.screenshot(path=str(ARTIFACTS / f"failed-{n}.png"), timeout=5_000)
            text = page.evaluate("() => document.querySelector('flt-semantics-host')"
                                 "?.innerText ?? ''")
            BROWSER_ERRORS.append(f"page {n} showed: {' | '.join(str(text).split())[:1500]}")
        except Exception as e:  # the page may be what failed
            BROWSER_ERRORS.append(f"page {n}: no screenshot ({e})")


def launch(p: Playwright) -> Browser:
    return p.chromium.launch(executable_path=CHROMIUM, args=ARGS)


PIN = "2468"
# How long a tap or a key may take to be answered before the helpers call it lost. Generous:
# a loaded machine is slow to answer, and an answer that comes late is not a lost tap.
ANSWER_MS = 20_000  # a run beside other work answered a tab in 10–12 s at worst


@dataclass
class SecondTries:
    """Taps and keys the helpers had to give again because the first did not arrive. The
    app does not lose them (its screens change in place), so each one is counted and the
    run says how many there were (tests/conftest.py prints it at the end)."""

    taps: int = 0
    keys: int = 0
    why: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.taps + self.keys

    def summary(self) -> str:
        return f"browser second tries: {self.total} (taps {self.taps}, keys {self.keys})"


SECOND_TRIES = SecondTries()


def tried_again(what: str, why: str) -> None:
    """Count a second tap (`what` "taps") or a second typing ("keys"), and say why."""
    if what == "taps":
        SECOND_TRIES.taps += 1
    else:
        SECOND_TRIES.keys += 1
    SECOND_TRIES.why.append(f"{what}: {why}")


# What the browser said went wrong during the current test (shown when it fails, by
# conftest): page errors, console errors, dropped app connections. Known noise is left out:
# the Rive script the CSP refuses, and Flutter looking for CJK fallback fonts we do not serve.
BROWSER_ERRORS: list[str] = []
NOISE = ("Content Security Policy", "Failed to load font", 'failed to fetch "assets/fonts',
         "status of 404")


def watch(page: Page) -> Page:
    def said(kind: str, text: str) -> None:
        BROWSER_ERRORS.append(f"{time.strftime('%H:%M:%S')} {page.url} {kind}: {text[:500]}")

    page.on("pageerror", lambda e: said("pageerror", str(e)))
    page.on("console", lambda m: said(f"console.{m.type}", m.text)
            if m.type == "error" and not any(n in m.text for n in NOISE) else None)
    page.on("websocket", lambda ws: ws.on("close", lambda _: said("websocket closed", ws.url)))
    page.on("crash", lambda _: said("crash", "the page crashed"))
    return page


def open_app(browser: Browser, url: str, viewport: dict[str, int],
             traffic: Traffic | None = None, pin: str | None = PIN) -> Page:
    """Open the app; with a `pin`, get past the lock screen (setting the PIN on first run)."""
    page = watch(browser.new_page(viewport=viewport))  # type: ignore[arg-type]
    if traffic is not None:
        page.on("request", lambda r: traffic.requests.append(r.url))
        page.on("requestfailed", lambda r: traffic.failures.append((r.url, r.failure or "")))
        page.on("response", lambda r: traffic.answered_from.add(urlparse(r.url).hostname or ""))
    page.goto(url)
    enable_semantics(page)
    if pin is not None:
        unlock(page, pin)
    return page


def unlock(page: Page, pin: str = PIN) -> None:
    """The lock screen: PIN fields are password inputs. Another window may have unlocked the
    app already (one store per process), and then there is nothing to do.

    A second entry, counted, for one thing outside the app under test: a window closed just
    before locks the app when its "hidden" event lands (the app does that on purpose), which
    can be right after this window unlocked it."""
    fields = page.locator('flt-semantics input[type="password"]')
    opened = page.get_by_role("button", name=RAIL_TAB).or_(page.get_by_role("tab")).first
    said = ""
    for attempt in range(3):
        fields.first.or_(opened).wait_for(timeout=60_000)
        if not fields.count():
            return
        if attempt:
            tried_again("keys", f"the lock screen stayed after a PIN entry: {said!r}")
        for i in range(fields.count()):  # one on later starts, two (PIN and again) on the first
            enter_pin(page, fields.nth(i), pin)
        page.keyboard.press("Enter")
        try:
            fields.first.wait_for(state="detached", timeout=20_000)
        except PlaywrightTimeout:
            said = str(page.evaluate("() => document.querySelector('flt-semantics-host')"
                                     "?.innerText"))
            continue
        return
    shot(page, "unlock-failed")
    raise AssertionError(f"the lock screen stayed after three PIN entries; it said: {said!r}")


def enter_pin(page: Page, field: Locator, pin: str) -> None:
    enter_text(page, field, pin, "PIN")


def enter_text(page: Page, field: Locator, text: str, what: str = "text") -> None:
    """Replace a field's text and read it back: a lost key in a PIN or password fails the
    whole entry, so a field that does not hold exactly `text` is typed again (counted)."""
    for attempt in range(3):
        if attempt:
            tried_again("keys", f"the {what} field held something else than what was typed")
        focus(page, field)
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        page.keyboard.type(text)
        if page.evaluate("() => document.activeElement?.value") == text:
            return
    raise AssertionError(f"the {what} typed did not arrive in the field")


def enable_semantics(page: Page) -> None:
    """Flutter builds its accessibility tree only when asked to."""
    page.wait_for_selector("flt-semantics-placeholder", state="attached", timeout=60_000)
    page.locator("flt-semantics-placeholder").dispatch_event("click")


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # The bundled font arrives after the first frames; until then CJK would show as boxes.
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1200)
    page.screenshot(path=str(path))
    return path


# how Flutter names a rail's destination after its label, in the app's language: "Tab 2 of
# 5" in English, 「タブ: 2/5」 in Japanese (the apps name their locale: ui_kit/theme.language)
RAIL_TAB = re.compile(r"(?:Tab \d+ of |タブ: \d+\/)")  # "\/": Playwright hands it to JS as /…/


def nav(page: Page, label: str) -> None:
    """Press a navigation destination (rail on a tablet, bottom bar on a phone, or the
    console's menu on a phone) once and wait until it is the current one. The app keeps its
    frame across repaints, so a tap is not lost to one; should it be all the same, it is
    tapped again and counted. (One loss is Flutter's own: its Navigator cancels every
    pointer that is down when a page is pushed or popped, flutter/flutter#93534 and #4770;
    the page on top stays (ui_kit.routes.SHOWN), but a tab to or from home changes the page
    below it. Seen once for ホーム in two full runs since.)"""
    rail = page.get_by_role("button", name=re.compile(f"^{re.escape(label)}\\s+{RAIL_TAB.pattern}"))
    bar = page.get_by_role("tab", name=label, exact=True)
    current = rail.and_(page.locator('[aria-current="true"]')).or_(
        page.get_by_role("tab", name=label, exact=True, selected=True))
    for attempt in range(3):
        if attempt:
            tried_again("taps", f"the tab {label} was not current after a tap")
        if open_menu(page):  # the menu's destinations are the rail's, in a drawer
            rail.first.click()
            try:  # picked: the menu closes over the screen asked for
                rail.first.wait_for(state="detached", timeout=5_000)
                return
            except PlaywrightTimeout:
                continue
        rail.or_(bar).first.click()
        try:
            current.first.wait_for(timeout=ANSWER_MS)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the tab {label} did not open after three taps")


MENU = re.compile("^(メニュー|Menu)$")


def open_menu(page: Page) -> bool:
    """Open the console's menu, on a phone: whether there was one (there is no rail)."""
    menu = page.get_by_role("button", name=MENU)
    if not menu.count() or page.get_by_role("button", name=RAIL_TAB).count():
        return False
    menu.first.click()
    page.get_by_role("button", name=RAIL_TAB).first.wait_for(timeout=10_000)
    return True


def button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()


def tap(page: Page, name: str, answer: str) -> None:
    """Tap a button once and wait for what it shows (`answer`, a text not on the screen
    before); a tap that went unanswered is tapped again and counted."""
    for attempt in range(3):
        if attempt:
            tried_again("taps", f"{name} did not show {answer} after a tap")
        button(page, name)
        try:
            seen(page, answer).wait_for(timeout=ANSWER_MS)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{name} did not show {answer} after three taps")


def type_into(page: Page, label: str, text: str, exact: bool = False) -> None:
    """Focus a text field and type."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    focus_and_type(page, page.get_by_role("textbox", name=label, exact=exact).first, text)


def focus_and_type(page: Page, field: Locator, text: str) -> None:
    """Type into a field once and read it back. Keys that did not arrive are typed again
    and counted: the app keeps a field and its focus while anything else repaints, so
    every one of them is a lost key to look into."""
    value = "() => document.activeElement?.value ?? null"
    focus(page, field)
    page.keyboard.press("Control+End")  # after what it holds, wherever the tap put the caret
    before = page.evaluate(value)
    page.keyboard.type(text)
    wanted = (before or "") + text
    for _ in range(3):
        now = page.evaluate(value)
        if now is None or before is None or now == wanted or not wanted.startswith(now):
            return  # focus left the field, or the app changed the text itself
        tried_again("keys", f"{len(wanted) - len(now)} of the keys typed did not arrive")
        page.keyboard.type(wanted[len(now):])


def field_value(page: Page, label: str) -> str:
    """What a text field holds: Flutter puts it into the DOM only while the field has focus."""
    focus(page, page.get_by_role("textbox", name=label).first)
    return str(page.evaluate("() => document.activeElement.value"))


def focus(page: Page, field: Locator) -> None:
    """Tap a text field once and wait for its editing element to have the focus; a field
    that did not take it, or gave it back at once, is tapped again and counted. Still seen
    now and then on the places search field (a screen no sync repaints; a field with an
    icon in its decoration), in Flutter's web text editing with the semantics tree on. The
    nearest upstream reports, not confirmed as this one: flutter/flutter#129324 (a field
    refusing input with semantics on, tied to decoration icons and the navigator) and
    flutter/flutter#190512 (the editing element's focus while semantics stay enabled)."""
    focused = "() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName)"
    into_view(page, field)
    for attempt in range(5):
        if attempt:
            tried_again("taps", f"the text field {field} did not keep the focus after a tap")
        # where the text goes: a field's box takes in the lines of its error and help under
        # it, and at its middle a long error's own node takes the tap
        box = field.bounding_box()
        field.click(position={"x": min(box["width"] / 2, 80), "y": min(box["height"] / 2, 24)}
                    if box is not None else None)
        try:
            page.wait_for_function(focused, timeout=ANSWER_MS)
        except PlaywrightTimeout:
            continue
        page.wait_for_timeout(120)  # whether it is kept, not only given
        if page.evaluate(focused):
            return
    raise AssertionError(f"could not focus the text field {field}")


def into_view(page: Page, field: Locator) -> None:
    """Bring a field near the bottom of the window up to its middle with the wheel, as a
    person would: a refusal's message covers the bottom of the window for a while, and
    Playwright's own scrolling of Flutter's nodes can leave the tap where the field was."""
    box, size = field.bounding_box(), page.viewport_size
    if box is None or size is None or box["y"] + box["height"] < size["height"] * 0.75:
        return
    page.mouse.move(size["width"] * 0.6, size["height"] * 0.5)
    page.mouse.wheel(0, box["y"] - size["height"] * 0.4)
    page.wait_for_timeout(400)


def choose(page: Page, label: str, option: str) -> None:
    """Open a dropdown by its label and pick an option."""
    # the menu named exactly so, if there is one: a card's text may contain the label too
    exact = page.get_by_role("button", name=label, exact=True).or_(
        page.get_by_role("combobox", name=label, exact=True))
    menu = exact if exact.count() else page.get_by_role("button", name=label).or_(
        page.get_by_role("combobox", name=label))
    menu.first.click()
    page.get_by_role("menuitem", name=option, exact=True).or_(
        page.get_by_text(option, exact=True)).last.click()
    # the menu closes with an animation, and its barrier takes a tap meant for what is
    # under it (a dialog's save button): seen as a save that never ran
    page.get_by_role("menuitem").first.wait_for(state="detached", timeout=10_000)


def seen(page: Page, text: str):  # type: ignore[no-untyped-def]
    """Text on screen, whether Flutter exposes it as a text node or inside a node's label."""
    return page.get_by_text(text).or_(page.locator(f'flt-semantics [aria-label*="{text}"]')).first


def scrolled_to(page: Page, text: str, tries: int = 15):  # type: ignore[no-untyped-def]
    """`seen`, for a text further down a lazy list (home): such a list builds what is below
    its first screen only as it is scrolled to, so scroll down until the text is there."""
    found = seen(page, text)
    size = page.viewport_size or {"width": 1280, "height": 800}
    for _ in range(tries):
        if found.count():
            break
        page.mouse.move(size["width"] * 0.6, size["height"] * 0.6)
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(300)
    return found


def unlocked_store(data: Path, pin: str = PIN):  # type: ignore[no-untyped-def]
    """The app's store, opened the way the app opens it: with the key the PIN unlocks."""
    from field_app.store import open_with_pin

    return open_with_pin(data, pin)
