"""The console's JSON API. Every route needs a session; every POST a CSRF token; every action is audited."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from coatcheck.console._auth import SessionUser, check_csrf, read_form, require
from coatcheck.console._config import Role
from coatcheck.console._console import Console
from coatcheck.console._dashboard import dashboard_data
from coatcheck.console._playground import in_review_band, parse_sample, run_preview, run_turns
from coatcheck.console._policies import policy_yaml, resolve_tenant, tenant_label
from coatcheck.console._web import console_of
from coatcheck.errors import InputError
from coatcheck.policy import EffectivePolicy

__all__ = [
    "audit_events",
    "audit_export",
    "audit_verify",
    "dashboard",
    "decide_review",
    "me",
    "playground",
    "playground_queue",
    "policy_info",
    "review_items",
    "turns",
]

MAX_BODY = 2 * 1024 * 1024
PLAYGROUND = "console_playground"


def _user(request: Request, role: Role = "viewer") -> tuple[Console, SessionUser]:
    console = console_of(request)
    return console, require(request, console.users, role, api=True)


async def _body(request: Request, user: SessionUser) -> dict[str, Any]:
    check_csrf(request, None)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise InputError(f"request body larger than {MAX_BODY} bytes")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InputError("request body is not JSON") from None
    if not isinstance(data, dict):
        raise InputError("request body must be a JSON object")
    return data


def _str(data: dict[str, Any], key: str, default: str | None = None) -> str | None:
    value = data.get(key, default)
    if value is not None and not isinstance(value, str):
        raise InputError(f"field {key!r} must be a string")
    return value


def _effective(console: Console, data: dict[str, Any]) -> tuple[EffectivePolicy, str]:
    draft = _str(data, "policy")
    policy = console.drafts.get(draft) if draft else console.policy
    return resolve_tenant(policy, _str(data, "tenant")), "draft" if draft else "deployed"


def _lookup(console: Console, effective: EffectivePolicy) -> Any:
    return lambda entity_type, value: console.review_list(effective.tenant, entity_type, value)


async def me(request: Request) -> Response:
    _, user = _user(request)
    return JSONResponse({"name": user.name, "role": user.role})


async def policy_info(request: Request) -> Response:
    console, _ = _user(request)
    policy = console.policy
    base = resolve_tenant(policy, None)
    review = base.review.model_dump() if base.review else None
    return JSONResponse(
        {
            "yaml": policy_yaml(policy),
            "tenants": ["default", *[t for t in policy.tenant_names() if t != "default"]],
            "destinations": list(base.destination_names()),
            "review": review,
            "mode": base.mode,
        }
    )


async def playground(request: Request) -> Response:
    console, user = _user(request)
    data = await _body(request, user)
    sample = parse_sample(_str(data, "input", "") or "", _str(data, "format", "auto") or "auto")
    effective, source = _effective(console, data)
    result = await anyio.to_thread.run_sync(
        run_preview, effective, sample, console.playground_keys, _lookup(console, effective)
    )
    decision = result["decision"]
    console.audit_action(
        user, "detect", tenant_label(effective.tenant), entity_counts=result["counts"], purpose=PLAYGROUND,
        decision=decision["action"], mode="observe" if decision["observe"] else "enforce",
    )  # fmt: skip
    review = effective.review.model_dump() if effective.review else None
    result["policy"] = {
        "source": source,
        "tenant": tenant_label(effective.tenant),
        "tenants": ["default", *[t for t in _tenants(console, data) if t != "default"]],
        "destinations": list(effective.destination_names()),
        "mode": effective.mode,
        "review": review,
    }
    return JSONResponse(result)


def _tenants(console: Console, data: dict[str, Any]) -> tuple[str, ...]:
    draft = _str(data, "policy")
    return (console.drafts.get(draft) if draft else console.policy).tenant_names()


async def turns(request: Request) -> Response:
    console, user = _user(request)
    data = await _body(request, user)
    items = data.get("turns")
    if not isinstance(items, list) or not all(isinstance(t, str) for t in items):
        raise InputError("field 'turns' must be a list of strings")
    effective, _ = _effective(console, data)
    wanted = data.get("destinations") or list(effective.destination_names())[:2]
    if not isinstance(wanted, list) or not all(isinstance(d, str) for d in wanted) or len(wanted) > 8:
        raise InputError("field 'destinations' must be a list of up to 8 destination names")
    result = await anyio.to_thread.run_sync(
        run_turns, effective, items, wanted, console.playground_keys, _lookup(console, effective)
    )
    counts: dict[str, int] = {}
    for turn in result["turns"]:
        for e in turn["entities"]:
            counts[e["type"]] = counts.get(e["type"], 0) + 1
    console.audit_action(
        user, "detect", tenant_label(effective.tenant), entity_counts=counts, purpose=PLAYGROUND
    )
    return JSONResponse(result)


async def playground_queue(request: Request) -> Response:
    """Queue the playground sample's review-band detections (masked), e.g. to try the review flow."""
    console, user = _user(request, "reviewer")
    data = await _body(request, user)
    sample = parse_sample(_str(data, "input", "") or "", "text")
    effective, _ = _effective(console, data)

    def queue() -> tuple[int, dict[str, int]]:
        found = effective.detector().detect(sample)
        band = [e for e in found if in_review_band(effective, e)]
        counts: dict[str, int] = {}
        for e in band:
            counts[e.type] = counts.get(e.type, 0) + 1
        return console.enqueue_reviews(effective, [sample], [found], source="playground"), counts

    queued, counts = await anyio.to_thread.run_sync(queue)
    console.audit_action(
        user, "review", tenant_label(effective.tenant), entity_counts=counts, decision="review",
        reason="policy_review", purpose=PLAYGROUND,
    )  # fmt: skip
    return JSONResponse({"queued": queued, "in_band": sum(counts.values())})


