"""create_app(settings): engines, routers, handlers and middleware; nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import api, dev_idp, web
from app.access.population_register import (
    DevelopmentPopulationRegister,
    UnconfiguredPopulationRegister,
)
from app.api import health
from app.auth.metadata import ProviderDirectory
from app.auth.rate_limit import RateLimiter
from app.auth.service import SignInTools
from app.clock import Clock, SystemClock
from app.consents.events import PUBLISHER_KEY, ConsentEvents
from app.db import make_engine, make_sessionmaker
from app.error_handlers import handle_unexpected, install_error_handlers, too_large_response
from app.housekeeping import Housekeeping
from app.logging_setup import configure_logging
from app.long_lived import LongLivedObjects
from app.messaging import websocket as live
from app.messaging.fanout import make_fanout
from app.messaging.hub import Hub
from app.messaging.notices import NewMessageNotices
from app.messaging.timeline_live import TimelineFollowers
from app.middleware.body_limit import BodyLimitMiddleware
from app.middleware.correlation import CorrelationIdMiddleware
from app.middleware.security_headers import SecurityHeadersMiddleware
from app.middleware.unexpected_errors import UnexpectedErrorMiddleware
from app.notifications.senders import make_senders
from app.notifications.worker import NotificationWorker
from app.people.pid_vault import PidVault
from app.settings import Environment, Settings
from app.threads.events import PUBLISHER_KEY as MESSAGE_EVENTS_KEY
from app.threads.events import MessageEvents
from app.timeline.events import PUBLISHER_KEY as PLAN_EVENTS_KEY
from app.timeline.events import PlanEvents
from app.web.templating import Renderer

STATIC_DIR = Path(__file__).parent / "static"


def _pool_options(settings: Settings) -> dict[str, Any]:
    if settings.resolved_database_url.startswith("sqlite"):
        return {}  # a SQLite file cannot drop a connection; SQLAlchemy picks its pool
    return {
        # A pre-ping finds connections PostgreSQL dropped (a restart, quality.md R1).
        "pool_pre_ping": True,
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
    }


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    configure_logging(settings.log_level, json_lines=settings.env is not Environment.DEVELOPMENT)
    database_url = settings.resolved_database_url
    engine = make_engine(database_url, **_pool_options(settings))

    clock = clock or SystemClock()
    # One pooled client for talking to identity providers; short timeouts, never a hang.
    oidc_http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Live messages: the fan-out connects (retrying on its own if the broker is down).
        await app.state.fanout.start()
        await app.state.hub.start()
        app.state.timeline_followers.start()
        app.state.notices.start()
        await app.state.housekeeping.start()
        await app.state.long_lived.start()
        if settings.notification_worker:
            await app.state.notification_worker.start()
        yield
        await app.state.notification_worker.stop()
        await app.state.long_lived.stop()
        await app.state.housekeeping.stop()
        await app.state.notices.stop()
        app.state.timeline_followers.stop()
        await app.state.hub.stop()
        await app.state.fanout.stop()
        await oidc_http.aclose()
        await engine.dispose()

    app = FastAPI(
        title="Samplan API",
        version="1",
        summary="Individual plans and coordinators for Norwegian municipalities.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI would need a CDN and inline script; the schema is enough
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.engine = engine
    app.state.consent_events = ConsentEvents()
    app.state.plan_events = PlanEvents()
    app.state.message_events = MessageEvents()
    app.state.sessionmaker = make_sessionmaker(
        engine,
        info={
            PUBLISHER_KEY: app.state.consent_events,
            PLAN_EVENTS_KEY: app.state.plan_events,
            MESSAGE_EVENTS_KEY: app.state.message_events,
        },
    )
    app.state.pid_vault = PidVault(settings.resolved_data_key())
    app.state.renderer = Renderer(settings.templates_dir)
    app.state.sign_in = SignInTools(
        settings=settings,
        directory=ProviderDirectory(oidc_http, clock),
        http=oidc_http,
        vault=app.state.pid_vault,
        clock=clock,
    )
    app.state.population_register = (
        UnconfiguredPopulationRegister()
        if settings.is_production
        else DevelopmentPopulationRegister()
    )
    app.state.login_limiter = RateLimiter(per_minute=settings.login_rate_per_minute, clock=clock)
    app.state.fanout = make_fanout(settings)
    app.state.hub = Hub(app, app.state.fanout, clock)
    app.state.timeline_followers = TimelineFollowers(app, app.state.hub, app.state.fanout)
    app.state.notices = NewMessageNotices(app)
    app.state.housekeeping = Housekeeping(app.state.sessionmaker, clock)
    app.state.long_lived = LongLivedObjects()
    app.state.notification_worker = NotificationWorker(
        app.state.sessionmaker, make_senders(settings, clock), clock=clock, settings=settings
    )

    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api.router)
    app.include_router(web.router)
    app.include_router(live.router)
    if not settings.is_production:
        app.include_router(dev_idp.build_router(settings))
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Outermost last: the correlation id must exist before anything else logs.
    app.add_middleware(UnexpectedErrorMiddleware, respond=handle_unexpected)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        on_too_large=too_large_response,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.env is not Environment.DEVELOPMENT)
    app.add_middleware(CorrelationIdMiddleware)
    return app


def create_app_from_environment() -> FastAPI:
    """Factory for uvicorn (`--factory`): settings from SAMPLAN_* variables."""
    app = create_app(Settings())
    app.state.long_lived.freeze_start_up()  # a server process (app/long_lived.py)
    return app
