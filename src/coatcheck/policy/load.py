"""Load a policy from YAML, with errors that name the file, the line, what is wrong and what is allowed."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path as FilePath
from typing import Any

from pydantic import ValidationError

from coatcheck.errors import PolicyError
from coatcheck.policy._types import BUILTIN_DESTINATIONS
from coatcheck.policy._yaml import Located, Path, load_yaml
from coatcheck.policy.model import Policy, _kind_of

__all__ = ["load_policy", "loads_policy", "parse_policy", "policy_schema"]

_EXPECTED = {
    "float_type": "a number",
    "int_type": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
}
# Keys of a deny list are values of the data itself (value -> type): never shown in messages.
_VALUE_PARENT: Path = ("detection", "deny")


def load_policy(path: str | os.PathLike[str] | None) -> Policy:
    """Read and validate a policy file; ``None`` gives `Policy.default()`.

    Raises:
        PolicyError: unreadable file, invalid YAML or an invalid policy; each problem on its own line as
            ``FILE:LINE: path: message``.
    """
    if path is None:
        return Policy.default()
    source = os.fspath(path)
    try:
        text = FilePath(source).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise PolicyError(f"{source}: cannot read the policy file ({exc.strerror or type(exc).__name__})") from None
    return loads_policy(text, source)


def loads_policy(text: str, source: str = "<policy>") -> Policy:
    """Validate a policy given as YAML text; ``source`` names it in errors."""
    located = load_yaml(text, source)
    return _validate(located)


def parse_policy(data: Mapping[str, Any], source: str = "<policy>") -> Policy:
    """Validate a policy given as plain data (as from JSON); errors name the path but no line."""
    return _validate(Located(dict(data), {}, source), with_lines=False)


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of policy files, generated from the same model that validates them (for editors)."""
    schema = Policy.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "coatcheck policy"
    schema.setdefault("description", "")
    schema["description"] += f"\n\nBuilt-in destinations: {', '.join(BUILTIN_DESTINATIONS)}."
    json.dumps(schema)  # fail here, not in an editor, if anything is not JSON
    return schema


def _validate(located: Located, with_lines: bool = True) -> Policy:
    try:
        return Policy.model_validate(located.data)
    except ValidationError as exc:
        problems = sorted(_problems(exc, located))
        text = "\n".join(
            f"{located.source}:{line}: {where}: {message}" if with_lines else f"{located.source}: {where}: {message}"
            for line, where, message in problems
        )
        raise PolicyError(text) from None


def _problems(exc: ValidationError, located: Located) -> set[tuple[int, str, str]]:
    out = set()
    for error in exc.errors(include_url=False, include_input=True):
        context = error.get("ctx") or {}
        path = (*_data_path(error["loc"], located.data), *context.get("at", ()))
        message = _message(error)
        if error["type"] == "missing":
            message = f"required field {error['loc'][-1]!r} is missing"
        out.add((located.line_of(path), _display(path), message))
    return out


def _data_path(loc: tuple[int | str, ...], data: Any) -> Path:
    """Follow pydantic's location through the data, skipping its own labels (``[key]``, union members)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
            path.append(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            path.append(part)
    return tuple(path)


def _message(error: Any) -> str:
    expected = _EXPECTED.get(error["type"])
    if expected is not None:
        return f"expected {expected}, got {_kind_of(error.get('input'))}"
    context = error.get("ctx") or {}
    return str(context.get("message") or error["msg"])


def _display(path: Path) -> str:
    if not path:
        return "policy"
    parts: list[str] = []
    for index, part in enumerate(path):
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif path[max(0, index - 2) : index] == _VALUE_PARENT:
            parts.append(".<value>")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts)
