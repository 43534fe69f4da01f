"""Photos' bytes reach the hub over tus 1.0.0 (core and creation), content-addressed, from
a real client to a real hub on SQLite and PostgreSQL: what the protocol answers, that only
bytes a photo record of the same device declares are taken, that the hub's copy is the
photo byte for byte, that a resend stores nothing new, and that two devices sending the
same bytes share one upload."""

from __future__ import annotations

import base64
import socket
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from field_app.store import Store
from hub.photos import PIECE, pieces
from sync.client import HUB_META, enrol
from sync.photos import Uploader
from sync.protocol import PHOTOS_PATH, tus_metadata
from tests.hubs import Field, Hub, hub_client
from tests.photofiles import Source, declare, jpeg, sha

TUS = {"Tus-Resumable": "1.0.0"}


def device(hub: Hub, tmp_path: Path, name: str) -> Field:
    store = Store(tmp_path / name)
    enrol(store, hub.url, hub.code("鈴木 一郎"), name)
    return Field(store, store.meta(HUB_META)["token"])  # type: ignore[index]


def http(hub: Hub, field: Field) -> httpx.Client:
    return hub_client(hub.url, field.token).http  # type: ignore[no-any-return]


def held(hub: Hub, digest: str) -> bytes:
    with hub.engine.connect() as conn:
        return b"".join(pieces(conn, digest))


def rows(hub: Hub) -> dict[str, int]:
    return {t: hub.count(t) for t in ("photo_blobs", "photo_chunks", "photo_claims")}


def create(client: httpx.Client, data: bytes, **headers: str) -> httpx.Response:
    meta = tus_metadata({"sha256": sha(data), "filetype": "image/jpeg"})
    return client.post(PHOTOS_PATH, headers={**TUS, "Upload-Length": str(len(data)),
                                             "Upload-Metadata": meta, **headers})


def test_a_photo_arrives_whole_and_a_resend_is_a_no_op(field: Field, hub: Hub) -> None:
    data = jpeg(1600, 1200, seed=3, quality=92)
    assert len(data) > 3 * PIECE  # several chunk rows, several PATCHes
    declare(field, hub, data)
    source = Source(data)
    up = Uploader(http(hub, field), chunk=300_000)
    up.send(source)
    assert held(hub, source.sha256) == data  # byte for byte
    assert rows(hub)["photo_blobs"] == 1 and rows(hub)["photo_claims"] == 1
    # streamed from the source a piece at a time: never read whole
    assert source.largest_read <= 64 << 10 and source.reads >= len(data) // (64 << 10)
    with hub.engine.connect() as conn:
        blob = conn.execute(text("SELECT complete, width, height, received, length "
                                 "FROM photo_blobs")).one()
    assert tuple(blob) == (True, 1600, 1200, len(data), len(data))
    before, requests = rows(hub), up.requests
    up.send(Source(data))
    assert up.requests == requests + 1  # one POST: the hub has it all, nothing is sent
    assert rows(hub) == before


