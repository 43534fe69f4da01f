"""Send 20 photos of 3 MB through a slow link with 100 ms of round trip that drops every
connection every 30 s: our client (tus, resuming from what the hub kept) to a real hub,
against a client that sends each photo whole and starts it again from the first byte when
the link drops; in the same run, through the same kind of link. Each sender runs in a
process of its own, so its peak memory is its own (a photo is streamed, never held whole).

    .venv/bin/python -m benchmarks.photos

The link's bandwidth (`--rate-kbps`, 2,000 kbit/s: a poor mobile uplink, as a link that
drops this often is) sets how long a photo takes (12 s); with 30 s between drops, the
client that restarts loses what it had sent of the photo in flight each time, ours only
what was on the wire. Its receiver is a sink that hashes what it is sent (no database),
which only favours it.

Last line (an interface; keep it exact):
    photo-upload: photos=N ours_s=X restart_s=Y ratio=Z peak_rss_mb=M
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

RESTART = "/restart"
ROOT = Path(__file__).resolve().parent.parent


def make_photos(folder: Path, count: int, size: int) -> list[Path]:
    """`count` JPEGs of about `size` bytes each (noise: every one other bytes)."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    height = max(16, min(2048, round(1536 * size / 3_050_000)))
    out = []
    for i in range(count):
        rng = random.Random(1000 + i)
        im = Image.frombytes("RGB", (2048, height), rng.randbytes(2048 * height * 3))
        buffer = io.BytesIO()
        im.save(buffer, "JPEG", quality=92)
        path = folder / f"photo-{i:02d}.jpg"
        path.write_bytes(buffer.getvalue())
        out.append(path)
    return out


@dataclasses.dataclass
class FileSource:
    """A photo file read in pieces (the tablet reads its sealed file so)."""

    path: Path

    def __post_init__(self) -> None:
        digest = hashlib.sha256()
        with open(self.path, "rb") as f:
            for piece in iter(lambda: f.read(1 << 16), b""):
                digest.update(piece)
        self.sha256 = digest.hexdigest()
        self.size = self.path.stat().st_size

    def read(self, offset: int, length: int) -> bytes:
        with open(self.path, "rb") as f:
            return os.pread(f.fileno(), length, offset)


def peak_rss_kib() -> int:
    found = re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(found.group(1)) if found else 0


def send(how: str, url: str, token: str, folder: Path) -> None:
    """A sender process: every photo in `folder` to `url`, ours (tus) or restarting."""
    import httpx

    from sync.http import HubClient
    from sync.photos import Uploader

    sources = [FileSource(p) for p in sorted(folder.glob("*.jpg"))]
    before = peak_rss_kib()
    start = time.perf_counter()
    tries = 0
    if how == "ours":
        with HubClient(url, token, timeout=20) as client:
            up = Uploader(client.http, attempts=40)
            for source in sources:
                up.send(source)
            tries = up.requests
    else:
        with httpx.Client(base_url=url, timeout=20) as http:
            for source in sources:
                while True:  # the whole photo, from its first byte, until it arrives
                    tries += 1
                    try:
                        r = http.post(f"{RESTART}/{source.sha256}",
                                      content=_whole(source),
                                      headers={"Content-Length": str(source.size)})
                        if r.status_code == 201:
                            break
                    except httpx.TransportError:
                        pass
                    time.sleep(random.uniform(0, 1.0))  # as ours backs off at first
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "requests": tries, "rss_before_kib": before,
                      "peak_rss_kib": peak_rss_kib()}))


def _whole(source: FileSource) -> Any:
    offset = 0
    while offset < source.size:
        piece = source.read(offset, 1 << 16)
        offset += len(piece)
        yield piece


def sink_app() -> Any:
    """What the restarting client sends to: keeps a photo only if it arrived whole."""
    from starlette.applications import Starlette
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import Response
    from starlette.routing import Route

    kept: set[str] = set()

    async def receive(request: Request) -> Response:
        digest = hashlib.sha256()
        try:
            async for part in request.stream():
                digest.update(part)
        except ClientDisconnect:
            return Response(status_code=400)
        if digest.hexdigest() != request.path_params["sha"]:
            return Response(status_code=400)
        kept.add(digest.hexdigest())
        return Response(status_code=201)

    app = Starlette(routes=[Route(RESTART + "/{sha}", receive, methods=["POST"])])
    app.state.kept = kept
    return app


