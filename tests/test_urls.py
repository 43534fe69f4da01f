"""The hub's URLs are an interface: tablets in the field update slowly and outside scripts
call the office API, so a restructuring of the hub never moves one. Every path and method,
pinned; a new operation is added here on purpose, never by accident."""

from __future__ import annotations

from hub.db.engine import connect
from hub.web.app import create_app

PINNED = {
    ("POST", "/api/v1/enrol"),
    ("GET", "/api/v1/office/assignments"),
    ("PUT", "/api/v1/office/assignments/{staff_name}"),
    ("GET", "/api/v1/office/audit"),
    ("GET", "/api/v1/office/compliance"),
    ("GET", "/api/v1/office/concerns"),
    ("GET", "/api/v1/office/concerns/{concern_id}"),
    ("GET", "/api/v1/office/concerns/{concern_id}/history"),
    ("PUT", "/api/v1/office/concerns/{concern_id}/office"),
    ("GET", "/api/v1/office/devices"),
    ("POST", "/api/v1/office/devices/{device_id}/revoke"),
    ("GET", "/api/v1/office/disclosure"),
    ("POST", "/api/v1/office/disclosure/export"),
    ("POST", "/api/v1/office/enrolment-codes"),
    ("GET", "/api/v1/office/grants"),
    ("GET", "/api/v1/office/grants/{place_id}/{fiscal_year}"),
    ("PUT", "/api/v1/office/grants/{place_id}/{fiscal_year}/{step}"),
    ("POST", "/api/v1/office/login"),
    ("POST", "/api/v1/office/logout"),
    ("GET", "/api/v1/office/me"),
    ("GET", "/api/v1/office/places"),
    ("POST", "/api/v1/office/places"),
    ("PUT", "/api/v1/office/places/{place_id}"),
    ("GET", "/api/v1/office/places/{place_id}/annual-report"),
    ("GET", "/api/v1/office/places/{place_id}/attendance"),
    ("GET", "/api/v1/office/places/{place_id}/history"),
    ("GET", "/api/v1/office/places/{place_id}/members/{fiscal_year}"),
    ("GET", "/api/v1/office/places/{place_id}/photos"),
    ("PUT", "/api/v1/office/places/{place_id}/report-photos/{fiscal_year}"),
    ("GET", "/api/v1/office/photos/{photo_id}"),
    ("GET", "/api/v1/office/photos/{photo_id}/thumbnail"),
    ("GET", "/api/v1/office/records/{record_id}/photos"),
    ("PUT", "/api/v1/office/places/{place_id}/members/{fiscal_year}"),
    ("GET", "/api/v1/office/provisions"),
    ("GET", "/api/v1/office/provisions/export"),
    ("POST", "/api/v1/office/redactions"),
    ("GET", "/api/v1/office/reference"),
    ("PUT", "/api/v1/office/reference"),
    ("GET", "/api/v1/office/reports"),
    ("GET", "/api/v1/office/startups"),
    ("POST", "/api/v1/office/startups/{startup_id}/place"),
    ("GET", "/api/v1/office/visits"),
    ("GET", "/api/v1/office/visits/counts"),
    ("GET", "/api/v1/office/visits/follow-ups"),
    ("GET", "/api/v1/office/visits/notes"),
    ("GET", "/api/v1/ping"),
    ("GET", "/api/v1/sync/pull"),
    ("POST", "/api/v1/sync/push"),
    # photos' bytes, tus 1.0.0
    ("OPTIONS", "/api/v1/sync/photos"),
    ("POST", "/api/v1/sync/photos"),
    ("HEAD", "/api/v1/sync/photos/{sha256}"),
    ("PATCH", "/api/v1/sync/photos/{sha256}"),
}


def test_every_path_and_method_of_the_hub_is_where_it_was() -> None:
    engine = connect("sqlite:///:memory:")
    try:
        paths = create_app(engine).openapi()["paths"]
    finally:
        engine.dispose()
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert served == PINNED
