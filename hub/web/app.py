"""The hub's app: its middleware, how failures are answered, its routers (the device API
and the office API), and a lifespan that owns the engine. OpenAPI at /openapi.json."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable

from anyio import CapacityLimiter
from fastapi import FastAPI
from sqlalchemy import Engine

from core.domain import clock
from core.security_headers import FixedHeaders
from hub.db.transaction import Database
from hub.web import bodies, office, photos, problems, sync
from hub.web.deps import HubState
from hub.web.request_body import RefuseNulInUrl
from sync.protocol import PROTOCOL_VERSION

HEADERS = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
           ("Cache-Control", "no-store"),
           ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")]


def create_app(engine: Engine, *, today: Callable[[], dt.date] | None = None,
               owns_engine: bool = False) -> FastAPI:
    """The hub's app on `engine`. With `owns_engine` (a served hub) the app's lifespan
    disposes the engine's connections when the server stops."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_engine:
                engine.dispose()

    app = FastAPI(title="Ibasho hub", version=str(PROTOCOL_VERSION), docs_url=None,
                  redoc_url=None, lifespan=lifespan)
    app.add_middleware(RefuseNulInUrl)
    app.add_middleware(FixedHeaders, headers=HEADERS)
    problems.install(app)
    # one push at a time per process (HubState says why)
    database = Database(engine)
    app.state.hub = HubState(database, today or clock.today, CapacityLimiter(1))
    app.include_router(office.router)
    app.include_router(sync.router)
    app.include_router(photos.router)
    bodies.install(app)
    return app