def run_sender(how: str, url: str, token: str, folder: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "benchmarks.photos", "--send", how, "--url",
                           url, "--token", token, "--folder", str(folder)],
                          capture_output=True, text=True, check=True, timeout=7200, cwd=ROOT)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def declare(store: Any, hub_url: str, photos: list[Path]) -> str:
    """Enrol a tablet and push a photo record for each photo: the hub takes only bytes a
    record of the sending device declares."""
    from PIL import Image

    from sync.client import HUB_META, Report, Syncer
    from sync.http import HubClient
    from tests.factories import gathering, photo

    g = dataclasses.replace(gathering(), device_id=store.device_id)
    store.save(g)
    for path in photos:
        with Image.open(path) as im:
            width, height = im.size
        source = FileSource(path)
        store.save(dataclasses.replace(photo(sha256=source.sha256, size=source.size,
                                             width=width, height=height, record_id=g.id),
                                       device_id=store.device_id))
    token: str = store.meta(HUB_META)["token"]
    with HubClient(hub_url, token) as client:
        Syncer(store, client).push_all(Report())
    return token


def run(args: argparse.Namespace) -> str:
    from tests.hubs import database_url

    root = Path(tempfile.mkdtemp(prefix="ibasho-photobench-"))
    try:
        with database_url(args.db, root) as url:
            return measure(args, root, url)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure(args: argparse.Namespace, root: Path, url: str) -> str:
    import uvicorn

    from field_app.store import Store
    from sync.client import enrol
    from tests.browser import free_port
    from tests.faultproxy import Link
    from tests.hubs import Hub, prepared_engine, serve_process

    engine = prepared_engine(url)
    link = {"rate": args.rate_kbps * 1000 / 8, "latency_s": args.rtt_ms / 2000,
            "drop_every_s": args.drop_every}
    try:
        photos = make_photos(root / "photos", args.photos, int(args.mb * 1_000_000))
        size = sum(p.stat().st_size for p in photos) / len(photos)
        print(f"{len(photos)} photos of {size / 1e6:.2f} MB; link {args.rate_kbps:g} kbit/s, "
              f"RTT {args.rtt_ms} ms, every connection dropped every {args.drop_every:g} s; "
              f"hub on {args.db}", flush=True)
        with serve_process(url, root) as hub_url:
            hub = Hub(hub_url, engine, url)
            store = Store(root / "tablet")
            enrol(store, hub_url, hub.code(), "bench")
            token = declare(store, hub_url, photos)
            store.close()
            with Link(int(hub_url.rsplit(":", 1)[1]), **link) as line:
                ours = run_sender("ours", line.url, token, photos[0].parent)
                ours_drops = line.drops
            assert hub.count("photo_blobs") == len(photos)
            with engine.connect() as conn:
                from hub.photos import pieces

                for p in photos:
                    digest = hashlib.sha256(b"".join(pieces(conn, FileSource(p).sha256)))
                    assert digest.hexdigest() == FileSource(p).sha256
        app = sink_app()
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        try:
            with Link(port, **link) as line:
                restart = run_sender("restart", line.url, "", photos[0].parent)
                restart_drops = line.drops
        finally:
            server.should_exit = True
            thread.join(15)
        assert len(app.state.kept) == len(photos)
    finally:
        engine.dispose()
    peak = ours["peak_rss_kib"] / 1024
    print(f"ours: {ours['seconds']:.1f} s, {ours['requests']} requests, {ours_drops} drops "
          f"cut a connection; sender's RSS {ours['rss_before_kib'] / 1024:.0f} MB before "
          f"sending, peak {peak:.0f} MB")
    print(f"restart: {restart['seconds']:.1f} s, {restart['requests']} tries, "
          f"{restart_drops} drops cut a connection")
    line_out = (f"photo-upload: photos={len(photos)} ours_s={ours['seconds']:.1f} "
                f"restart_s={restart['seconds']:.1f} "
                f"ratio={restart['seconds'] / ours['seconds']:.2f} peak_rss_mb={peak:.0f}")
    print(line_out, flush=True)
    return line_out


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="photo upload benchmark")
    p.add_argument("--photos", type=int, default=20)
    p.add_argument("--mb", type=float, default=3.0, help="each photo's size (MB)")
    p.add_argument("--rtt-ms", type=int, default=100)
    p.add_argument("--drop-every", type=float, default=30.0, help="seconds between drops")
    p.add_argument("--rate-kbps", type=float, default=2000.0,
                   help="the link's bandwidth each way (kbit/s)")
    p.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite",
                   help="the hub's database")
    # a sender process (run by the benchmark itself)
    p.add_argument("--send", choices=("ours", "restart"), help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--token", default="", help=argparse.SUPPRESS)
    p.add_argument("--folder", help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.send:
        send(args.send, args.url, args.token, Path(args.folder))
    else:
        run(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
