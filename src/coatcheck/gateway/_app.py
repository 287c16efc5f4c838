"""The gateway: limits -> parse -> walk every data field -> detect -> decide -> protect -> upstream -> restore.

Fail closed: when detection, protection, keys or audit fail, the client gets a 5xx and nothing goes upstream.
One `httpx.AsyncClient`, pooled, with explicit timeouts, serves every request; with no upstream configured it
talks to the built-in demo model in process.
"""

from __future__ import annotations

import functools
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import anyio.to_thread
import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from coatcheck.errors import (
    AuditError,
    CoatcheckError,
    DetectorError,
    InputError,
    KeyManagementError,
    PolicyViolation,
    ProtectError,
    UpstreamError,
    VaultError,
)
from coatcheck.gateway._cache import CachedDetector
from coatcheck.gateway._config import GatewayConfig, TenantConfig
from coatcheck.gateway._demo import DemoTransport
from coatcheck.gateway._fields import ENDPOINTS, Endpoint, Walk, collect, json_mode_content, restore_body
from coatcheck.gateway._http import Rejected, Style, dump_json, error_response, parse_json, read_body
from coatcheck.gateway._observe import Metrics, ObserveMiddleware, logger
from coatcheck.gateway._sse import SSEDecoder, encode_event
from coatcheck.gateway._stream import StreamRewriter, rewriter_for
from coatcheck.policy import EffectivePolicy
from coatcheck.session import DetectorLike, Session

__all__ = ["Gateway", "create_app"]

T = TypeVar("T")
_FORWARD_HEADERS = (
    "accept",
    "openai-organization",
    "openai-project",
    "openai-beta",
    "anthropic-version",
    "anthropic-beta",
)
_RETURN_HEADERS = ("x-request-id", "request-id", "openai-processing-ms", "openai-version", "retry-after")
_RETURN_PREFIXES = ("x-ratelimit-", "anthropic-ratelimit-")
_UNAVAILABLE = (DetectorError, ProtectError, KeyManagementError, VaultError, AuditError)


