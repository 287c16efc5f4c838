"""Who may use the console: token login, roles, CSRF tokens, the loopback guard and security headers.

Sessions are Starlette's signed cookie (itsdangerous), SameSite=strict and scoped to the console's path. Every
POST must carry the session's CSRF token (header ``X-CSRF-Token`` or form field ``csrf_token``) and, when the
browser sends one, an ``Origin`` of this host.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from coatcheck.console._config import ConsoleUser, Role, hash_token, role_at_least

__all__ = [
    "CSP",
    "Denied",
    "LocalOnly",
    "LoginThrottle",
    "SecurityHeaders",
    "SessionUser",
    "csrf_token",
    "ensure_generated_token",
    "is_loopback",
    "read_form",
]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
TOKEN_FILE = "console-token"  # noqa: S105 - a file name, not a secret


class Denied(Exception):  # noqa: N818 - control flow, carries the response to send
    """Raised by a handler to answer with ``response`` (login redirect, 401, 403, CSRF failure)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True, slots=True)
class SessionUser:
    """The logged-in user of a request."""

    name: str
    role: Role
    csrf: str

    @property
    def actor(self) -> str:
        """How the audit trail names this user."""
        return f"console:{self.name}"

    def can(self, role: Role) -> bool:
        return role_at_least(self.role, role)


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or ``localhost``) is this machine."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LocalOnly:
    """Pure ASGI guard: unless remote access is configured, only loopback clients on a loopback socket (and
    no proxy in between) reach the console; everyone else gets a plain 404."""

    def __init__(self, app: ASGIApp, allow_remote: bool) -> None:
        self.app = app
        self.allow_remote = allow_remote

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.allow_remote and not self._local(scope):
            await PlainTextResponse("not found", 404)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _local(scope: Scope) -> bool:
        client, server = scope.get("client"), scope.get("server")
        if not (client and is_loopback(client[0])) or (server is not None and not is_loopback(server[0])):
            return False
        forwarded = {b"x-forwarded-for", b"forwarded", b"x-real-ip"}
        return not any(name in forwarded for name, _ in scope.get("headers", []))


class SecurityHeaders:
    """Pure ASGI: a strict CSP (no inline script), no framing, no sniffing, no caching of API answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = "/static/" in scope.get("path", "")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


async def read_form(request: Request, limit: int = 65_536) -> dict[str, str]:
    """A urlencoded form (the console's forms are small; no multipart parser needed)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if kind != "application/x-www-form-urlencoded" or len(raw) > limit:
        raise Denied(PlainTextResponse("expected a small urlencoded form", 400))
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=32)
    except (UnicodeDecodeError, ValueError):
        raise Denied(PlainTextResponse("malformed form", 400)) from None
    return dict(pairs)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (also before login, for the login form)."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Reject a state-changing request without this session's token or from another origin."""
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise Denied(
                JSONResponse({"error": {"kind": "csrf", "message": "cross-origin request refused"}}, 403)
            )
    expected = request.session.get("csrf")
    token = submitted or request.headers.get("x-csrf-token") or ""
    if not isinstance(expected, str) or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Denied(JSONResponse({"error": {"kind": "csrf", "message": "missing or wrong CSRF token"}}, 403))


def find_user(users: tuple[ConsoleUser, ...], token: str) -> ConsoleUser | None:
    """The user whose token this is; every stored hash is compared, in constant time each."""
    digest = hash_token(token).encode()
    found = None
    for user in users:
        if hmac.compare_digest(digest, user.token_hash.encode()):
            found = user
    return found


def require(
    request: Request, users: Callable[[], tuple[ConsoleUser, ...]], role: Role, *, api: bool
) -> SessionUser:
    """The logged-in user with at least ``role``, or `Denied` (login redirect for pages, 401/403 for the API)."""
    name, csrf = request.session.get("user"), request.session.get("csrf")
    user = next((u for u in users() if u.name == name), None) if isinstance(name, str) else None
    expires = request.session.get("expires")
    if (
        user is None
        or not isinstance(csrf, str)
        or not isinstance(expires, int | float)
        or expires < time.time()
    ):
        if api:
            raise Denied(JSONResponse({"error": {"kind": "auth", "message": "log in first"}}, 401))
        login = str(request.url_for("login"))
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise Denied(RedirectResponse(f"{login}?next={target}", 303))
    session_user = SessionUser(user.name, user.role, csrf)
    if not session_user.can(role):
        message = f"this needs the {role} role; you are {user.role}"
        if api:
            raise Denied(JSONResponse({"error": {"kind": "forbidden", "message": message}}, 403))
        raise Denied(PlainTextResponse(message, 403))
    return session_user


class LoginThrottle:
    """At most ``limit`` failed logins per client address in ``window`` seconds."""

    def __init__(self, limit: int = 10, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            failures = self._failures.get(client)
            while failures and failures[0] < now - self.window:
                failures.popleft()
            return failures is not None and len(failures) >= self.limit

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures.setdefault(client, deque()).append(time.monotonic())

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


def ensure_generated_token(state_dir: Path) -> tuple[ConsoleUser, Path]:
    """The first-run admin: a random token kept in ``state_dir/console-token`` (0600, written atomically)."""
    path = state_dir / TOKEN_FILE
    token = ""
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
    if len(token) < 20:
        token = secrets.token_urlsafe(24)
        state_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{TOKEN_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(token + "\n")
        os.replace(tmp, path)
    return ConsoleUser("admin", "admin", hash_token(token)), path
