"""Which fields of each API can carry personal data, and the walk that finds every one of them.

Every endpoint lists its top-level fields: control fields (model, temperature, ...) pass unchanged, data fields
are walked and every string in them is scanned, except a short list of structural keys (``role``, ``type``,
ids) and binary payloads (``data:`` URLs, base64). An unknown top-level field is refused: coatcheck never
forwards what it does not know how to scan. Walk order follows the request (system, tools, then messages in
order), so replaying a conversation numbers its placeholders the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from coatcheck.gateway._http import Rejected, Style

__all__ = ["ENDPOINTS", "Endpoint", "Walk", "collect", "json_mode_content", "restore_body"]

StreamKind = Literal["chat", "completions", "responses", "anthropic", "none"]

# Keys whose string values are identifiers or enums, never data (scanning them would break the request).
STRUCTURAL = frozenset(
    "role type id tool_call_id call_id tool_use_id item_id detail format media_type signature status object voice "
    "required $ref $schema $id pattern model finish_reason stop_reason system_fingerprint service_tier "
    "encrypted_content logprobs obfuscation response_id previous_response_id".split()
)
_JSON_KEYS = frozenset({"arguments"})
_BASE64 = re.compile(r"[A-Za-z0-9+/=_\-\r\n]{256,}")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One API endpoint: its fields, its error style and how its stream is shaped."""

    path: str
    style: Style
    control: frozenset[str]
    data: tuple[str, ...]
    destination: str = "llm"
    restore: bool = True
    stream: StreamKind = "none"
    refused: frozenset[str] = frozenset()


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SAMPLING = "model stream stream_options temperature top_p seed service_tier "
ENDPOINTS: dict[str, Endpoint] = {
    e.path: e
    for e in (
        Endpoint(
            "/v1/chat/completions",
            "openai",
            _names(
                _SAMPLING + "n max_tokens max_completion_tokens presence_penalty frequency_penalty logit_bias "
                "logprobs top_logprobs parallel_tool_calls tool_choice function_call modalities audio "
                "reasoning_effort verbosity store"
            ),
            tuple(
                "tools functions response_format messages prediction stop user safety_identifier "
                "prompt_cache_key metadata web_search_options".split()
            ),
            stream="chat",
        ),
        Endpoint(
            "/v1/completions",
            "openai",
            _names(_SAMPLING + "n max_tokens presence_penalty frequency_penalty logit_bias logprobs best_of echo"),
            ("prompt", "suffix", "stop", "user"),
            stream="completions",
        ),
        Endpoint(
            "/v1/responses",
            "openai",
            _names(
                _SAMPLING + "max_output_tokens max_tool_calls parallel_tool_calls tool_choice reasoning store "
                "truncation top_logprobs include background"
            ),
            tuple("instructions tools text input prompt user safety_identifier prompt_cache_key metadata".split()),
            stream="responses",
            refused=_names("previous_response_id conversation"),
        ),
        Endpoint(
            "/v1/embeddings",
            "openai",
            _names("model dimensions encoding_format"),
            ("input", "user"),
            destination="embeddings",
            restore=False,
        ),
        Endpoint(
            "/v1/messages",
            "anthropic",
            _names("model max_tokens stream temperature top_k top_p tool_choice thinking service_tier"),
            ("system", "tools", "messages", "stop_sequences", "metadata"),
            stream="anthropic",
        ),
    )
}


@dataclass(slots=True)
class Walk:
    """The strings found in a request, in order, and where to put their protected forms back."""

    texts: list[str] = field(default_factory=list)
    _slots: list[tuple[Any, Any]] = field(default_factory=list)
    _fixups: list[Callable[[], None]] = field(default_factory=list)

    def add(self, parent: Any, key: Any, text: str) -> None:
        self.texts.append(text)
        self._slots.append((parent, key))

    def write(self, protected: list[str]) -> None:
        """Put the protected texts back in place and re-serialize JSON-string fields."""
        for (parent, key), text in zip(self._slots, protected, strict=True):
            parent[key] = text
        for fixup in reversed(self._fixups):
            fixup()

    @property
    def chars(self) -> int:
        return sum(len(t) for t in self.texts)


