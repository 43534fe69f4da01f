"""Office accounts on the hub: hashed passwords, expiring sessions, rate limits, audit."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from field_app.store import Store
from hub import accounts
from sync.client import HUB_META, enrol
from tests.factories import concern
from tests.hubs import Hub, sync_once

PASSWORD = "correct horse battery"


def with_user(hub: Hub, name: str = "sato", role: str = "office") -> None:
    with hub.engine.begin() as conn:
        accounts.add_user(conn, name, PASSWORD, role, "test")


def login(http: httpx.Client, name: str = "sato", password: str = PASSWORD) -> httpx.Response:
    return http.post("/api/v1/office/login", json={"username": name, "password": password})


def test_passwords_are_hashed_and_checked(hub: Hub) -> None:
    with_user(hub)
    with hub.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM office_users")).scalar_one()
    assert stored.startswith("scrypt$") and PASSWORD not in stored
    assert accounts.verify_password(PASSWORD, stored)
    assert not accounts.verify_password(PASSWORD + "!", stored)
    with hub.engine.begin() as conn, pytest.raises(Exception, match="invalid office account"):
        accounts.add_user(conn, "short", "too short", "office", "test")


def test_sessions_act_and_expire_and_devices_cannot_use_office_endpoints(
        tmp_path: Path, hub: Hub) -> None:
    with_user(hub)
    store = Store(tmp_path / "device")
    enrol(store, hub.url, hub.code(), "tablet")
    c = dataclasses.replace(concern(), device_id=store.device_id)
    store.save(c)
    device_token = store.meta(HUB_META)["token"]  # type: ignore[index]
    sync_once(store, hub.url, device_token)
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        path = f"/api/v1/office/concerns/{c.id}"
        assert http.get(path).status_code == 401  # no session
        assert http.get(path, headers={"Authorization": f"Bearer {device_token}"}
                        ).status_code == 401  # a device token is not an office session
        session = login(http).json()
        auth = {"Authorization": f"Bearer {session['token']}"}
        read = http.get(path, headers=auth)
        assert read.status_code == 200 and read.json()["concern"]["observed"] == c.observed
        act = http.put(path + "/office", headers=auth,
                       json={"status": "referred", "destination": "houkatsu",
                             "referred_on": "2026-11-27"})
        assert act.status_code == 200 and act.json()["office"]["updated_by"] == "sato"
        bad = http.put(path + "/office", headers=auth, json={"status": "referred"})
        assert bad.status_code == 400 and bad.json()["error"]["problems"][0]["field"] == \
            "office.destination"
        # an office session is not a device token either
        r = http.post("/api/v1/sync/push", headers=auth, json={"records": []})
        assert r.status_code == 401
        with hub.engine.begin() as conn:  # time passes
            conn.execute(text("UPDATE office_sessions SET expires_at = :t"),
                         {"t": "2000-01-01 00:00:00+00:00"})
        expired = http.get(path, headers=auth)
        assert expired.status_code == 401 and "有効期限" in expired.json()["error"]["message_ja"]
    store.close()
    # the device hears of the referral
    store = Store(tmp_path / "device")
    sync_once(store, hub.url, device_token)
    assert store.load("concern", c.id).office.status == "referred"  # type: ignore[union-attr]
    store.close()


def test_sign_in_is_rate_limited_and_failures_are_audited(hub: Hub) -> None:
    with_user(hub)
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        for _ in range(5):
            assert login(http, password="wrong password!").status_code == 401
        blocked = login(http, password="wrong password!")
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
        assert login(http).status_code == 429  # even the right password waits
    with hub.engine.connect() as conn:
        failures = conn.execute(text(
            "SELECT COUNT(*) FROM audit WHERE action = 'office_sign_in_failed'")).scalar_one()
    assert failures == 5


def test_enrolment_is_rate_limited(hub: Hub) -> None:
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        codes = [http.post("/api/v1/enrol", json={"code": f"NOPE-{i:04d}-XXXX",
                                                  "device_id": f"guess-{i:04d}-dev"}).status_code
                 for i in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429


def test_the_audit_log_records_each_action_and_cannot_be_changed(tmp_path: Path, hub: Hub
                                                                  ) -> None:
    with_user(hub, "admin1", "admin")
    with_user(hub, "sato")
    store = Store(tmp_path / "device")
    enrol(store, hub.url, hub.code(), "tablet")
    c = dataclasses.replace(concern(), device_id=store.device_id)
    store.save(c)
    token = store.meta(HUB_META)["token"]  # type: ignore[index]
    sync_once(store, hub.url, token)
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        office = {"Authorization": f"Bearer {login(http).json()['token']}"}
        http.get(f"/api/v1/office/concerns/{c.id}", headers=office)
        http.put(f"/api/v1/office/concerns/{c.id}/office", headers=office,
                 json={"status": "triaged"})
        assert http.get("/api/v1/office/audit", headers=office).status_code == 403
        admin = {"Authorization": f"Bearer {login(http, 'admin1').json()['token']}"}
        entries = http.get("/api/v1/office/audit", headers=admin).json()["entries"]
    actions = {(e["actor"], e["action"]) for e in entries}
    assert {("sato", "concern_read"), ("sato", "office_part_written"),
            (store.device_id, "device_enrolled"), (store.device_id, "push"),
            ("sato", "office_signed_in"), ("test", "office_user_added")} <= actions
    with hub.engine.begin() as conn, pytest.raises(DBAPIError):
        conn.execute(text("DELETE FROM audit"))
    with hub.engine.begin() as conn, pytest.raises(DBAPIError):
        conn.execute(text("UPDATE audit SET actor = 'someone else'"))
    out = subprocess.run([sys.executable, "-m", "hub.cli", "audit", "--limit", "50"],
                         capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                              "IBASHO_HUB_DATABASE_URL": hub.database_url})
    assert "concern_read" in out.stdout and "device_enrolled" in out.stdout
    store.close()


def test_security_headers_and_no_cors(hub: Hub) -> None:
    r = httpx.get(hub.url + "/api/v1/ping", headers={"Origin": "https://evil.example"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in r.headers
    r = httpx.get(hub.url + "/no/such/thing")
    assert r.status_code == 404 and "Traceback" not in r.text


def test_users_are_added_given_a_new_password_and_disabled_from_the_cli(tmp_path: Path,
                                                                       hub: Hub) -> None:
    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hub.cli", "users", *args],
                              input=stdin, capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                   "IBASHO_HUB_DATABASE_URL": hub.database_url})

    assert cli("add", "suzuki", "--role", "supervisor,grants", stdin=PASSWORD + "\n"
               ).returncode == 0
    with httpx.Client(base_url=hub.url, timeout=30) as http:
        session = {"Authorization": f"Bearer {login(http, 'suzuki').json()['token']}"}
        me = http.get("/api/v1/office/me", headers=session).json()
        assert (me["username"], me["role"], me["roles"]) == (
            "suzuki", "supervisor", ["supervisor", "grants"])
        short = cli("passwd", "suzuki", stdin="short\n")
        assert short.returncode == 2 and "12" in short.stderr  # refused, nothing changed
        assert http.get("/api/v1/office/me", headers=session).status_code == 200
        new = "a much newer passphrase"
        changed = cli("passwd", "suzuki", stdin=new + "\n")
        assert changed.returncode == 0, changed.stderr
        assert http.get("/api/v1/office/me", headers=session).status_code == 401  # ended
        assert login(http, "suzuki").status_code == 401
        assert login(http, "suzuki", new).status_code == 200
        assert cli("passwd", "nobody", stdin=new + "\n").returncode == 1
        assert cli("disable", "suzuki").returncode == 0
        assert login(http, "suzuki", new).status_code == 401
    listed = cli("list").stdout
    assert "suzuki  supervisor,grants  disabled" in listed
