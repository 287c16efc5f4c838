"""Sample files for trying a policy: one text per line, or JSON lines (texts or records, with a tenant)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coatcheck.errors import InputError

__all__ = ["Sample", "iter_samples", "read_samples"]

_TEXT_KEYS = frozenset({"text", "tenant", "id"})
_RECORD_KEYS = frozenset({"record", "tenant", "id"})


@dataclass(frozen=True, slots=True)
class Sample:
    """One sample: a text or a record, the line it came from and, optionally, the tenant it belongs to."""

    line: int
    data: Any = field(repr=False)
    tenant: str | None = None
    id: str | None = None

    @property
    def label(self) -> str:
        """How reports name the sample (its id, else its line): never its content."""
        return self.id if self.id is not None else f"line {self.line}"


def _from_json(obj: Any, line: int, source: str) -> Sample:
    if not isinstance(obj, dict):
        return Sample(line, obj)
    keys = set(obj)
    if "text" in obj and keys <= _TEXT_KEYS:
        data = obj["text"]
        if not isinstance(data, str):
            raise InputError(f"{source}, line {line}: 'text' must be a string")
    elif "record" in obj and keys <= _RECORD_KEYS:
        data = obj["record"]
    else:
        return Sample(line, obj)
    tenant, ident = obj.get("tenant"), obj.get("id")
    if tenant is not None and not isinstance(tenant, str):
        raise InputError(f"{source}, line {line}: 'tenant' must be a string")
    return Sample(line, data, tenant, None if ident is None else str(ident))


def iter_samples(lines: Iterator[str] | list[str], source: str = "<samples>") -> Iterator[Sample]:
    """Parse sample lines; blank lines are skipped.

    A line starting with ``{`` or ``[`` is JSON: ``{"text": ..., "tenant": ...}``, ``{"record": {...},
    "tenant": ...}`` or any other object or list, taken as a record. Anything else is a text.

    Raises:
        InputError: invalid JSON; the message names the line and column.
    """
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if line.lstrip()[:1] in ("{", "["):
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{source}, line {number}: invalid JSON ({exc.msg} at column {exc.colno})") from None
            yield _from_json(obj, number, source)
        else:
            yield Sample(number, line)


def read_samples(path: str | os.PathLike[str]) -> list[Sample]:
    """Every sample of a file (see `iter_samples`)."""
    source = os.fspath(path)
    try:
        with Path(source).open(encoding="utf-8") as stream:
            return list(iter_samples(iter(stream), source))
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read the samples ({exc.strerror or type(exc).__name__})") from None
