"""The office API for tablets: who has one, when it last synced, what needs looking at,
revoking a lost one and making enrolment codes for new ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Request

from hub import accounts, devices
from hub.errors import BadRequest, NotFound
from hub.web.access import Transaction, as_officer
from hub.web.request_body import read_json


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def devices_router(in_tx: Transaction) -> APIRouter:
    router = APIRouter()

    @router.get("/devices", summary="Enrolled devices with their last sync and open problems")
    async def listing(authorization: str | None = Header(None)) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> list[dict[str, Any]]:
            problems = devices.problems(conn)
            return [{"id": d.id, "staff_name": d.staff_name, "device_name": d.device_name,
                     "enrolled_at": _iso(d.enrolled_at), "revoked_at": _iso(d.revoked_at),
                     "last_sync_at": _iso(d.last_sync), "problems": problems.get(d.id, 0)}
                    for d in devices.list_devices(conn)]

        return {"devices": await as_officer(in_tx, authorization, work)}

    @router.post("/devices/{device_id}/revoke",
                 summary="Revoke a device: its token stops working at its next request")
    async def revoke(device_id: str, authorization: str | None = Header(None)
                     ) -> dict[str, Any]:
        def work(conn: Any, who: accounts.OfficeUser) -> bool:
            if not any(d.id == device_id for d in devices.list_devices(conn)):
                raise NotFound(f"no device {device_id}", message_ja="その端末は見つかりません。")
            return devices.revoke(conn, device_id, actor=who.username)

        changed = await as_officer(in_tx, authorization, work)
        return {"revoked": True, "changed": changed}

    @router.post("/enrolment-codes", summary="A one-time code for a staff member's tablet")
    async def create_code(request: Request, authorization: str | None = Header(None)
                          ) -> dict[str, Any]:
        body = await read_json(request, limit=4096)
        staff, hours = (body.get("staff_name"), body.get("hours", 72)) \
            if isinstance(body, dict) else (None, None)
        problems = []
        if not isinstance(staff, str):
            problems.append({"field": "staff_name", "value": str(staff)[:40],
                             "expected_en": "the staff member's name (text)",
                             "expected_ja": "職員名（文字）"})
        if not isinstance(hours, int) or isinstance(hours, bool):
            problems.append({"field": "hours", "value": str(hours)[:40],
                             "expected_en": "a whole number of hours (1-336)",
                             "expected_ja": "時間数（1〜336の整数）"})
        if problems:
            raise BadRequest("invalid enrolment code request", problems=problems,
                             message_ja="登録コードの依頼内容が正しくありません。")
        code, expires = await as_officer(in_tx, authorization, lambda conn, who: devices.create_code(
            conn, str(staff), int(hours), actor=who.username))  # type: ignore[arg-type]
        return {"code": code, "staff_name": str(staff).strip(), "expires_at": expires.isoformat()}

    return router
