"""`ibasho-hub`: run and administer the hub."""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from core.config import Config
from core.domain import clock
from core.domain.errors import IbashoError
from hub import devices, logs, planning
from hub.audit import audit
from hub.config import Settings
from hub.db.engine import connect
from hub.db.migrate import migrate, require_current
from hub.places import import_places
from hub.text_guard import refuse_numbers

log = logging.getLogger("ibasho.hub")


def engine_for(args: argparse.Namespace, *, reads_only: bool = False) -> tuple[Settings, Engine]:
    """The hub's database. A command that changes something brings the schema up to date
    first; one that only reads leaves it as it is and says so if it is out of date."""
    settings = Settings.from_env(args.data_dir)
    engine = connect(settings.database_url)
    if reads_only:
        require_current(engine)
    else:
        migrate(engine)
    return settings, engine


def cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    # one setup for this process and every worker's (uvicorn applies it in each)
    log_config = logs.config(Config.from_env().log_level)
    logs.configure(Config.from_env().log_level)
    if not args.console_idle_minutes > 0:
        raise SystemExit("serve: --console-idle-minutes must be more than 0, got "
                         f"{args.console_idle_minutes}")
    if not 1 <= args.workers <= 32:
        raise SystemExit(f"serve: --workers must be 1 to 32, got {args.workers}")
    settings, engine = engine_for(args)
    if args.workers > 1 and engine.dialect.name == "sqlite" and \
            engine.url.database in (None, "", ":memory:"):
        raise SystemExit("serve: --workers above 1 needs a database file the processes share; "
                         "an in-memory SQLite database is one process's own")
    if args.sample_places:
        load_sample_places(engine)
    scheme = "https" if args.cert else "http"
    banner = logging.getLogger(logs.BANNER)
    banner.info("Ibasho hub: %s://%s:%s/  (database: %s)", scheme, args.host, args.port,
                _safe_url(settings))
    banner.info("Office console: %s://%s:%s/office/", scheme, args.host, args.port)
    server = dict(host=args.host, port=args.port, ssl_certfile=args.cert, ssl_keyfile=args.key,
                  log_level=args.log_level, log_config=log_config, proxy_headers=True,
                  server_header=False)
    if args.workers == 1:
        uvicorn.run(hub_app(engine, args.console_idle_minutes), **server)
        return 0
    # Each worker process builds its own app (worker_app) from what the environment says;
    # the schema is already current and the places loaded, here, once.
    engine.dispose()
    os.environ.update({"IBASHO_HUB_DATABASE_URL": settings.database_url,
                       "IBASHO_HUB_DATA_DIR": str(settings.data_dir),
                       WORKER_IDLE: str(args.console_idle_minutes)})
    uvicorn.run("hub.cli:worker_app", factory=True, workers=args.workers,
                **server)
    return 0


WORKER_IDLE = "IBASHO_HUB_WORKER_CONSOLE_IDLE_MINUTES"


def hub_app(engine: Engine, idle_minutes: float) -> Any:
    """The device API with the office console mounted at /office."""
    from hub.web.app import create_app
    from office.console import Settings as ConsoleSettings
    from office.console import with_console

    console = ConsoleSettings(public_url=Config.from_env().hub_public_url,
                              idle_after=60 * idle_minutes)
    return with_console(create_app(engine, owns_engine=True), console)


def worker_app() -> Any:
    """The app of one of `serve --workers N`'s processes (uvicorn imports and calls this)."""
    settings = Settings.from_env()
    return hub_app(connect(settings.database_url), Config.from_env().worker_console_idle_minutes)


def cmd_migrate(args: argparse.Namespace) -> int:
    settings, _ = engine_for(args)
    print(f"database is at the current schema ({_safe_url(settings)})")
    return 0


