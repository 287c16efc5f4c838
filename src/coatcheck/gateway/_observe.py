"""Metrics, structured logs and the pure ASGI middleware that times every request.

Labels and log fields are endpoints, statuses, tenants, entity types and counts: never a value, never a raw
path (an unknown path is logged as ``other``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["JsonFormatter", "Metrics", "ObserveMiddleware", "configure_logging", "logger"]

logger = logging.getLogger("coatcheck.gateway")
logger.addHandler(logging.NullHandler())

_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
KNOWN_PATHS = frozenset(
    {
        "/v1/chat/completions",
        "/v1/completions",
        "/v1/responses",
        "/v1/embeddings",
        "/v1/messages",
        "/v1/models",
        "/healthz",
        "/readyz",
        "/metrics",
    }
)


class Metrics:
    """The gateway's Prometheus metrics, in their own registry (one per app, so tests can run several)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "coatcheck_requests", "Requests by endpoint and status", ["endpoint", "status"], registry=r
        )
        self.latency = Histogram(
            "coatcheck_request_seconds", "Request time, to the last byte", ["endpoint"], buckets=_LATENCY, registry=r
        )
        self.added = Histogram(
            "coatcheck_protect_seconds", "Time spent detecting and protecting a request", buckets=_LATENCY, registry=r
        )
        self.upstream = Histogram(
            "coatcheck_upstream_seconds",
            "Upstream time to response headers",
            ["endpoint"],
            buckets=_LATENCY,
            registry=r,
        )
        self.entities = Counter(
            "coatcheck_entities", "Entities found, by type and direction", ["type", "direction"], registry=r
        )
        self.decisions = Counter("coatcheck_decisions", "Policy decisions", ["action", "mode"], registry=r)
        self.upstream_errors = Counter("coatcheck_upstream_errors", "Upstream failures by kind", ["kind"], registry=r)
        self.inflight = Gauge("coatcheck_inflight_requests", "Requests in flight", registry=r)

    def count_entities(self, counts: Mapping[str, int], direction: str) -> None:
        for entity_type, count in counts.items():
            if count:
                self.entities.labels(entity_type, direction).inc(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Exceptions are reduced to their type name: messages may quote input."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, Mapping):
            entry.update(fields)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines on stderr for the gateway and uvicorn (the CLI calls this; libraries never do)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    access = logging.getLogger("uvicorn.access")  # replaced by the gateway's own request line
    access.handlers[:] = []
    access.propagate = False
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per upstream call is noise


class ObserveMiddleware:
    """Times each request, counts it and writes one log line when its last byte is sent (streams included)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        endpoint = path if path in KNOWN_PATHS else "other"
        info: dict[str, Any] = {}
        scope["coatcheck"] = info
        started = time.perf_counter()
        status = 500
        done = False
        self.metrics.inflight.inc()

        async def observed_send(message: Message) -> None:
            nonlocal status, done
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False) and not done:
                done = True
                self._finish(endpoint, status, started, info, scope.get("method", ""))

        try:
            await self.app(scope, receive, observed_send)
        finally:
            self.metrics.inflight.dec()
            if not done:
                self._finish(endpoint, status, started, info, scope.get("method", ""), aborted=True)

    def _finish(
        self, endpoint: str, status: int, started: float, info: dict[str, Any], method: str, aborted: bool = False
    ) -> None:
        elapsed = time.perf_counter() - started
        if endpoint in ("/healthz", "/readyz", "/metrics"):
            return
        self.metrics.requests.labels(endpoint, str(status)).inc()
        self.metrics.latency.labels(endpoint).observe(elapsed)
        fields = {"method": method, "endpoint": endpoint, "status": status, "ms": round(elapsed * 1000, 2), **info}
        if aborted:
            fields["aborted"] = True
        logger.info("request", extra={"fields": fields})
