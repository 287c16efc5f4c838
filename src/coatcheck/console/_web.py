"""Server-rendered pages: login, playground, dashboard, review and audit (their data comes from `_api`)."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from coatcheck.console._auth import Denied, check_csrf, csrf_token, find_user, read_form, require
from coatcheck.console._config import Role
from coatcheck.console._console import Console
from coatcheck.entities import ENTITY_TYPES

__all__ = ["PAGES", "index", "login_form", "login_submit", "logout", "page"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
# page -> (title, role needed)
PAGES: dict[str, tuple[str, Role]] = {
    "playground": ("Playground", "viewer"),
    "dashboard": ("Dashboard", "viewer"),
    "review": ("Review queue", "reviewer"),
    "audit": ("Audit", "viewer"),
}


@cache
def _taxonomy() -> dict[str, dict[str, str]]:
    return {
        name: {"category": row.category, "sensitivity": str(row.sensitivity), "placeholder": row.placeholder}
        for name, row in ENTITY_TYPES.items()
    }


def console_of(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


def _safe_next(request: Request, target: str | None) -> str:
    """Only a path inside the console, never another site (open redirects)."""
    home = str(request.url_for("page", name="playground"))
    if not target:
        return home
    parts = urlsplit(target)
    root = request.scope.get("root_path", "")
    # Browsers read "/\\host" as "//host": backslashes and control characters never pass.
    odd = "\\" in target or any(ord(c) < 32 for c in target)
    if odd or parts.scheme or parts.netloc or not target.startswith(root + "/") or target.startswith("//"):
        return home
    return target


async def index(request: Request) -> Response:
    return RedirectResponse(str(request.url_for("page", name="playground")), 303)


async def login_form(request: Request, error: str | None = None, status: int = 200) -> Response:
    console = console_of(request)
    token_file = console.first_run_token()
    context: dict[str, Any] = {
        "csrf": csrf_token(request),
        "error": error,
        "token_file": str(token_file) if token_file else None,
        "no_users": not console.users(),
        "next": request.query_params.get("next", ""),
        "user": None,
        "page": "login",
        "title": "Log in",
    }
    return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=status)


async def login_submit(request: Request) -> Response:
    console = console_of(request)
    form = await read_form(request)
    check_csrf(request, str(form.get("csrf_token", "")))
    client = request.client.host if request.client else "unknown"
    if console.throttle.blocked(client):
        return await login_form(request, "Too many failed attempts; wait a few minutes.", 429)
    user = find_user(console.users(), str(form.get("token", "")).strip())
    if user is None:
        console.throttle.failed(client)
        console.audit_action(None, "access_denied", reason="access_denied")
        return await login_form(request, "That token is not valid.", 401)
    console.throttle.succeeded(client)
    request.session.clear()  # a fresh session: new CSRF token, nothing carried over
    request.session.update(
        {"user": user.name, "expires": time.time() + console.config.session_seconds, "login": time.time()}
    )
    csrf_token(request)
    return RedirectResponse(_safe_next(request, str(form.get("next", "")) or None), 303)


async def logout(request: Request) -> Response:
    form = await read_form(request)
    check_csrf(request, str(form.get("csrf_token", "")))
    request.session.clear()
    return RedirectResponse(str(request.url_for("login")), 303)


async def page(request: Request) -> Response:
    console = console_of(request)
    name = request.path_params["name"]
    if name not in PAGES:
        raise Denied(Response("not found", 404, media_type="text/plain"))
    title, role = PAGES[name]
    user = require(request, console.users, role, api=False)
    context = {
        "user": user,
        "csrf": user.csrf,
        "page": name,
        "title": title,
        "pages": {k: v[0] for k, v in PAGES.items() if user.can(v[1])},
        "poll_ms": int(console.config.poll_seconds * 1000),
        "audit_configured": console.audit is not None,
        "taxonomy": _taxonomy(),
    }
    return TEMPLATES.TemplateResponse(request, f"{name}.html", context)
