"""Crash safety by SIGKILL: a child saves records and prints each acknowledged save;
the parent kills it at a random moment and checks every acknowledged save survived.

The suite runs a short version (tests/test_crash.py). A long soak:
    .venv/bin/python -m tests.crash --kills 2000 --dir /tmp/ibasho-soak
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = "child"


def child(directory: str, seed: int) -> None:
    """Save forever: new records and edits of earlier ones; print `id rev` after each save."""
    from field_app.store import Store
    from tests.factories import gathering

    rng = random.Random(seed)
    # A small fold threshold so kills also land inside compactions.
    store = Store(directory, compact_min_bytes=30_000)
    mine = [store.load("gathering", d["id"]) for d in store.all("gathering")]
    while True:
        if mine and rng.random() < 0.4:
            i = rng.randrange(len(mine))
            record = mine[i].edited()  # type: ignore[union-attr]
            record = record.edited(note=f"note {record.id} {record.rev + 1}")
        else:
            record = gathering()
            record = record.edited(note=f"note {record.id} {record.rev + 1}" + "あ" * rng.randrange(400))
            mine.append(record)
        store.save(record)
        mine = [r for r in mine if r.id != record.id] + [record]  # type: ignore[union-attr]
        sys.stdout.write(f"{record.id} {record.rev}\n")
        sys.stdout.flush()


ACK = re.compile(r"^([0-9a-f-]{36}) ([0-9]+)$")


def acknowledged(proc: subprocess.Popen[bytes], first: bytes) -> list[tuple[str, int]]:
    """Every `id rev` line the killed child printed, read to the end through the same
    buffered reader as `first`. (Reading the rest with `communicate()` skipped what that
    reader had already buffered past the first line: on a busy machine a later line then
    began mid-id, and a cut id was reported as an acknowledged record gone.)"""
    assert proc.stdout is not None
    rest = proc.stdout.read()
    proc.stdout.close()
    proc.wait(timeout=30)
    lines = (first + rest).decode().split("\n")
    acks = []
    for line in lines[:-1]:  # the last piece may be a line cut by the kill
        match = ACK.match(line)
        if match is None:
            raise AssertionError(f"the harness misread the child's output: {line!r}")
        acks.append((match[1], int(match[2])))
    return acks


def run_kills(kills: int, directory: Path, *, seed: int = 1, max_seconds: float = 600) -> int:
    """Kill a saving child `kills` times; returns how many saves were acknowledged in all."""
    from field_app.store import Store

    rng = random.Random(seed)
    acked: dict[str, int] = {}
    saves = 0
    deadline = time.monotonic() + max_seconds
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    for n in range(kills):
        if time.monotonic() > deadline:
            raise AssertionError(f"only {n} kills in {max_seconds}s")
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.crash", CHILD, str(directory), str(rng.randrange(10**9))],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        assert proc.stdout is not None
        first = proc.stdout.readline()  # wait until it is saving, then let it run a while
        if not first:
            proc.wait(timeout=30)
            raise AssertionError(f"child died with {proc.returncode} before its first save")
        time.sleep(rng.uniform(0.0, 0.4))
        os.kill(proc.pid, signal.SIGKILL)
        for rid, rev in acknowledged(proc, first):
            acked[rid] = max(acked.get(rid, 0), rev)
            saves += 1
        with Store(directory) as s:
            for rid, rev in acked.items():
                doc = s.get("gathering", rid)
                assert doc is not None, f"kill {n}: acknowledged record {rid} is gone"
                assert doc["rev"] >= rev, f"kill {n}: {rid} went back from rev {rev} to {doc['rev']}"
                assert doc["note"].startswith(f"note {rid} {doc['rev']}")
            # A save can be durable without having been printed before the kill: the outbox
            # may hold more than was acknowledged, never less, and always at the stored rev.
            outbox = {d["id"]: d["rev"] for d in s.pending()}
            assert set(acked) <= set(outbox), f"kill {n}: acknowledged saves left the outbox"
            for rid, rev in outbox.items():
                assert s.get("gathering", rid)["rev"] == rev  # type: ignore[index]
    return saves


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        child(sys.argv[2], int(sys.argv[3]))
        return 0
    p = argparse.ArgumentParser(description="SIGKILL soak of the store")
    p.add_argument("--kills", type=int, default=1000)
    p.add_argument("--dir", type=Path, default=None)
    p.add_argument("--max-seconds", type=float, default=6 * 3600)
    args = p.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="ibasho-soak-"))
    started = time.monotonic()
    saves = run_kills(args.kills, directory, seed=int(time.time()), max_seconds=args.max_seconds)
    print(f"crash-soak: kills={args.kills} acknowledged_saves={saves} "
          f"seconds={time.monotonic() - started:.0f} lost=0 dir={directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