def test_the_protocol_answers_as_tus_says(field: Field, hub: Hub) -> None:
    client = http(hub, field)
    options = client.options(PHOTOS_PATH)
    assert options.status_code == 204
    assert options.headers["tus-version"] == "1.0.0"
    assert options.headers["tus-extension"] == "creation"
    assert int(options.headers["tus-max-size"]) == 8 << 20
    data = jpeg(seed=4)
    declare(field, hub, data)
    # without the protocol's version: 412, and every answer says which it speaks
    bare = client.post(PHOTOS_PATH, headers={"Upload-Length": str(len(data))})
    assert bare.status_code == 412 and bare.headers["tus-resumable"] == "1.0.0"
    assert "Tus-Resumable" in bare.json()["error"]["message"]
    address = f"{PHOTOS_PATH}/{sha(data)}"
    assert client.head(address, headers=TUS).status_code == 404
    made = create(client, data)
    assert made.status_code == 201, made.text
    assert made.headers["location"] == address and made.headers["tus-resumable"] == "1.0.0"
    again = create(client, data)  # creating it again: the same upload
    assert again.status_code == 201 and again.headers["location"] == address
    head = client.head(address, headers=TUS)
    assert (head.status_code, head.headers["upload-offset"], head.headers["upload-length"]) == (
        200, "0", str(len(data)))
    assert head.headers["cache-control"] == "no-store"
    chunk = {**TUS, "Content-Type": "application/offset+octet-stream"}
    first = client.patch(address, content=data[:1000], headers={**chunk, "Upload-Offset": "0"})
    assert first.status_code == 204 and first.headers["upload-offset"] == "1000"
    # an offset the upload is not at: 409, saying where it is
    wrong = client.patch(address, content=data[:1000], headers={**chunk, "Upload-Offset": "0"})
    assert wrong.status_code == 409 and wrong.headers["upload-offset"] == "1000"
    assert wrong.json()["error"]["problems"][0]["field"] == "Upload-Offset"
    # a chunk over the cap: 413; a body not sent as tus chunks: 415; past the end: 400
    big = client.patch(address, content=b"\0" * ((1 << 20) + 1),
                       headers={**chunk, "Upload-Offset": "1000"})
    assert big.status_code == 413
    typed = client.patch(address, content=data[1000:2000],
                         headers={**TUS, "Upload-Offset": "1000",
                                  "Content-Type": "application/octet-stream"})
    assert typed.status_code == 415
    beyond = client.patch(address, content=data[1000:] + b"x",
                          headers={**chunk, "Upload-Offset": "1000"})
    assert beyond.status_code == 400
    assert client.head(address, headers=TUS).headers["upload-offset"] == "1000"
    done = client.patch(address, content=data[1000:], headers={**chunk, "Upload-Offset": "1000"})
    assert done.status_code == 204 and done.headers["upload-offset"] == str(len(data))
    assert held(hub, sha(data)) == data


