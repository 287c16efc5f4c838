"""The console as a Starlette sub-application, and how a gateway mounts and feeds it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from coatcheck.console import _api, _web
from coatcheck.console._auth import Denied, LocalOnly, SecurityHeaders
from coatcheck.console._config import ConsoleConfig
from coatcheck.console._console import Console, logger
from coatcheck.errors import AuditError, CoatcheckError, InputError, PolicyError

__all__ = ["ConsoleFeed", "attach_console", "create_console_app"]

MOUNT = "/console"


def _error(kind: str, message: str, status: int) -> Response:
    return JSONResponse({"error": {"kind": kind, "message": message}}, status)


async def _denied(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, Denied):  # pragma: no cover - registered for Denied only
        raise exc
    return exc.response


async def _coatcheck_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PolicyError):
        return _error("policy", str(exc), 422)
    if isinstance(exc, InputError):
        return _error("input", str(exc), 400)
    if isinstance(exc, AuditError):
        logger.error("console: audit failure (%s)", type(exc).__name__)
        return _error("audit", "the audit log could not record this action, so it was not done", 503)
    logger.error("console: %s", type(exc).__name__)
    return _error("internal", f"the console failed ({type(exc).__name__})", 500)


def create_console_app(config: ConsoleConfig | None = None, *, console: Console | None = None) -> Starlette:
    """The console as an ASGI app to mount (at ``/console`` by default; see `ConsoleConfig.cookie_path`).

    ``app.state.console`` holds its `Console`: call ``record_request`` and ``enqueue_reviews`` on it to feed
    the dashboard and the review queue.
    """
    console = console or Console(config)
    config = console.config
    static = Path(__file__).parent / "static"
    routes = [
        Route("/", _web.index, methods=["GET"]),
        Route("/login", _web.login_form, methods=["GET"], name="login"),
        Route("/login", _web.login_submit, methods=["POST"]),
        Route("/logout", _web.logout, methods=["POST"], name="logout"),
        Route("/audit/export", _api.audit_export, methods=["POST"], name="audit_export"),
        Route("/api/me", _api.me, methods=["GET"]),
        Route("/api/policy", _api.policy_info, methods=["GET"]),
        Route("/api/playground", _api.playground, methods=["POST"]),
        Route("/api/turns", _api.turns, methods=["POST"]),
        Route("/api/playground/queue", _api.playground_queue, methods=["POST"]),
        Route("/api/dashboard", _api.dashboard, methods=["GET"]),
        Route("/api/review", _api.review_items, methods=["GET"]),
        Route("/api/review/{item_id:int}", _api.decide_review, methods=["POST"]),
        Route("/api/audit", _api.audit_events, methods=["GET"]),
        Route("/api/audit/verify", _api.audit_verify, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=str(static)), name="static"),
        Route("/{name:str}", _web.page, methods=["GET"], name="page"),
    ]
    middleware = [
        Middleware(LocalOnly, allow_remote=config.allow_remote),
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=console.secret,
            session_cookie="coatcheck_console",
            max_age=config.session_seconds,
            path=config.cookie_path,
            same_site="strict",
            https_only=config.secure_cookies,
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={Denied: _denied, CoatcheckError: _coatcheck_error},
    )
    app.state.console = console
    return app


class ConsoleFeed:
    """Pure ASGI middleware around a gateway: after each proxied request, count it on the dashboard.

    It reads what the gateway notes in ``scope["coatcheck"]`` (tenant, decision, mode, entity counts); the
    latency is ``protect_seconds`` when the gateway notes it (detection and protection only), else the
    whole request's time.
    """

    def __init__(self, app: ASGIApp, console: Console) -> None:
        self.app = app
        self.console = console

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            info = scope.get("coatcheck")
            if isinstance(info, dict) and info.get("decision") in ("allow", "review", "block"):
                self._record(info, time.perf_counter() - started)

    def _record(self, info: dict[str, Any], elapsed: float) -> None:
        latency = info.get("protect_seconds", elapsed)
        try:
            self.console.record_request(
                info.get("tenant"),
                info["decision"],
                info.get("entities") or {},
                latency,
                info.get("mode", "enforce"),
            )
        except CoatcheckError as exc:  # a dashboard must never break the request it counts
            logger.warning("console: request not counted (%s)", type(exc).__name__)


def attach_console(app: Starlette, gateway: Any = None, config: ConsoleConfig | None = None) -> Console:
    """Mount the console at ``/console`` of a gateway app and feed it every proxied request.

    Configuration: ``config``, else ``gateway.config.console`` when the gateway has one, else
    `ConsoleConfig.from_env` (loopback only, first-run admin token). The deployed policy, keys and audit log
    are the gateway's unless the configuration names others. A gateway with a ``console`` attribute gets the
    `Console` there, to call ``enqueue_reviews`` for review-band detections. Call before the app starts.
    """
    from dataclasses import replace

    base = config or getattr(getattr(gateway, "config", None), "console", None) or ConsoleConfig.from_env()
    if gateway is not None:
        base = replace(
            base,
            policy=base.policy if base.policy is not None else getattr(gateway, "policy", None),
            keys=base.keys if base.keys is not None else getattr(gateway, "keys", None),
            audit=base.audit
            if base.audit is not None
            else getattr(getattr(gateway, "config", None), "audit", None),
        )
    console = Console(replace(base, cookie_path=MOUNT))
    # Unnamed, so the console's own route names (login, page, static) resolve through the gateway's router.
    app.router.routes.insert(0, Mount(MOUNT, app=create_console_app(console=console)))
    app.add_middleware(ConsoleFeed, console=console)
    app.state.console = console
    if gateway is not None and hasattr(gateway, "console"):  # a gateway that queues reviews declares the slot
        gateway.console = console
    return console