class Gateway:
    """The state shared by every request: policies per tenant, keys, metrics and the upstream client."""

    def __init__(self, config: GatewayConfig) -> None:
        from coatcheck.keys import Keyring
        from coatcheck.policy import Policy, effective_policy

        self.config = config
        self.policy = config.policy if config.policy is not None else Policy.default()
        self.keys = config.keys if config.keys is not None else Keyring.ephemeral()
        self.metrics = Metrics()
        self.client: httpx.AsyncClient | None = None
        tenants = config.tenants or (TenantConfig(None),)
        self.policies = {t.name: effective_policy(self.policy, t.name) for t in tenants}
        self._detectors: dict[str | None, DetectorLike] = {}
        self.console: Any = None  # set by coatcheck.console.attach_console; receives review-band detections

    # -- lifecycle --------------------------------------------------------------------------------------

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        connect, read, write, pool = self.config.timeouts
        transport = DemoTransport(self.config.demo_delay) if self.config.upstream is None else None
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(connect=connect, read=read, write=write, pool=pool),
            limits=httpx.Limits(max_connections=self.config.max_connections, max_keepalive_connections=64),
            follow_redirects=False,
        )
        await anyio.to_thread.run_sync(self.warm_up)
        logger.info("gateway ready", extra={"fields": {"upstream": self.config.upstream or "demo model"}})
        try:
            yield
        finally:
            await self.client.aclose()
            self.client = None

    def warm_up(self) -> None:
        """Build every tenant's detector (and load NER models) before the first request."""
        sample = "Warm up: I'm Sarah Chen of 742 Evergreen Terrace, sarah@example.com, (415) 555-0132."
        for name in self.policies:
            session = Session(self.detector_for(name))
            stream = session.restore_stream()
            stream.feed(session.redact(sample) + " Dear Bob Stone")
            stream.flush()

    def detector_for(self, tenant: str | None) -> DetectorLike:
        """The detector of a tenant's policy (built once, shared by every request), with a history cache."""
        detector = self._detectors.get(tenant)
        if detector is None:
            detector = self._detectors[tenant] = CachedDetector(self.policies[tenant].detector())
        return detector

    # -- small endpoints --------------------------------------------------------------------------------

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, request: Request) -> Response:
        ready = self.client is not None
        return JSONResponse({"status": "ready" if ready else "starting"}, status_code=200 if ready else 503)

    async def metrics_endpoint(self, request: Request) -> Response:
        return Response(self.metrics.render(), media_type="text/plain; version=0.0.4")

    async def unknown(self, request: Request) -> Response:
        return error_response(
            "openai",
            404,
            "not_found",
            f"coatcheck does not serve {request.method} on this path; supported: POST "
            + ", ".join(ENDPOINTS)
            + ", GET /v1/models",
        )

    async def models(self, request: Request) -> Response:
        try:
            tenant = self._tenant(request)
            upstream = await self._send("GET", "/v1/models", "openai", request, tenant, None)
            content = await upstream.aread()
            await upstream.aclose()
            return Response(content, upstream.status_code, self._return_headers(upstream), "application/json")
        except CoatcheckError as exc:
            return self._failure("openai", exc, request.scope.get("coatcheck", {}))

    # -- the protected endpoints ------------------------------------------------------------------------

    async def proxy(self, request: Request) -> Response:
        endpoint = ENDPOINTS[request.url.path]
        info: dict[str, Any] = request.scope.setdefault("coatcheck", {})
        info["request_id"] = rid = uuid.uuid4().hex
        try:
            tenant = self._tenant(request)
            info["tenant"] = tenant.label
            raw = await read_body(request, self.config.max_body_bytes)
            body = parse_json(raw, self.config.max_depth)
            return await self._protected(request, endpoint, tenant, raw, body, info, rid)
        except CoatcheckError as exc:
            return self._failure(endpoint.style, exc, info)
        except Exception as exc:  # the last line of defence: never a traceback with values in it
            logger.error("internal error", extra={"fields": {"error": type(exc).__name__, "request_id": rid}})
            return error_response(endpoint.style, 500, "internal_error", "coatcheck failed; nothing was sent upstream")

    async def _protected(
        self,
        request: Request,
        endpoint: Endpoint,
        tenant: TenantConfig,
        raw: bytes,
        body: dict[str, Any],
        info: dict[str, Any],
        rid: str,
    ) -> Response:
        policy = self.policies[tenant.name]
        session = Session(
            self.detector_for(tenant.name),
            tenant=policy.tenant or "default",
            methods=policy.method_table(endpoint.destination),
            response=policy.response_action,
            keys=self.keys,
        )
        content, heavy = await self._protect_request(endpoint, tenant, policy, session, raw, body, info, rid)
        upstream = await self._send("POST", endpoint.path, endpoint.style, request, tenant, content, endpoint.path)
        info["upstream_called"] = True
        headers = {**self._return_headers(upstream), "x-coatcheck-request-id": rid}
        if upstream.status_code >= 400:
            self.metrics.upstream_errors.labels(f"status_{upstream.status_code // 100}xx").inc()
            data = await upstream.aread()
            await upstream.aclose()
            return Response(data, upstream.status_code, headers, upstream.headers.get("content-type"))
        restore = endpoint.restore and not policy.is_observe
        json_content = json_mode_content(endpoint, body)
        if bool(body.get("stream")) and endpoint.stream != "none":
            rewriter = rewriter_for(endpoint.stream, session, json_content) if restore else None
            headers.update({"cache-control": "no-cache", "x-accel-buffering": "no"})
            return StreamingResponse(
                self._relay(upstream, rewriter, session, heavy),
                status_code=upstream.status_code,
                headers=headers,
                media_type="text/event-stream",
                background=BackgroundTask(upstream.aclose),
            )
        data = await upstream.aread()
        await upstream.aclose()
        if not restore:
            return Response(data, upstream.status_code, headers, upstream.headers.get("content-type"))
        try:
            answer = json.loads(data)
        except ValueError:
            raise UpstreamError("the upstream answered something that is not JSON") from None

        def restore_text(text: str, json_string: bool) -> str:
            return session.restore(text, json_string=json_string)

        await self._run(heavy, restore_body, answer, restore_text, json_content)
        self.metrics.count_entities(session.response_counts, "response")
        return Response(dump_json(answer), upstream.status_code, headers, "application/json")

    async def _protect_request(
        self,
        endpoint: Endpoint,
        tenant: TenantConfig,
        policy: EffectivePolicy,
        session: Session,
        raw: bytes,
        body: dict[str, Any],
        info: dict[str, Any],
        rid: str,
    ) -> tuple[bytes, bool]:
        """Walk, detect, decide, audit and protect: the body to send upstream, and whether work is heavy."""
        walk = collect(endpoint, body)
        started = time.perf_counter()
        heavy = policy.profile == "accurate" or walk.chars > self.config.inline_detect_chars
        entities = await self._run(heavy, session.analyze, walk.texts)
        decision = policy.decide([e for found in entities for e in found])
        mode = "observe" if policy.is_observe else "enforce"
        counts = dict(session.entity_counts)
        info.update(mode=mode, decision=decision.action, entities=counts)
        self.metrics.count_entities(counts, "request")
        self.metrics.decisions.labels(decision.action, mode).inc()
        audit = {"tenant": tenant.label, "request_id": rid, "entity_counts": counts, "mode": mode}
        if decision.action == "review" and self.console is not None:
            # the console stores masked context and a keyed hash only, never the value
            queue = functools.partial(self.console.enqueue_reviews, policy, walk.texts, entities, request_id=rid)
            await anyio.to_thread.run_sync(queue)
        if decision.action == "block" and not policy.is_observe:
            await self._audit(action="block", decision="block", reason="policy_block", **audit)
            raise PolicyViolation(
                "the policy blocks this request: " + "; ".join(decision.reasons), decision.entity_types
            )
        if policy.is_observe:
            await self._audit(action="policy_observe", decision=decision.action, reason="observe_only", **audit)
            content = raw
        else:
            protected = await self._run(heavy, session.apply, walk.texts, entities)
            content = self._rebuild(walk, protected, body)
            review = decision.action == "review"
            await self._audit(
                action="review" if review else "protect",
                decision=decision.action,
                reason="policy_review" if review else None,
                pii_redacted=bool(counts),
                **audit,
            )
        info["protect_seconds"] = protect_seconds = time.perf_counter() - started
        self.metrics.added.observe(protect_seconds)
        return content, heavy

    @staticmethod
    def _rebuild(walk: Walk, protected: list[str], body: dict[str, Any]) -> bytes:
        walk.write(protected)
        return dump_json(body)

    async def _relay(
        self, upstream: httpx.Response, rewriter: StreamRewriter | None, session: Session, heavy: bool
    ) -> AsyncIterator[bytes]:
        if rewriter is None:
            async for chunk in upstream.aiter_bytes():
                yield chunk
            return
        decoder = SSEDecoder()
        try:
            async for chunk in upstream.aiter_bytes():
                events = decoder.feed(chunk)
                if events:
                    out = await self._run(heavy, _rewrite, rewriter, events)
                    if out:
                        yield out
            decoder.flush()
            if not rewriter.done:
                raise UpstreamError("the upstream stream ended before its final event")
        except PolicyViolation as exc:
            yield encode_event(rewriter.error_event("pii_policy_violation", str(exc)))
        except _UNAVAILABLE as exc:
            logger.error("stream failure", extra={"fields": {"error": type(exc).__name__}})
            yield encode_event(rewriter.error_event("coatcheck_unavailable", "coatcheck could not scan the answer"))
        except (UpstreamError, httpx.HTTPError) as exc:
            self.metrics.upstream_errors.labels("stream").inc()
            message = (
                str(exc) if isinstance(exc, UpstreamError) else f"the upstream stream failed ({type(exc).__name__})"
            )
            yield encode_event(rewriter.error_event("upstream_error", message))
        finally:
            await upstream.aclose()
            self.metrics.count_entities(session.response_counts, "response")

    # -- helpers ----------------------------------------------------------------------------------------

    async def _run(self, heavy: bool, fn: Callable[..., T], *args: Any) -> T:
        if heavy:
            return await anyio.to_thread.run_sync(fn, *args)
        return fn(*args)

    async def _audit(self, **fields: Any) -> None:
        audit = self.config.audit
        if audit is None:
            return
        fields = {k: v for k, v in fields.items() if v is not None}
        await anyio.to_thread.run_sync(lambda: audit.record(**fields))

    def _tenant(self, request: Request) -> TenantConfig:
        headers = request.headers
        key = headers.get("x-coatcheck-key") or _bearer(headers.get("authorization")) or headers.get("x-api-key")
        tenant = self.config.tenant_for(key)
        if tenant is None:
            raise Rejected(401, "unknown or missing coatcheck API key", "authentication_error")
        return tenant

    async def _send(
        self,
        method: str,
        path: str,
        style: Style,
        request: Request,
        tenant: TenantConfig,
        content: bytes | None,
        endpoint: str = "/v1/models",
    ) -> httpx.Response:
        if self.client is None:
            raise UpstreamError("the gateway is not started")
        headers = {name: request.headers[name] for name in _FORWARD_HEADERS if name in request.headers}
        if content is not None:
            headers["content-type"] = "application/json"
        headers.update(self._credential(request, style, tenant))
        started = time.perf_counter()
        try:
            upstream = await self.client.send(
                self.client.build_request(method, self._url(path, style), content=content, headers=headers), stream=True
            )
        except httpx.TimeoutException:
            self.metrics.upstream_errors.labels("timeout").inc()
            raise Rejected(504, "the upstream did not answer in time", "upstream_timeout") from None
        except httpx.HTTPError as exc:
            self.metrics.upstream_errors.labels("connect").inc()
            raise Rejected(502, f"cannot reach the upstream ({type(exc).__name__})", "upstream_error") from None
        self.metrics.upstream.labels(endpoint).observe(time.perf_counter() - started)
        return upstream

    def _url(self, path: str, style: Style) -> str:
        base = self.config.upstream
        if style == "anthropic" and self.config.anthropic_upstream:
            base = self.config.anthropic_upstream
        base = (base or "http://demo.invalid").rstrip("/")
        return base + (path[3:] if base.endswith("/v1") else path)

    @staticmethod
    def _credential(request: Request, style: Style, tenant: TenantConfig) -> dict[str, str]:
        if tenant.upstream_key:
            if style == "anthropic":
                return {"x-api-key": tenant.upstream_key}
            return {"authorization": f"Bearer {tenant.upstream_key}"}
        if not tenant.passthrough:
            return {}
        return {n: request.headers[n] for n in ("authorization", "x-api-key") if n in request.headers}

    @staticmethod
    def _return_headers(upstream: httpx.Response) -> dict[str, str]:
        return {
            name: value
            for name, value in upstream.headers.items()
            if name in _RETURN_HEADERS or name.startswith(_RETURN_PREFIXES)
        }

    def _failure(self, style: Style, exc: CoatcheckError, info: dict[str, Any]) -> Response:
        info["error"] = type(exc).__name__
        if isinstance(exc, Rejected):
            return error_response(style, exc.status, exc.kind, str(exc))
        if isinstance(exc, PolicyViolation):
            return error_response(style, 400, "pii_policy_violation", str(exc), exc.entity_types)
        if isinstance(exc, InputError):
            return error_response(style, 400, "invalid_request_error", str(exc))
        if isinstance(exc, UpstreamError):
            self.metrics.upstream_errors.labels("invalid_answer").inc()
            return error_response(style, 502, "upstream_error", str(exc))
        logger.error("fail closed", extra={"fields": {"error": type(exc).__name__}})
        what = "the answer" if info.get("upstream_called") else "this request; nothing was sent upstream"
        return error_response(
            style, 503, "coatcheck_unavailable", f"coatcheck could not protect {what} ({type(exc).__name__})"
        )


def _bearer(value: str | None) -> str | None:
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None


def _rewrite(rewriter: StreamRewriter, events: Sequence[Any]) -> bytes:
    return b"".join(encode_event(out) for event in events for out in rewriter.events(event))


def create_app(config: GatewayConfig | None = None) -> Starlette:
    """The gateway as an ASGI app (``app.state.gateway`` holds its `Gateway`)."""
    gateway = Gateway(config or GatewayConfig())
    routes = [Route(path, gateway.proxy, methods=["POST"]) for path in ENDPOINTS]
    routes += [
        Route("/v1/models", gateway.models, methods=["GET"]),
        Route("/healthz", gateway.healthz, methods=["GET"]),
        Route("/readyz", gateway.readyz, methods=["GET"]),
        Route("/metrics", gateway.metrics_endpoint, methods=["GET"]),
        Route("/{path:path}", gateway.unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    ]
    app = Starlette(
        routes=routes, lifespan=gateway.lifespan, middleware=[Middleware(ObserveMiddleware, metrics=gateway.metrics)]
    )
    app.state.gateway = gateway
    # -- console mount (owned by coatcheck.console): the web console at /console, fed by every request --
    from coatcheck.console import attach_console

    attach_console(app, gateway)
    return app