def _int(request: Request, key: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(key)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise InputError(f"query parameter {key!r} must be an integer") from None
    if not lo <= value <= hi:
        raise InputError(f"query parameter {key!r} must lie between {lo} and {hi}")
    return value


async def dashboard(request: Request) -> Response:
    console, _ = _user(request)
    minutes = _int(request, "minutes", 60, 1, 24 * 60)
    bucket = _int(request, "bucket", 60, 5, 3600)
    if minutes * 60 // bucket > 720:
        raise InputError("at most 720 buckets: choose a larger bucket or a shorter window")

    def build() -> dict[str, Any]:
        stats = console.reviews.stats()
        return dashboard_data(
            console.metrics, audit=console.audit, now=time.time(), minutes=minutes, bucket_seconds=bucket,
            review=stats,
        )  # fmt: skip

    return JSONResponse(await anyio.to_thread.run_sync(build))


async def review_items(request: Request) -> Response:
    console, _ = _user(request, "reviewer")
    status = request.query_params.get("status", "pending")
    if status not in ("pending", "correct", "false_positive", "all"):
        raise InputError("status must be pending, correct, false_positive or all")
    tenant = request.query_params.get("tenant") or None

    def load() -> dict[str, Any]:
        items = console.reviews.items(None if status == "all" else status, tenant)
        return {"items": [i.as_dict() for i in items], "stats": console.reviews.stats()}

    return JSONResponse(await anyio.to_thread.run_sync(load))


async def decide_review(request: Request) -> Response:
    console, user = _user(request, "reviewer")
    data = await _body(request, user)
    verdict = _str(data, "verdict") or ""
    item_id = int(request.path_params["item_id"])

    def decide() -> dict[str, Any]:
        item = console.reviews.get(item_id)
        if item.status != "pending":
            raise InputError(f"review item {item_id} was already decided")
        if verdict not in ("correct", "false_positive"):
            raise InputError("verdict must be correct or false_positive")
        console.audit_action(
            user, "review", item.tenant, entity_counts={item.entity_type: 1}, reason="policy_review",
            decision="allow" if verdict == "false_positive" else "review",
            purpose="review_false_positive" if verdict == "false_positive" else "review_confirmed",
        )  # fmt: skip
        return console.reviews.decide(item_id, verdict, user.name).as_dict()

    return JSONResponse(await anyio.to_thread.run_sync(decide))


def _when(source: Mapping[str, Any], key: str) -> datetime | None:
    raw = source.get(key)
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"query parameter {key!r} must be an ISO date and time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _filters(source: Mapping[str, Any]) -> dict[str, Any]:
    from coatcheck.audit import ACTIONS

    action = source.get("action") or None
    if action is not None and action not in ACTIONS:
        raise InputError(f"unknown audit action; actions: {', '.join(sorted(ACTIONS))}")
    return {
        "tenant": source.get("tenant") or None,
        "action": action,
        "since": _when(source, "since"),
        "until": _when(source, "until"),
    }


async def audit_events(request: Request) -> Response:
    from coatcheck.audit import ACTIONS

    console, _ = _user(request)
    if console.audit is None:
        return JSONResponse({"configured": False, "events": [], "actions": sorted(ACTIONS), "total": 0})
    filters = _filters(request.query_params)
    limit = _int(request, "limit", 200, 1, 5000)
    events = await anyio.to_thread.run_sync(lambda: console.audit.query(**filters))
    shown = [e.as_dict() for e in reversed(events[-limit:])]
    return JSONResponse(
        {"configured": True, "events": shown, "actions": sorted(ACTIONS), "total": len(events)}
    )


async def audit_verify(request: Request) -> Response:
    console, _ = _user(request)
    if console.audit is None:
        return JSONResponse({"configured": False})
    report = await anyio.to_thread.run_sync(console.audit.verify)
    return JSONResponse(
        {
            "configured": True,
            "ok": report.ok,
            "events": report.events,
            "head_sequence": report.head_sequence,
            "first_bad": report.first_bad,
            "problem": report.problem,
            "summary": str(report),
        }
    )


async def audit_export(request: Request) -> Response:
    """JSON lines of the filtered events, as a download (admin; the export itself is audited first)."""
    console, user = _user(request, "admin")
    form = await read_form(request)
    check_csrf(request, str(form.get("csrf_token", "")))
    if console.audit is None:
        raise InputError("no audit log is configured")
    filters = _filters(form)
    events = await anyio.to_thread.run_sync(lambda: console.audit.query(**filters))
    console.audit_action(user, "audit_export", filters["tenant"] or "console", entity_counts={})
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = (json.dumps(e.as_dict(), sort_keys=True) + "\n" for e in events)
    return StreamingResponse(
        lines,
        media_type="application/x-ndjson",
        headers={"content-disposition": f'attachment; filename="coatcheck-audit-{stamp}.jsonl"'},
    )
