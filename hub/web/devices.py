"""The office API for tablets: who has one, when it last synced, what needs looking at,
revoking a lost one and making enrolment codes for new ones."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy.engine import Connection

from hub import accounts, devices
from hub.contract.devices import Code, CodeRequest, DeviceList, DeviceRow, Revoked
from hub.contract.errors import OFFICE, answers
from hub.errors import NotFound
from hub.web.bodies import body, documented
from hub.web.deps import Db, Officer, run

router = APIRouter()


@router.get("/devices", summary="Enrolled devices with their last sync and open problems",
            response_model=DeviceList, responses=answers(*OFFICE))
async def listing(who: Officer, db: Db) -> DeviceList:
    def work(conn: Connection) -> DeviceList:
        problems = devices.problems(conn)
        return DeviceList(devices=[
            DeviceRow(id=d.id, staff_name=d.staff_name, device_name=d.device_name,
                      enrolled_at=d.enrolled_at, revoked_at=d.revoked_at,
                      last_sync_at=d.last_sync, problems=problems.get(d.id, 0))
            for d in devices.list_devices(conn)])

    return await run(db, work)


@router.post("/devices/{device_id}/revoke",
             summary="Revoke a device: its token stops working at its next request",
             response_model=Revoked, responses=answers(*OFFICE, 404))
async def revoke(device_id: str, who: Officer, db: Db) -> Revoked:
    def work(conn: Connection) -> bool:
        if not any(d.id == device_id for d in devices.list_devices(conn)):
            raise NotFound(f"no device {device_id}", message_ja="その端末は見つかりません。")
        return devices.revoke(conn, device_id, actor=who.username)

    return Revoked(revoked=True, changed=await run(db, work))


@router.post("/enrolment-codes", summary="A one-time code for a staff member's tablet",
             response_model=Code, responses=answers(*OFFICE),
             openapi_extra=documented(CodeRequest))
async def create_code(request: Request, who: Officer, db: Db) -> Code:
    asked = await body(request, CodeRequest, limit=4096)

    def work(conn: Connection, officer: accounts.OfficeUser) -> Code:
        code, expires = devices.create_code(conn, asked.staff_name, asked.hours,
                                            actor=officer.username)
        return Code(code=code, staff_name=asked.staff_name.strip(), expires_at=expires)

    return await run(db, work, who)
