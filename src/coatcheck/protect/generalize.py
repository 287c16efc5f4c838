"""generalize: keep a coarser, less identifying version of a value (year of a date, 10-year age band...)."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field

from coatcheck.protect._dates import parse_date
from coatcheck.protect.base import Operator, Params, Scope
from coatcheck.protect.placeholders import placeholder_alias

__all__ = ["GENERALIZE", "GENERALIZE_TYPES", "GeneralizeParams", "generalize_value"]

GENERALIZE_TYPES = frozenset({"DATE_OF_BIRTH", "DATE_TIME", "AGE", "ZIP_CODE", "IP_ADDRESS"})
_NUMBER = re.compile(r"\d{1,3}")


class GeneralizeParams(Params):
    """Parameters of generalize.

    Attributes:
        date: keep the ``year`` or the ``month`` of a date.
        age_band: width of age bands (10: ``42`` -> ``40-49``).
        zip_digits: leading ZIP digits kept.
        ipv4_prefix: network prefix kept for IPv4 (24 -> ``203.0.113.0/24``).
        ipv6_prefix: network prefix kept for IPv6.
    """

    date: Literal["year", "month"] = "year"
    age_band: int = Field(default=10, ge=2, le=50)
    zip_digits: int = Field(default=3, ge=1, le=5)
    ipv4_prefix: int = Field(default=24, ge=8, le=32)
    ipv6_prefix: int = Field(default=48, ge=16, le=128)


def generalize_value(entity_type: str, value: str, params: GeneralizeParams) -> str | None:
    """The generalized value, or None when ``value`` cannot be read as ``entity_type``."""
    if entity_type in {"DATE_OF_BIRTH", "DATE_TIME"}:
        parsed = parse_date(value)
        if parsed is None:
            return None
        if params.date == "year":
            return str(parsed.date.year)
        return parsed.render_month(parsed.date)
    if entity_type == "AGE":
        match = _NUMBER.search(value)
        if match is None or int(match.group()) > 130:
            return None
        low = int(match.group()) // params.age_band * params.age_band
        band = f"{low}-{low + params.age_band - 1}"
        return value[: match.start()] + band + value[match.end() :]
    if entity_type == "ZIP_CODE":
        digits = "".join(ch for ch in value if ch.isdigit())
        return digits[: params.zip_digits] if len(digits) >= params.zip_digits else None
    if entity_type == "IP_ADDRESS":
        try:
            address = ipaddress.ip_address(value.strip().strip("[]"))
        except ValueError:
            return None
        prefix = params.ipv4_prefix if address.version == 4 else params.ipv6_prefix
        return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
    return None


def _generalize(value: str, scope: Scope, params: GeneralizeParams) -> str:
    out = generalize_value(scope.entity.type, value, params)
    # Unreadable or unsupported values fail closed: an unnumbered placeholder, never the raw value.
    return out if out is not None else f"[{placeholder_alias(scope.entity.type)}]"


GENERALIZE: Operator[GeneralizeParams] = Operator("generalize", GeneralizeParams, _generalize, types=GENERALIZE_TYPES)