def test_only_bytes_a_photo_record_of_this_device_declares_are_taken(
        field: Field, hub: Hub, tmp_path: Path) -> None:
    client = http(hub, field)
    data = jpeg(seed=5)
    nobody = create(client, data)  # no record declares these bytes
    assert nobody.status_code == 409
    assert nobody.json()["error"]["problems"][0]["field"] == "sha256"
    other = device(hub, tmp_path, "other")
    declare(other, hub, data)  # another device's record does not count for this one
    assert create(client, data).status_code == 409
    declare(field, hub, data)
    wrong_size = create(client, data, **{"Upload-Length": str(len(data) + 1)})
    assert wrong_size.status_code == 409
    assert wrong_size.json()["error"]["problems"][0]["field"] == "Upload-Length"
    # a device that did not create an upload learns nothing of it
    assert create(client, data).status_code == 201
    stranger = device(hub, tmp_path, "stranger")
    assert http(hub, stranger).head(f"{PHOTOS_PATH}/{sha(data)}",
                                    headers=TUS).status_code == 404
    for bad, status in ((tus_metadata({"sha256": "AB" * 32}), 400),
                        ("sha256 !!!not-base64", 400),
                        (tus_metadata({"sha256": sha(data), "filetype": "image/png"}), 415)):
        r = client.post(PHOTOS_PATH, headers={**TUS, "Upload-Length": str(len(data)),
                                              "Upload-Metadata": bad})
        assert r.status_code == status, (bad, r.text)
        assert r.json()["error"]["message_ja"]
    for length, status in (("0", 400), ("", 400), (str((8 << 20) + 1), 413), ("-5", 400)):
        r = create(client, data, **{"Upload-Length": length})
        assert r.status_code == status, (length, r.text)
    assert rows(hub) == {"photo_blobs": 1, "photo_claims": 1, "photo_chunks": 0}
    # a device token it is, or nothing
    anonymous = httpx.post(hub.url + PHOTOS_PATH, timeout=30, headers={
        **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": tus_metadata({"sha256": sha(data)})})
    assert anonymous.status_code == 401 and anonymous.headers["tus-resumable"] == "1.0.0"


def test_two_devices_sending_the_same_bytes_share_one_upload(field: Field, hub: Hub,
                                                            tmp_path: Path) -> None:
    data = jpeg(1200, 900, seed=6)
    other = device(hub, tmp_path, "other")
    declare(field, hub, data)
    declare(other, hub, data)
    mine, theirs = http(hub, field), http(hub, other)
    assert create(mine, data).headers["location"] == create(theirs, data).headers["location"]
    half = len(data) // 2
    chunk = {**TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"}
    assert mine.patch(f"{PHOTOS_PATH}/{sha(data)}", content=data[:half],
                      headers=chunk).status_code == 204
    # the other device finds the first half there and sends only the rest
    up = Uploader(theirs)
    source = Source(data)
    up.send(source)
    assert up.requests == 2  # POST (which says where it is), one PATCH from the middle
    assert held(hub, sha(data)) == data
    assert rows(hub)["photo_blobs"] == 1 and rows(hub)["photo_claims"] == 2
    before = rows(hub)
    Uploader(mine).send(Source(data))
    assert rows(hub) == before


def test_bytes_that_came_before_a_broken_connection_are_kept(field: Field, hub: Hub) -> None:
    """The resume itself: a PATCH whose connection breaks mid-body keeps what arrived, and
    the device goes on from there."""
    data = jpeg(1600, 1200, seed=7, quality=95)
    assert len(data) > 1 << 20
    declare(field, hub, data)
    client = http(hub, field)
    assert create(client, data).status_code == 201
    address = f"{PHOTOS_PATH}/{sha(data)}"

    def offset() -> int:
        return int(client.head(address, headers=TUS).headers["upload-offset"])

    host, port = hub.url.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall((f"PATCH {address} HTTP/1.1\r\nHost: {host}\r\n"
                      f"Authorization: Bearer {field.token}\r\nTus-Resumable: 1.0.0\r\n"
                      "Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n"
                      f"Content-Length: {1 << 20}\r\n\r\n").encode()
                     + data[:PIECE + 12_345])  # one whole piece and part of the next
        deadline = time.monotonic() + 30
        while offset() < PIECE and time.monotonic() < deadline:
            time.sleep(0.02)  # the line stays up until the hub has kept a piece
    # the hub keeps the rest of what it got once it sees the line broken: a prefix, always
    kept = len(held(hub, sha(data)))
    assert kept >= PIECE and held(hub, sha(data))[:kept] == data[:kept]
    chunk = 128 << 10
    up = Uploader(client, chunk=chunk)
    source = Source(data)
    up.send(source)
    assert held(hub, sha(data)) == data
    # from where the hub was, not from the start: what it had kept is not sent again (but
    # for one chunk, if the broken request's last part was kept while this one began)
    sent = PIECE + 12_345
    assert len(data) - sent <= source.read_bytes <= len(data) - kept + chunk < len(data)


@pytest.mark.parametrize("value", ["", "0.9.0", "1.0"])
def test_a_request_without_tus_1_0_0_is_412(field: Field, hub: Hub, value: str) -> None:
    client = http(hub, field)
    address = f"{PHOTOS_PATH}/{'a' * 64}"
    for method in ("HEAD", "PATCH", "POST"):
        r = client.request(method, address if method != "POST" else PHOTOS_PATH,
                           headers={"Tus-Resumable": value} if value else {})
        assert r.status_code == 412, (method, r.status_code)
        assert r.headers["tus-version"] == "1.0.0"


def test_the_metadata_is_read_as_tus_writes_it() -> None:
    from sync.protocol import parse_tus_metadata

    header = tus_metadata({"sha256": "ab" * 32, "filetype": "image/jpeg", "photo": "写真"})
    assert header.startswith("sha256 " + base64.b64encode(b"ab" * 32).decode())
    assert parse_tus_metadata(header) == {"sha256": "ab" * 32, "filetype": "image/jpeg",
                                          "photo": "写真"}
    assert parse_tus_metadata("photo") == {"photo": ""}  # a key may have no value
    for bad in ("a b c", "a !!", "a YQ==,a YQ=="):
        with pytest.raises(ValueError):
            parse_tus_metadata(bad)
