"""The office API as the console uses it: async httpx, one method per action, the hub's
errors raised as our own types with their Japanese and English words.

The console runs inside the hub process and reaches the API in-process (ASGI transport):
it goes through the same sign-in, authorisation and audit as any other client."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import httpx

from hub.contract.accounts import Me, Session
from hub.contract.concerns import Concern, Inbox, OfficePart, Story, Written
from hub.contract.devices import Code, CodeRequest, DeviceList, DeviceRow, Revoked
from hub.contract.grants import Grant, GrantList, GrantSummary
from hub.contract.photos import Gallery, PhotoList, PhotoRow, ReportPhotosBody
from hub.contract.places import Attendance, Members, MembersBody, Place, PlaceList, PlaceSaved
from hub.contract.planning import (
    Assignment,
    AssignmentBody,
    Assignments,
    AssignmentSaved,
    PlaceOpened,
    Startup,
    Startups,
)
from hub.contract.provisions import DisclosureSearch, Found, ProvisionList
from hub.contract.reference import ReferenceDoc
from hub.contract.reports import Compliance, ComplianceRow
from hub.contract.visits import FollowUps, PlaceHistory, VisitCounts, VisitNotes, Visits
from sync.errors import SyncError
from sync.protocol import API

OFFICE = f"{API}/office"


class OfficeError(SyncError):
    """The hub refused or could not answer an office request."""

    def __init__(self, message: str, *, status: int, message_ja: str | None = None,
                 problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message, message_ja=message_ja)
        self.status = status
        self.problems = problems or []

    def summary(self, lang: str) -> str:
        """The message alone, for when each field shows its own problem."""
        return super().text(lang)

    def text(self, lang: str) -> str:
        """The message with what each named field expects, in one line."""
        key = "expected_ja" if lang == "ja" else "expected_en"
        details = [f"{p.get('field', '')}: {p.get(key) or p.get('expected_en', '')}"
                   for p in self.problems]
        head = super().text(lang)
        return f"{head} ({'; '.join(details)})" if details else head


class SignedOut(OfficeError):
    """No session, or it expired: sign in again."""


@dataclass(frozen=True)
class SignedIn:
    """Who this console session is signed in as, their roles, and the roles each office
    operation needs ("GET /concerns" -> ["supervisor"]), as the hub declares them."""

    username: str
    roles: tuple[str, ...]
    operations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def role(self) -> str:
        return self.roles[0] if self.roles else ""

    def needs(self, operation: str) -> tuple[str, ...]:
        """The roles that may call `operation` ("GET /concerns"); none if it is unknown."""
        return tuple(self.operations.get(operation, ()))

    def may(self, operation: str) -> bool:
        return bool(set(self.needs(operation)) & set(self.roles))


class OfficeClient:
    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 60.0) -> None:
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/") + OFFICE,
                                       transport=transport, timeout=timeout)
        self._token: str | None = None
        self.officer: SignedIn | None = None

    @classmethod
    def in_process(cls, app: Any) -> OfficeClient:
        """A client of the hub's ASGI app in this process: the console, mounted by `serve`,
        goes through the same sign-in, authorisation and audit as a remote client."""
        return cls("http://hub", transport=httpx.ASGITransport(app=app))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            response = await self._http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise OfficeError(f"the hub did not answer: {exc}", status=0,
                              message_ja="ハブに接続できません。") from exc
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                error = {"message": response.text[:200] or response.reason_phrase}
            kind = SignedOut if response.status_code == 401 else OfficeError
            if kind is SignedOut:
                self._token, self.officer = None, None
            raise kind(str(error.get("message", "")), status=response.status_code,
                       message_ja=error.get("message_ja"), problems=error.get("problems"))
        return response

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return (await self._send(method, path, **kwargs)).json()

    # sessions ----------------------------------------------------------------------

    async def sign_in(self, username: str, password: str) -> SignedIn:
        session = Session.model_validate(await self._json(
            "POST", "/login", json={"username": username, "password": password}))
        self._token = session.token
        # the roles, and what each operation needs
        me = Me.model_validate(await self._json("GET", "/me"))
        self.officer = SignedIn(username, tuple(me.roles), {
            op: tuple(needs) for op, needs in me.operations.items()})
        return self.officer

    async def sign_out(self) -> None:
        if self._token:
            try:
                await self._send("POST", "/logout")
            finally:
                self._token, self.officer = None, None

    # concerns ----------------------------------------------------------------------

    async def concerns(self, filters: Mapping[str, str], offset: int = 0,
                       received_after: str = "") -> Inbox:
        params: dict[str, str | int] = {k: v for k, v in filters.items() if v}
        if offset:
            params["offset"] = offset
        if received_after:
            params["received_after"] = received_after
        return Inbox.model_validate(await self._json("GET", "/concerns", params=params))

    async def concern(self, concern_id: str) -> Concern:
        return Concern.model_validate(await self._json("GET", f"/concerns/{concern_id}"))

    async def history(self, concern_id: str) -> Story:
        return Story.model_validate(await self._json("GET", f"/concerns/{concern_id}/history"))

    async def act(self, concern_id: str, part: dict[str, Any], based_on: str | None
                  ) -> OfficePart:
        """`based_on`: the `updated_at` of the office part the page showed (None: none);
        a Conflict (409) if someone changed it since."""
        return Written.model_validate(await self._json(
            "PUT", f"/concerns/{concern_id}/office",
            json={**part, "based_on": based_on})).office

    # places, compliance, reports ---------------------------------------------------

    async def places(self) -> PlaceList:
        return PlaceList.model_validate(await self._json("GET", "/places"))

    async def save_place(self, data: dict[str, Any]) -> Place:
        """`data`: the form's fields as typed (the hub's domain checks them and names each
        problem), with `id` and `rev` when it edits a place."""
        body = {k: v for k, v in data.items() if k != "id"}
        if data.get("id"):
            result = await self._json("PUT", f"/places/{data['id']}", json=body)
        else:
            result = await self._json("POST", "/places", json=body)
        return PlaceSaved.model_validate(result).place

    async def reference(self) -> ReferenceDoc:
        return ReferenceDoc.model_validate(await self._json("GET", "/reference"))

    async def save_reference(self, doc: dict[str, Any]) -> ReferenceDoc:
        """`doc`: destinations and/or programs as typed (core/domain/overrides.py checks
        them), so a wrong value reaches the hub to be named, not refused here."""
        return ReferenceDoc.model_validate(await self._json("PUT", "/reference", json=doc))

    async def compliance(self, fiscal_year: int) -> list[ComplianceRow]:
        return Compliance.model_validate(await self._json(
            "GET", "/compliance", params={"fiscal_year": fiscal_year})).places

    async def attendance(self, place_id: str, fiscal_year: int) -> dict[str, dict[str, int]]:
        return Attendance.model_validate(await self._json(
            "GET", f"/places/{place_id}/attendance", params={"fiscal_year": fiscal_year}
        )).months

    async def report(self, fiscal_year: int, fmt: str, table: str = "activity",
                     place_id: str = "") -> tuple[str, bytes]:
        params: dict[str, Any] = {"fiscal_year": fiscal_year, "format": fmt, "table": table}
        if place_id:
            params["place_id"] = place_id
        response = await self._send("GET", "/reports", params=params)
        found = re.search(r"filename\*=UTF-8''([^;]+)",
                          response.headers.get("content-disposition", ""))
        name = unquote(found.group(1)) if found else f"ibasho-report-FY{fiscal_year}.{fmt}"
        return name, response.content

    # visits, consultations and meetings ---------------------------------------------

    async def visits(self, filters: Mapping[str, str | int], offset: int = 0,
                     with_text: bool = False) -> Visits | VisitNotes:
        """Visit notes the filters admit (place_id, staff, visit_type, fiscal_year, since,
        until); `with_text`: with their sealed text, as supervisors read them (audited)."""
        params: dict[str, str | int] = {k: v for k, v in filters.items() if v}
        if offset:
            params["offset"] = offset
        if with_text:
            return VisitNotes.model_validate(await self._json("GET", "/visits/notes",
                                                              params=params))
        return Visits.model_validate(await self._json("GET", "/visits", params=params))

    async def follow_ups(self, filters: Mapping[str, str]) -> FollowUps:
        return FollowUps.model_validate(await self._json(
            "GET", "/visits/follow-ups", params={k: v for k, v in filters.items() if v}))

    async def visit_counts(self, fiscal_year: int) -> VisitCounts:
        return VisitCounts.model_validate(await self._json(
            "GET", "/visits/counts", params={"fiscal_year": fiscal_year}))

    async def place_history(self, place_id: str, fiscal_year: int) -> PlaceHistory:
        return PlaceHistory.model_validate(await self._json(
            "GET", f"/places/{place_id}/history", params={"fiscal_year": fiscal_year}))

    # devices -----------------------------------------------------------------------

    async def devices(self) -> list[DeviceRow]:
        return DeviceList.model_validate(await self._json("GET", "/devices")).devices

    async def revoke(self, device_id: str) -> Revoked:
        return Revoked.model_validate(await self._json(
            "POST", f"/devices/{device_id}/revoke"))

    async def create_code(self, staff_name: str, hours: int = 72) -> Code:
        return Code.model_validate(await self._json(
            "POST", "/enrolment-codes",
            json=CodeRequest(staff_name=staff_name, hours=hours).model_dump()))

    # planning ----------------------------------------------------------------------

    async def assignments(self) -> Assignments:
        return Assignments.model_validate(await self._json("GET", "/assignments"))

    async def assign(self, staff_name: str, places: list[str], areas: list[str]
                     ) -> Assignment:
        return AssignmentSaved.model_validate(await self._json(
            "PUT", f"/assignments/{quote(staff_name, safe='')}",
            json=AssignmentBody(places=places, areas=areas).model_dump())).assignment

    async def startups(self) -> list[Startup]:
        return Startups.model_validate(await self._json("GET", "/startups")).startups

    async def open_place(self, startup_id: str, changes: dict[str, Any] | None = None
                         ) -> Place:
        """`changes`: fields of the new place that replace the start-up's (the hub's
        domain checks them, as for any place)."""
        return PlaceOpened.model_validate(await self._json(
            "POST", f"/startups/{startup_id}/place", json=changes or {})).place

    # grants --------------------------------------------------------------------------

    async def grants(self, fiscal_year: int) -> list[GrantSummary]:
        return GrantList.model_validate(await self._json(
            "GET", "/grants", params={"fiscal_year": fiscal_year})).grants

    async def grant(self, place_id: str, fiscal_year: int) -> Grant:
        return Grant.model_validate(await self._json("GET", f"/grants/{place_id}/{fiscal_year}"))

    async def record_grant(self, place_id: str, fiscal_year: int, step: str,
                           values: dict[str, Any], based_on: int) -> Grant:
        """`values`: the step's fields as typed (core/domain/grant.py checks them and names
        each problem at its field)."""
        return Grant.model_validate(await self._json(
            "PUT", f"/grants/{place_id}/{fiscal_year}/{step}",
            json={**values, "based_on": based_on}))

    async def place_report(self, place_id: str, fiscal_year: int, fmt: str
                           ) -> tuple[str, bytes]:
        """A place's 実績報告書 (pdf or xlsx): the file's name and its bytes."""
        response = await self._send("GET", f"/places/{place_id}/annual-report",
                                    params={"fiscal_year": fiscal_year, "format": fmt})
        found = re.search(r"filename\*=UTF-8''([^;]+)",
                          response.headers.get("content-disposition", ""))
        name = unquote(found.group(1)) if found else f"jisseki-FY{fiscal_year}.{fmt}"
        return name, response.content

    async def members(self, place_id: str, fiscal_year: int) -> Members:
        return Members.model_validate(await self._json(
            "GET", f"/places/{place_id}/members/{fiscal_year}"))

    async def save_members(self, place_id: str, fiscal_year: int, counts: dict[str, Any]
                           ) -> Members:
        """`counts`: band -> sex -> what was typed (hub/documents/survey.py checks each)."""
        return Members.model_validate(await self._json(
            "PUT", f"/places/{place_id}/members/{fiscal_year}",
            json=MembersBody(counts=counts).model_dump()))

    # activity photos (every read audited by the hub) ----------------------------------

    async def place_photos(self, place_id: str, fiscal_year: int) -> Gallery:
        return Gallery.model_validate(await self._json(
            "GET", f"/places/{place_id}/photos", params={"fiscal_year": fiscal_year}))

    async def record_photos(self, record_id: str) -> list[PhotoRow]:
        return PhotoList.model_validate(await self._json(
            "GET", f"/records/{record_id}/photos")).photos

    async def photo(self, photo_id: str) -> bytes:
        return (await self._send("GET", f"/photos/{photo_id}")).content

    async def thumbnail(self, photo_id: str) -> bytes:
        return (await self._send("GET", f"/photos/{photo_id}/thumbnail")).content

    async def choose_report_photos(self, place_id: str, fiscal_year: int, photo_ids: list[str]
                                   ) -> Gallery:
        return Gallery.model_validate(await self._json(
            "PUT", f"/places/{place_id}/report-photos/{fiscal_year}",
            json=ReportPhotosBody(photos=photo_ids).model_dump()))

    # provisions and disclosure requests ---------------------------------------------

    async def provisions(self, filters: Mapping[str, str]) -> ProvisionList:
        return ProvisionList.model_validate(await self._json(
            "GET", "/provisions", params={k: v for k, v in filters.items() if v}))

    async def provisions_file(self, fmt: str, filters: Mapping[str, str]) -> tuple[str, bytes]:
        """The 第三者提供記録 as xlsx or csv: the file's name and its bytes."""
        response = await self._send("GET", "/provisions/export", params={
            "format": fmt, **{k: v for k, v in filters.items() if v}})
        return _named(response, f"teikyo-kiroku.{fmt}")

    async def disclosure_search(self, query: Mapping[str, str]) -> list[Found]:
        return DisclosureSearch.model_validate(await self._json(
            "GET", "/disclosure", params={k: v for k, v in query.items() if v})).concerns

    async def disclosure_file(self, concern_ids: list[str], fmt: str = "xlsx"
                              ) -> tuple[str, bytes]:
        """Everything held about the chosen concerns, for the person: xlsx or pdf."""
        response = await self._send("POST", "/disclosure/export", params={"format": fmt},
                                    json={"concern_ids": concern_ids})
        return _named(response, f"kaiji.{fmt}")


def _named(response: httpx.Response, default: str) -> tuple[str, bytes]:
    """A downloaded file's name (from Content-Disposition) and its bytes."""
    found = re.search(r"filename\*=UTF-8''([^;]+)",
                      response.headers.get("content-disposition", ""))
    return (unquote(found.group(1)) if found else default), response.content
