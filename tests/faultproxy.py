"""A TCP proxy on 127.0.0.1 that speaks just enough HTTP/1.1 to hurt requests one by one:
drop before or after the hub saw them, reset, cut the answer short, delay it, or answer
500/503 with Retry-After. Also adds a fixed latency (the sync benchmark's 100 ms RTT).
`cut_body` (asked for by name, not among the default faults) passes the hub a request's
head and only part of its body, then drops the connection both ways: an upload broken
mid-chunk. `Link` is a byte stream instead: a slow line with latency that drops every
connection at a fixed interval (the photo benchmark)."""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("drop_before", "drop_after", "reset", "truncate", "delay", "s503", "s500_after")
CUT_BODY = "cut_body"


@dataclass
class Plan:
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULTS
    latency_s: float = 0.0  # added once each way: an RTT of 2 * latency_s
    delay_s: float = 3.0  # the "delay" fault
    seed: int = 1
    counts: Counter[str] = field(default_factory=Counter)
    cut_bytes: int = 0  # body bytes the hub saw of requests cut mid-body


async def _read_message(reader: asyncio.StreamReader, *, bodiless: bool = False
                        ) -> bytes | None:
    """One HTTP/1.1 message; `bodiless`: the answer to a HEAD (its Content-Length is the
    length a GET would have had, and no body follows)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    if bodiless:
        return head
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = await reader.readexactly(length) if length else b""
    return head + body


class FaultProxy:
    def __init__(self, upstream_port: int, plan: Plan) -> None:
        self.upstream_port = upstream_port
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._run, name="fault-proxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("proxy did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self._server:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def _choose(self) -> str:
        hurt = self.rng.random() < self.plan.fault_rate
        fault = self.rng.choice(self.plan.faults) if hurt else "ok"
        self.plan.counts[fault] += 1
        return fault

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            for _ in range(10_000):  # bounded: one connection, many keep-alive requests
                request = await _read_message(client_r)
                if request is None:
                    return
                fault = self._choose()
                if fault == "drop_before":
                    return
                if fault == "s503":
                    client_w.write(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\n"
                                   b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                    await client_w.drain()
                    return
                if self.plan.latency_s:
                    await asyncio.sleep(self.plan.latency_s)
                if upstream is None:
                    upstream = await asyncio.open_connection("127.0.0.1", self.upstream_port)
                up_r, up_w = upstream
                if fault == CUT_BODY:
                    body_at = request.index(b"\r\n\r\n") + 4
                    cut = body_at + self.rng.randint(0, max(0, len(request) - body_at - 1))
                    up_w.write(request[:cut])
                    await up_w.drain()
                    self.plan.cut_bytes += cut - body_at
                    return
                up_w.write(request)
                await up_w.drain()
                response = await _read_message(up_r, bodiless=request.startswith(b"HEAD "))
                if response is None:
                    return
                if self.plan.latency_s:
                    await asyncio.sleep(self.plan.latency_s)
                if fault == "drop_after":
                    return
                if fault == "reset":
                    sock = client_w.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if fault == "truncate":
                    client_w.write(response[: max(1, len(response) // 2)])
                    await client_w.drain()
                    return
                if fault == "s500_after":
                    client_w.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                                   b"Connection: close\r\n\r\n")
                    await client_w.drain()
                    return
                if fault == "delay":
                    await asyncio.sleep(self.plan.delay_s)
                client_w.write(response)
                await client_w.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            client_w.close()
            if upstream is not None:
                upstream[1].close()


class Link:
    """A slow line between a client and a server on 127.0.0.1, as bytes (not messages): a
    bandwidth each way shared by every connection (`rate` bytes a second), a latency each way
    (`latency_s`), and every connection open is dropped every `drop_every_s` seconds (what
    was in flight is lost, as on a mobile link that drops). `drops` counts the drops that
    cut a connection."""

    def __init__(self, upstream_port: int, *, rate: float, latency_s: float = 0.0,
                 drop_every_s: float = 0.0) -> None:
        self.upstream_port = upstream_port
        self.rate, self.latency_s, self.drop_every_s = rate, latency_s, drop_every_s
        self.port = 0
        self.drops = 0
        self._free_at = {"up": 0.0, "down": 0.0}  # when each direction's line is free again
        self._open: set[asyncio.WriteTransport] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._run, name="link", daemon=True)

    def __enter__(self) -> Link:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("link did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            if self._server:
                self._server.close()
            for transport in list(self._open):
                transport.abort()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        if self.drop_every_s:
            self._loop.create_task(self._dropping())
        self._ready.set()
        self._loop.run_forever()

    async def _dropping(self) -> None:
        while True:
            await asyncio.sleep(self.drop_every_s)
            if self._open:
                self.drops += 1
            for transport in list(self._open):
                transport.abort()  # both ends reset: nothing more passes
            self._open.clear()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        ends = [w.transport for w in (client_w, up_w)]
        self._open.update(ends)
        try:
            await asyncio.gather(self._pump(client_r, up_w, "up"),
                                 self._pump(up_r, client_w, "down"))
        finally:
            for end in ends:
                self._open.discard(end)
                end.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    way: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                data = await reader.read(16 << 10)
                if not data:
                    break
                # the line carries `rate` bytes a second, shared: wait for it to be free
                start = max(loop.time(), self._free_at[way])
                self._free_at[way] = start + len(data) / self.rate
                await asyncio.sleep(self._free_at[way] - loop.time())
                if writer.transport.is_closing():
                    break
                # and arrives `latency_s` later, in order (the latency is the same for all)
                loop.call_later(self.latency_s, _deliver, writer, data)
            loop.call_later(self.latency_s, _finish, writer)
        except (ConnectionError, OSError):
            return


def _deliver(writer: asyncio.StreamWriter, data: bytes) -> None:
    if not writer.transport.is_closing():
        writer.write(data)


def _finish(writer: asyncio.StreamWriter) -> None:
    if not writer.transport.is_closing() and writer.can_write_eof():
        writer.write_eof()
