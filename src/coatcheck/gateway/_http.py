"""Request limits, strict JSON and the error bodies clients understand (OpenAI and Anthropic shapes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse

from coatcheck.errors import InputError

__all__ = ["Rejected", "Style", "dump_json", "error_response", "parse_json", "read_body"]

Style = Literal["openai", "anthropic"]


class Rejected(InputError):  # noqa: N818 - a refusal, not a malfunction
    """A request the gateway refuses before anything goes upstream; carries the HTTP status and error type."""

    def __init__(
        self, status: int, message: str, kind: str = "invalid_request_error", entity_types: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.entity_types = tuple(entity_types)


def error_response(
    style: Style, status: int, kind: str, message: str, entity_types: Sequence[str] | None = None
) -> JSONResponse:
    """An error in the shape the client's SDK parses; ``entity_types`` only for policy violations."""
    error: dict[str, Any] = {"type": kind, "message": message}
    if entity_types is not None:
        error["entity_types"] = list(entity_types)
    if style == "anthropic":
        return JSONResponse({"type": "error", "error": error}, status_code=status)
    error.update({"param": None, "code": kind})
    return JSONResponse({"error": error}, status_code=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refusing more than ``limit`` bytes without reading past it (413)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Rejected(400, "invalid Content-Length header")
        if int(declared) > limit:
            raise Rejected(413, f"request body of {declared} bytes exceeds the {limit}-byte limit", "request_too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Rejected(413, f"request body exceeds the {limit}-byte limit", "request_too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Rejected(400, f"invalid JSON: duplicate key {key!r} in one object")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise Rejected(400, f"invalid JSON: {name} is not a JSON number")


def _depth(value: Any, limit: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise Rejected(400, f"JSON nesting deeper than {limit} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))


def parse_json(raw: bytes, max_depth: int) -> dict[str, Any]:
    """A JSON object from UTF-8 bytes; duplicate keys, NaN, deep nesting and bad UTF-8 are 400s."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(400, f"request body is not valid UTF-8 (byte offset {exc.start})") from None
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise Rejected(400, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise Rejected(400, f"JSON nesting deeper than {max_depth} levels") from None
    if not isinstance(data, dict):
        raise Rejected(400, "the request body must be a JSON object")
    _depth(data, max_depth)
    return data


def dump_json(data: Any) -> bytes:
    """Compact UTF-8 JSON; a lone surrogate (``\\ud800`` escapes) cannot be encoded and is a 400."""
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        raise Rejected(400, "invalid JSON string: an unpaired \\u surrogate escape") from None