def _binary(text: str) -> bool:
    return text.startswith("data:") or (len(text) >= 256 and _BASE64.fullmatch(text) is not None)


def _walk(node: Any, walk: Walk, parent_has_role: bool = False) -> None:
    if isinstance(node, dict):
        has_role = "role" in node
        for key, value in node.items():
            if isinstance(value, str):
                if key in STRUCTURAL or (key == "name" and not has_role) or not value or _binary(value):
                    continue
                if key in _JSON_KEYS:
                    _json_string(node, key, value, walk)
                else:
                    walk.add(node, key, value)
            elif isinstance(value, dict | list):
                _walk(value, walk, has_role)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, str):
                if value and not _binary(value):
                    walk.add(node, index, value)
            elif isinstance(value, dict | list):
                _walk(value, walk, parent_has_role)


def _json_string(parent: dict[str, Any], key: str, value: str, walk: Walk) -> None:
    try:
        parsed = json.loads(value)
    except ValueError:
        walk.add(parent, key, value)  # not JSON (a truncated call): placeholders are JSON-safe anyway
        return
    if isinstance(parsed, str):
        walk.add(parent, key, value)
        return
    if not isinstance(parsed, dict | list):
        return

    def fixup() -> None:
        parent[key] = json.dumps(parsed, ensure_ascii=False)

    holder = [parsed]
    _walk(holder, walk)
    walk._fixups.append(fixup)


def _token_ids(value: Any) -> bool:
    if isinstance(value, list):
        return any(isinstance(v, int) or (isinstance(v, list) and v and isinstance(v[0], int)) for v in value)
    return False


def collect(endpoint: Endpoint, body: dict[str, Any]) -> Walk:
    """Check the top-level fields and find every string that can carry personal data.

    Raises:
        Rejected: an unknown or refused field, or input that cannot be scanned (token ids).
    """
    for key in body:
        if key in endpoint.refused:
            raise Rejected(
                400,
                f"field {key!r} is not supported through coatcheck: it makes the provider keep conversation "
                "state coatcheck cannot protect; send the full input instead",
            )
        if key not in endpoint.control and key not in endpoint.data:
            raise Rejected(
                400,
                f"unknown field {key!r} for {endpoint.path}: coatcheck forwards only fields it knows how to scan",
            )
    for key in ("prompt", "input"):
        if endpoint.path in ("/v1/completions", "/v1/embeddings") and _token_ids(body.get(key)):
            raise Rejected(400, f"field {key!r} holds token ids, which coatcheck cannot scan; send text")
    walk = Walk()
    for key in endpoint.data:
        if key not in body:
            continue
        value = body[key]
        if isinstance(value, str):
            if value and not _binary(value):
                walk.add(body, key, value)
        elif isinstance(value, dict | list):
            _walk(value, walk)
    return walk


def json_mode_content(endpoint: Endpoint, body: dict[str, Any]) -> bool:
    """Whether the answer's text is JSON (structured output), so restored values must be JSON-escaped."""
    fmt: Any = body.get("response_format") if endpoint.stream == "chat" else None
    if endpoint.stream == "responses":
        text = body.get("text")
        fmt = text.get("format") if isinstance(text, dict) else None
    return isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema")


def restore_body(node: Any, restore: Callable[[str, bool], str], json_content: bool = False) -> Any:
    """Restore every data string of a response body in place (tool arguments and JSON content JSON-escaped)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                if key in STRUCTURAL or key == "name" or not value or _binary(value):
                    continue
                json_string = key in _JSON_KEYS or key == "partial_json" or (json_content and key == "text")
                json_string = json_string or (json_content and key == "content")
                node[key] = restore(value, json_string)
            elif isinstance(value, dict | list):
                restore_body(value, restore, json_content)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, str) and value:
                node[index] = restore(value, False)
            elif isinstance(value, dict | list):
                restore_body(value, restore, json_content)
    return node