def cmd_enroll(args: argparse.Namespace) -> int:
    refuse_numbers({"staff": args.staff})
    _, engine = engine_for(args)
    with engine.begin() as conn:
        code, expires = devices.create_code(conn, args.staff, args.hours)
    print(f"enrolment code for {args.staff}: {code}")
    print(f"valid until {expires.astimezone().strftime('%Y-%m-%d %H:%M %Z')}, once")
    if args.qr:
        import segno

        payload = json.dumps({"hub": args.hub_url or "", "code": code}, ensure_ascii=False)
        segno.make(payload, error="m").save(str(args.qr), scale=8, border=4)
        print(f"QR code written to {args.qr}")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    _, engine = engine_for(args, reads_only=True)
    with engine.connect() as conn:
        rows = devices.list_devices(conn)
    if not rows:
        print("no devices enrolled")
    for d in rows:
        state = f"revoked {clock.local(d.revoked_at):%Y-%m-%d}" if d.revoked_at else "active"
        last = clock.minute(d.last_sync) if d.last_sync else "never"
        print(f"{d.id}  {d.staff_name}  {d.device_name or '-'}  {state}  last push: {last}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    _, engine = engine_for(args)
    with engine.begin() as conn:
        done = devices.revoke(conn, args.device_id)
    print(f"revoked {args.device_id}" if done else f"{args.device_id}: no active device by that id")
    return 0 if done else 1


def load_sample_places(engine: Engine) -> int:
    from core.reference_data import sample_places

    with engine.begin() as conn:
        return import_places(conn, [p.to_dict() for p in sample_places()], "sample")


def cmd_import_places(args: argparse.Namespace) -> int:
    _, engine = engine_for(args)
    if args.sample:
        count = load_sample_places(engine)
    else:
        if not args.file:
            raise SystemExit("import-places: give a JSON file, or --sample")
        data: Any = json.loads(Path(args.file).read_text(encoding="utf-8"))
        places = data["places"] if isinstance(data, dict) else data
        with engine.begin() as conn:
            count = import_places(conn, places, "cli")
    print(f"imported {count} place(s)")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    settings = Settings.from_env(args.data_dir)
    dest = Path(args.dest)
    _backup(settings.database_url, dest)
    print(f"backup written to {dest}")
    return 0


def _backup(url: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        source = sqlite3.connect(url.split("///", 1)[1])
        target = sqlite3.connect(dest)
        with target:
            source.backup(target)  # consistent while the hub keeps running
        target.close()
        source.close()
    else:
        _need("pg_dump", "backup")
        subprocess.run(["pg_dump", "--format=custom", f"--file={dest}", *_pg_schema(url),
                        _libpq(url)], check=True)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _pg_schema(url: str) -> list[str]:
    """A hub kept in a schema of its own (search_path in the URL's options) is backed up and
    restored alone: the other schemas of the database are not the hub's to overwrite."""
    found = re.search(r"search_path(?:%3D|=)([A-Za-z_][A-Za-z0-9_]*)", url)
    return [f"--schema={found.group(1)}"] if found else []


def _need(program: str, command: str) -> None:
    if shutil.which(program) is None:
        raise SystemExit(f"{command}: {program} is needed for PostgreSQL (apt-get install "
                         "postgresql-client)")


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a backup in place of the hub's database (the hub stopped), keeping a copy of
    what it replaces; then give the restored history a new name, so that every device
    pulls it from the start and offers again the records the backup lacks."""
    from hub import history

    settings = Settings.from_env(args.data_dir)
    url, source = settings.database_url, Path(args.backup)
    if not source.is_file():
        raise SystemExit(f"restore: {source}: no such backup file")
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if url.startswith("sqlite") else "pgdump"
    kept = settings.data_dir / f"before-restore-{stamp}.{suffix}"
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        try:
            backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            backup.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.DatabaseError as exc:
            raise SystemExit(f"restore: {source} is not a backup of a hub ({exc})") from exc
        if path.exists():
            _backup(url, kept)
        live = sqlite3.connect(path)
        with live:
            # page by page under SQLite's own lock, in one transaction: a crash leaves the
            # database as it was or as the backup, never half of each
            backup.backup(live)
        live.close()
        backup.close()
    else:
        _need("pg_restore", "restore")
        listed = subprocess.run(["pg_restore", "--list", str(source)], capture_output=True)
        if listed.returncode != 0:
            raise SystemExit(f"restore: {source} is not a backup written by `ibasho-hub backup`")
        _backup(url, kept)
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                        "--single-transaction", "--exit-on-error", *_pg_schema(url),
                        f"--dbname={_libpq(url)}", str(source)], check=True)
    _, engine = engine_for(args)  # a backup from an older version is brought up to date
    with engine.begin() as conn:
        named = history.renew(conn, "cli", f"restored from {source.name}")
    engine.dispose()
    print(f"restored {source} (the database it replaced is kept in {kept})")
    print(f"the hub's history is now {named}: devices pull it from the start and send again "
          "what the backup lacks")
    print("see docs/restore.md for what the office does next")
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    import getpass

    from hub import office_key

    _, engine = engine_for(args)
    phrase = getpass.getpass("passphrase for the private key (empty: none): ") if (
        sys.stdin.isatty() and not args.no_passphrase) else ""
    public = office_key.generate(Path(args.out), phrase.encode() or None)
    with engine.begin() as conn:
        office_key.store_public(conn, public, "cli")
    print(f"office private key written to {args.out}: keep it offline; devices enrolled from "
          "now on can be recovered with it")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    """Re-wrap a device's data key under a new PIN, with the office's private key."""
    import getpass

    from core.keyring import Keyring

    if sys.stdin.isatty():
        pin = getpass.getpass("new PIN for the device: ")
        if getpass.getpass("again: ") != pin:
            raise SystemExit("recover: the two PINs differ")
    else:
        pin = sys.stdin.readline().rstrip("\n")  # for scripts: the PIN on standard input
    phrase = Config.from_env().office_key_passphrase.encode() or None
    Keyring.at(Path(args.device_data)).recover(Path(args.office_key).read_bytes(), pin,
                                                password=phrase)
    print(f"the device at {args.device_data} opens with the new PIN")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from hub import accounts, roles
    from hub.errors import BadRequest

    _, engine = engine_for(args, reads_only=args.action == "list")
    if args.action in ("add", "passwd"):
        if not args.name:
            raise SystemExit(f"users {args.action}: give a user name")
        refuse_numbers({"name": args.name})
        if args.action == "add":  # a wrong role is told before the password is asked for
            try:
                held = roles.parse(args.role)
            except BadRequest:
                raise SystemExit(f"users add: unknown role in {args.role!r}; give one or more "
                                 f"of {', '.join(roles.ROLES)}, separated by commas "
                                 f"(e.g. --role supervisor,grants)") from None
        if sys.stdin.isatty():
            password = getpass.getpass(f"password for {args.name} (12 characters or more): ")
        else:
            password = sys.stdin.readline().rstrip("\n")  # for scripts
        with engine.begin() as conn:
            if args.action == "add":
                accounts.add_user(conn, args.name, password, held, "cli")
                print(f"added {args.name} ({','.join(held)})")
            elif accounts.set_password(conn, args.name, password, "cli"):
                print(f"new password set for {args.name}; their sessions have ended")
            else:
                print(f"{args.name}: no user by that name")
                return 1
    elif args.action == "roles":
        try:
            held = roles.parse(args.role)
        except BadRequest:
            raise SystemExit(f"users roles: unknown role in {args.role!r}; give one or more "
                             f"of {', '.join(roles.ROLES)}, separated by commas") from None
        with engine.begin() as conn:
            done = accounts.set_roles(conn, args.name or "", held, "cli")
        print(f"{args.name} now holds {','.join(held)}" if done
              else f"{args.name}: no user by that name")
        return 0 if done else 1
    elif args.action == "disable":
        with engine.begin() as conn:
            done = accounts.disable_user(conn, args.name or "", "cli")
        print(f"disabled {args.name}" if done else f"{args.name}: no active user by that name")
        return 0 if done else 1
    else:
        with engine.begin() as conn:
            for name, held_roles, active in accounts.list_users(conn):
                print(f"{name}  {held_roles}  {'active' if active else 'disabled'}")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    """Show or set the retention periods, and remove the provision records kept past their
    day (the 第三者提供記録 keeps each for the years in force when it was written)."""
    from hub import hub_settings, photos, provisions

    changes = any(v is not None for v in (args.concern_days, args.archive_days,
                                           args.provision_years, args.photo_years))
    _, engine = engine_for(args)
    with engine.begin() as conn:
        current = json.loads(hub_settings.get(conn, "retention") or "{}")
        if args.concern_days is not None:
            current["concern_stub_days"] = args.concern_days
        if args.archive_days is not None:
            current["archive_after_days"] = args.archive_days
        if args.provision_years is not None:
            if not 1 <= args.provision_years <= 30:
                raise SystemExit("retention: --provision-years is whole years, 1 to 30")
            current["provision_years"] = args.provision_years
        if args.photo_years is not None:
            if not 1 <= args.photo_years <= 30:
                raise SystemExit("retention: --photo-years is whole years, 1 to 30")
            current["photo_years"] = args.photo_years
        if changes:
            if min(current.values()) < 1:
                raise SystemExit("retention: periods are whole days, 1 or more")
            hub_settings.put(conn, "retention", json.dumps(current), "cli")
        removed = provisions.purge(conn, "cli")
        pictures = photos.purge(conn, "cli", clock.today())
        kept = photos.keeping(conn)
    shown = {"concern_stub_days": 30, "archive_after_days": 365,
             "provision_years": provisions.DEFAULT_YEARS, **current}
    print(f"closed concerns become stubs on devices after {shown['concern_stub_days']} days; "
          f"synced gatherings and notes are archived after {shown['archive_after_days']} days; "
          f"provision records (第三者提供記録) are kept {shown['provision_years']} years")
    print(f"removed {removed} provision record(s) kept past their day")
    print(f"photos are kept {kept['photo_years']} years after the day they were taken; "
          f"removed {pictures['photos']} photo(s) past it and {pictures['unfinished']} "
          f"upload(s) left unfinished {kept['unfinished_days']} days")
    return 0


def cmd_export(args: argparse.Namespace) -> int:

    from hub import grants
    from hub.documents import annual_report, export, reports, survey
    from hub.documents.filenames import inside
    from hub.reference import reference

    if not 2000 <= args.fiscal_year <= 2100:
        raise SystemExit(f"export: --fiscal-year must be a year from 2000 to 2100 "
                         f"(April–March), got {args.fiscal_year}")
    if args.place and args.format == "csv":
        raise SystemExit("export: a place's 実績報告書 is --format pdf or xlsx, not csv")
    if args.format == "pdf" and not args.place:
        raise SystemExit("export: --format pdf is a place's 実績報告書: name it with --place ID")
    _, engine = engine_for(args, reads_only=True)
    if args.place:
        return _export_place(engine, args)
    with engine.connect() as conn:
        ref = reference(conn)  # with the office's program settings
        built = reports.build(conn, ref, args.fiscal_year, clock.today())
        startups = planning.startup_report(conn, args.fiscal_year)
        given = grants.listing(conn, args.fiscal_year)
        asked = survey.survey(conn, ref, args.fiscal_year)
        council = annual_report.council_name(conn)
    out = Path(args.out or ".")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in export.documents(built, ref, args.fiscal_year, args.format,
                                       startups=startups, grants=given,
                                       survey=asked, council=council).items():
        written.append(inside(out, name))  # never outside --out, whatever the data says
        written[-1].write_bytes(data)
    with engine.begin() as conn:
        audit(conn, "cli", "report_exported", str(args.fiscal_year),
              json.dumps({"format": args.format}))
    for path in written:
        print(f"written {path}")
    return 0


def _export_place(engine: Engine, args: argparse.Namespace) -> int:

    from hub import gallery, places
    from hub.documents import annual_report, report_files
    from hub.documents.filenames import inside
    from hub.errors import HubError
    from hub.reference import reference

    with engine.connect() as conn:
        ref = reference(conn)
        try:  # an id or a name: the office knows its places by name
            place_id = str(places.find(conn, args.place)["id"])
            year = annual_report.load(conn, ref, place_id, args.fiscal_year, clock.today())
        except HubError as exc:
            raise SystemExit(f"export: {exc.message}") from exc
        shown = gallery.report_photos(conn, place_id, args.fiscal_year)
    data = report_files.pdf(year, ref, shown) if args.format == "pdf" else \
        report_files.xlsx(year, ref, shown)
    out = Path(args.out or ".")
    out.mkdir(parents=True, exist_ok=True)
    path = inside(out, report_files.file_name(year, args.format))
    path.write_bytes(data)
    with engine.begin() as conn:
        audit(conn, "cli", "place_report_exported", place_id,
              json.dumps({"fiscal_year": args.fiscal_year, "format": args.format,
                          "photos": len(shown)}))
    print(f"written {path}")
    return 0


def cmd_places(args: argparse.Namespace) -> int:
    from hub import places

    _, engine = engine_for(args, reads_only=True)
    with engine.connect() as conn:
        found = places.listing(conn, args.search or "")
    if not found:
        print("no places" + (f" match {args.search!r}" if args.search else ""))
    for p in found:
        state = "" if p.get("active", True) else "  (inactive)"
        print(f"{p['id']}  {p.get('name', '')}  {p.get('kana', '')}  {p.get('program', '')}  "
              f"{p.get('area', '')}{state}")
    return 0


def cmd_council(args: argparse.Namespace) -> int:
    from hub import hub_settings
    from hub.documents import annual_report

    if args.name is None:
        _, engine = engine_for(args, reads_only=True)
        with engine.connect() as conn:
            print(annual_report.council_name(conn))
        return 0
    name = args.name.strip()
    if not name or len(name) > 100:
        raise SystemExit("council: the name must be 1 to 100 characters")
    refuse_numbers({"name": name})
    _, engine = engine_for(args)
    with engine.begin() as conn:
        hub_settings.put(conn, annual_report.COUNCIL, name, "cli")
    print(f"documents are headed with: {name}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from hub.db import schema

    _, engine = engine_for(args, reads_only=True)
    with engine.connect() as conn:
        rows = conn.execute(select(schema.audit).order_by(schema.audit.c.seq.desc())
                            .limit(args.limit)).all()
    for r in reversed(rows):
        print(f"{clock.local(r.at):%Y-%m-%d %H:%M:%S}  {r.actor}  {r.action}  {r.subject}  {r.detail}")
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    from hub import redaction

    if args.find_numbers:
        _, engine = engine_for(args, reads_only=True)
        with engine.connect() as conn:
            found = list(redaction.find_numbers(conn))
        for table, row, field in found:  # where, never the text
            print(f"{table}  row {row}  {field}")
        print(f"{len(found)} text(s) holding an individual number")
        return 0
    if not args.actor:
        raise SystemExit("redact: give --actor (the admin who redacts)")
    table, row, field, reason = redaction.check(
        {"table": args.table, "row": args.row, "field": args.field, "reason": args.reason})
    refuse_numbers({"actor": args.actor})
    _, engine = engine_for(args)
    with engine.begin() as conn:
        redaction.redact(conn, table, row, field, reason, args.actor)
    print(f"redacted {table} row {row} {field}")
    return 0


def _safe_url(settings: Settings) -> str:
    url = settings.database_url
    if "@" in url and "://" in url:  # hide a password
        scheme, rest = url.split("://", 1)
        creds, host = rest.split("@", 1)
        url = f"{scheme}://{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ibasho-hub", description="Ibasho Field Notes hub")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="hub data directory (default: IBASHO_HUB_DATA_DIR or per-user dir)")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the hub")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8551)
    s.add_argument("--cert", help="TLS certificate (PEM)")
    s.add_argument("--key", help="TLS private key (PEM)")
    s.add_argument("--sample-places", action="store_true", help="load the sample places")
    s.add_argument("--log-level", default="warning")
    s.add_argument("--console-idle-minutes", type=float, default=30,
                   help="minutes without use before the office console signs itself out")
    s.add_argument("--workers", type=int, default=1,
                   help="processes serving requests (about one per core)")
    s.set_defaults(fn=cmd_serve)
    sub.add_parser("migrate", help="create or upgrade the database").set_defaults(fn=cmd_migrate)
    e = sub.add_parser("enroll", help="make a one-time enrolment code for a staff member")
    e.add_argument("staff", help="staff member's name as shown in the app")
    e.add_argument("--hours", type=int, default=72, help="hours the code stays valid")
    e.add_argument("--qr", type=Path, help="also write the code as a QR image (PNG)")
    e.add_argument("--hub-url", default=Config.from_env().hub_public_url or None,
                   help="hub address to put in the QR code")
    e.set_defaults(fn=cmd_enroll)
    sub.add_parser("devices", help="list enrolled devices").set_defaults(fn=cmd_devices)
    r = sub.add_parser("revoke", help="revoke a device (effective on its next request)")
    r.add_argument("device_id")
    r.set_defaults(fn=cmd_revoke)
    i = sub.add_parser("import-places", help="add or update places from a JSON file")
    i.add_argument("file", nargs="?")
    i.add_argument("--sample", action="store_true", help="import the sample places")
    i.set_defaults(fn=cmd_import_places)
    k = sub.add_parser("keygen", help="make the office key pair for recovering lost PINs")
    k.add_argument("--out", required=True, help="where to write the private key (PEM)")
    k.add_argument("--no-passphrase", action="store_true", help="do not ask for a passphrase")
    k.set_defaults(fn=cmd_keygen)
    rc = sub.add_parser("recover", help="set a new PIN on a device's data (office key needed)")
    rc.add_argument("--office-key", required=True, help="the office private key (PEM)")
    rc.add_argument("--device-data", required=True, help="the device's data directory")
    rc.set_defaults(fn=cmd_recover)
    u = sub.add_parser("users", help="office accounts: list, add, passwd (password on stdin), "
                                     "roles (set an account's --role), disable")
    u.add_argument("action", choices=("list", "add", "passwd", "roles", "disable"))
    u.add_argument("name", nargs="?")
    u.add_argument("--role", default="supervisor,grants",
                   help="one or more of admin, supervisor, grants, viewer, comma-separated "
                        "(default: supervisor,grants; see docs/hub.md, office roles)")
    u.set_defaults(fn=cmd_users)
    rt = sub.add_parser("retention", help="how long devices keep closed concerns and old "
                                          "records and the hub keeps provision records and "
                                          "photos; removes those kept past their day")
    rt.add_argument("--concern-days", type=int, help="days after closing until a stub (30)")
    rt.add_argument("--archive-days", type=int, help="days until archived (365)")
    rt.add_argument("--provision-years", type=int,
                    help="years a provision record is kept (3); applies to new records")
    rt.add_argument("--photo-years", type=int,
                    help="years the hub keeps a photo after the day it was taken (data: 5)")
    rt.set_defaults(fn=cmd_retention)
    x = sub.add_parser("export", help="the fiscal year's activity report and monthly summary, "
                                      "or one place's 実績報告書 (--place)")
    x.add_argument("--fiscal-year", type=int, required=True, help="e.g. 2026 (April-March)")
    x.add_argument("--format", choices=("xlsx", "csv", "pdf"), default="xlsx")
    x.add_argument("--place", help="a place's name or id (ibasho-hub places lists them): "
                                   "its 実績報告書 (pdf or xlsx)")
    x.add_argument("--out", help="directory to write to (default: here)")
    x.set_defaults(fn=cmd_export)
    pl = sub.add_parser("places", help="list the places with their ids (for export --place)")
    pl.add_argument("--search", help="only those whose name, kana or id holds this")
    pl.set_defaults(fn=cmd_places)
    cn = sub.add_parser("council", help="the council's name that heads the documents")
    cn.add_argument("name", nargs="?", help="set it (without: show it)")
    cn.set_defaults(fn=cmd_council)
    a = sub.add_parser("audit", help="show the audit log (oldest of the last N first)")
    a.add_argument("--limit", type=int, default=200)
    a.set_defaults(fn=cmd_audit)
    rd = sub.add_parser("redact", help="replace one text of an audit or provision row with a "
                        "redaction mark (audited), or --find-numbers to list where one is")
    rd.add_argument("--find-numbers", action="store_true")
    rd.add_argument("--table", choices=("audit", "provisions"))
    rd.add_argument("--row", type=int)
    rd.add_argument("--field")
    rd.add_argument("--reason")
    rd.add_argument("--actor")
    rd.set_defaults(fn=cmd_redact)
    b = sub.add_parser("backup", help="write a consistent copy of the database")
    b.add_argument("dest")
    b.set_defaults(fn=cmd_backup)
    rs = sub.add_parser("restore", help="put a backup in place of the database (stop the hub "
                                        "first; see docs/restore.md)")
    rs.add_argument("backup")
    rs.set_defaults(fn=cmd_restore)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logs.configure(Config.from_env().log_level)  # every command: time, level, libraries quiet
    try:
        return int(args.fn(args))
    except OSError as exc:  # a file named on the command line is missing or unreadable
        print(f"ibasho-hub: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 2
    except IbashoError as exc:
        print(f"ibasho-hub: {exc.message}", file=sys.stderr)
        for p in getattr(exc, "problems", []):
            print(f"  {p['field']}: got {p['value']}, expected {p['expected_en']}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
