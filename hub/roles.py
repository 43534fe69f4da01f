"""Office roles, and the one table of which roles may call each office operation.

Least privilege (DESIGN §8, APPI): a grant clerk has no business reading abuse concerns. Roles
are data on the account, an account may hold several, and no role implies another: an admin
alone keeps the hub running but reads no concern. An operation missing from OPERATIONS is
refused (fail closed); a test walks every route of the app against this table."""

from __future__ import annotations

from collections.abc import Iterable

from hub.errors import BadRequest, Forbidden
from sync.protocol import API

ADMIN, SUPERVISOR, GRANTS, VIEWER = "admin", "supervisor", "grants", "viewer"
ROLES = (ADMIN, SUPERVISOR, GRANTS, VIEWER)
# the role every office account had before roles were split; what migration 0014 made of it
LEGACY = {"office": (SUPERVISOR, GRANTS)}
# where the office operations live: the table below names them by their path under it
PREFIX = f"{API}/office"
EVERYONE = frozenset(ROLES)
PUBLIC = frozenset[str]()  # no sign-in at all (only sign-in itself)

_ADMIN = frozenset({ADMIN})
_SUPERVISOR = frozenset({SUPERVISOR})
_GRANTS = frozenset({GRANTS})
_FIGURES = frozenset({GRANTS, VIEWER})  # figures and documents without person-level data
# the staff's visit notes without their text: a place's grant clerk follows its visits,
# meetings and follow-ups too
_NOTES_LISTED = frozenset({SUPERVISOR, GRANTS})

# (method, path under /api/v1/office as FastAPI registers it) -> the roles that may call it
OPERATIONS: dict[tuple[str, str], frozenset[str]] = {
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/me"): EVERYONE,
    # labels for every screen: destinations and program settings, no person-level data
    ("GET", "/reference"): EVERYONE,
    ("GET", "/places"): EVERYONE,
    # admin: accounts (CLI), devices and enrolment codes, programs and conditions, audit
    ("GET", "/audit"): _ADMIN,
    ("GET", "/devices"): _ADMIN,
    ("POST", "/devices/{device_id}/revoke"): _ADMIN,
    ("POST", "/enrolment-codes"): _ADMIN,
    ("PUT", "/reference"): _ADMIN,
    ("POST", "/redactions"): _ADMIN,  # lawful erasure in the append-only logs
    # supervisor: concerns, referrals, provision records, disclosure requests
    ("GET", "/concerns"): _SUPERVISOR,
    ("GET", "/concerns/{concern_id}"): _SUPERVISOR,
    ("GET", "/concerns/{concern_id}/history"): _SUPERVISOR,
    ("PUT", "/concerns/{concern_id}/office"): _SUPERVISOR,
    ("GET", "/provisions"): _SUPERVISOR,
    ("GET", "/provisions/export"): _SUPERVISOR,
    ("GET", "/disclosure"): _SUPERVISOR,
    ("POST", "/disclosure/export"): _SUPERVISOR,
    # grants: places, schedules, assignments, start-ups, grants, members
    ("POST", "/places"): _GRANTS,
    ("PUT", "/places/{place_id}"): _GRANTS,
    ("PUT", "/places/{place_id}/members/{fiscal_year}"): _GRANTS,
    ("GET", "/grants"): _GRANTS,
    ("GET", "/grants/{place_id}/{fiscal_year}"): _GRANTS,
    ("PUT", "/grants/{place_id}/{fiscal_year}/{step}"): _GRANTS,
    ("GET", "/assignments"): _GRANTS,
    ("PUT", "/assignments/{staff_name}"): _GRANTS,
    ("GET", "/startups"): _GRANTS,  # sealed notes: audited
    ("POST", "/startups/{startup_id}/place"): _GRANTS,
    # visits, consultations and meetings (the staff's visit notes). Their free text is
    # sealed on the tablet and may say something of a person there: supervisors only
    ("GET", "/visits/notes"): _SUPERVISOR,
    ("GET", "/visits"): _NOTES_LISTED,
    ("GET", "/visits/follow-ups"): _NOTES_LISTED,
    ("GET", "/places/{place_id}/history"): _NOTES_LISTED,
    ("GET", "/visits/counts"): frozenset({SUPERVISOR, GRANTS, VIEWER}),  # counts only
    # activity photos show people: those who see gatherings and start-ups by person (never
    # viewer, whose figures have no person in them); every read audited
    ("GET", "/places/{place_id}/photos"): _GRANTS,
    ("PUT", "/places/{place_id}/report-photos/{fiscal_year}"): _GRANTS,
    ("GET", "/records/{record_id}/photos"): _GRANTS,
    ("GET", "/photos/{photo_id}"): _GRANTS,
    ("GET", "/photos/{photo_id}/thumbnail"): _GRANTS,
    # grants and viewer: documents and figures
    ("GET", "/compliance"): _FIGURES,
    ("GET", "/places/{place_id}/attendance"): _FIGURES,
    ("GET", "/places/{place_id}/members/{fiscal_year}"): _FIGURES,
    ("GET", "/reports"): _FIGURES,
    ("GET", "/places/{place_id}/annual-report"): _FIGURES,
}


def parse(text: str | Iterable[str]) -> tuple[str, ...]:
    """Role names as given (`supervisor,grants`, or a list) in the table's order; `office`
    stands for supervisor,grants. BadRequest names what is unknown and what is expected."""
    given = [r.strip() for r in (text.split(",") if isinstance(text, str) else text)]
    unknown = [r for r in given if r not in ROLES and r not in LEGACY]
    if unknown or not any(given):
        raise BadRequest(f"unknown role {', '.join(unknown) or '(none)'}", problems=[{
            "field": "role", "value": ",".join(unknown)[:40] or str(text)[:40],
            "expected_en": f"one or more of {', '.join(ROLES)}, separated by commas",
            "expected_ja": f"{'・'.join(ROLES)} のいずれか（複数はカンマ区切り）"}],
            message_ja="権限の名前が正しくありません。")
    held = {r for name in given for r in LEGACY.get(name, (name,))}
    return tuple(r for r in ROLES if r in held)


def stored(roles: Iterable[str]) -> str:
    return ",".join(parse(list(roles)))


def loaded(text: str | None) -> tuple[str, ...]:
    """An account's roles as stored; a name this hub does not know grants nothing."""
    held = set((text or "").split(","))
    return tuple(r for r in ROLES if r in held)


def needed(method: str, path: str) -> frozenset[str] | None:
    """The roles that may call an operation; None if it is not declared (refuse it)."""
    return OPERATIONS.get((method.upper(), path))


def check(method: str, path: str, held: Iterable[str]) -> None:
    """Forbidden unless one of `held` may call the operation (an undeclared one: nobody)."""
    allowed = needed(method, path)
    if allowed is None:
        raise Forbidden(f"{method} {path} has no roles declared, so nobody may call it",
                        message_ja="この操作には権限が定められていないため、利用できません。")
    mine = set(held)
    if allowed and not (mine & allowed):
        names = " or ".join(r for r in ROLES if r in allowed)
        names_ja = "・".join(r for r in ROLES if r in allowed)
        have = ", ".join(r for r in ROLES if r in mine) or "none"
        raise Forbidden(f"this needs the role {names} (this account has: {have})",
                        message_ja=f"この操作には {names_ja} の権限が必要です"
                                   f"（このアカウントの権限: {have}）。")
