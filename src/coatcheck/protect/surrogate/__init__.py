"""surrogate: realistic, keyed, linked stand-ins ("Dr. Sarah Chen" -> "Dr. Emily Brown", later "Dr. Brown").

Every choice is ``HMAC(derive(tenant, "surrogate"), type + normalized value)``: two processes or machines with
the same key pick the same stand-in with no shared state. A `SurrogateContext` links the mentions of one
document or conversation and guarantees a stand-in never equals a real value seen there.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from coatcheck.detect.types import Entity
from coatcheck.protect._formats import shape_preserving
from coatcheck.protect._keyed import KeyedRandom
from coatcheck.protect._normalize import normalize_value
from coatcheck.protect.base import Document, Operator, Params, Scope
from coatcheck.protect.surrogate.context import SurrogateContext
from coatcheck.protect.surrogate.names import email_standin, note_person, person_standin
from coatcheck.protect.surrogate.values import GENERATORS, faker_value, shift_date

if TYPE_CHECKING:
    from coatcheck.protect.context import ProtectContext

__all__ = ["SURROGATE", "SurrogateContext", "SurrogateParams"]

_DATES = frozenset({"DATE_OF_BIRTH", "DATE_TIME"})
_LAST_WORD = re.compile(r"([^\W\d_]+)(?:['’]s?)?\W*$")


class SurrogateParams(Params):
    """Parameters of surrogate.

    Attributes:
        locale: Faker locale of the stand-ins (default: the context's, ``en_US``).
        email_domain: ``keep`` the real domain or ``replace`` it by a consistent fake one.
        date_shift_days: dates move by a keyed, per-person offset of 1 to this many days, either way.
        consistency: structured data only: one linked context for all records (False: one per record).
    """

    locale: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")
    email_domain: Literal["keep", "replace"] = "keep"
    date_shift_days: int = Field(default=365, ge=1, le=3650)
    consistency: bool = True


def _prepare(doc: Document, ctx: ProtectContext, params: SurrogateParams) -> None:
    sctx = ctx.surrogates
    locale = params.locale or ctx.locale
    sctx.note_real(doc.real_values)
    persons = [e for e in doc.entities if e.type == "PERSON"]
    if not persons:
        return
    parts: set[str] = set()
    for entity in persons:
        parts |= note_person(doc.value(entity), sctx, locale)
    sctx.note_real(parts)
    key = ctx.key("surrogate")
    # Full names first, so a partial mention or an initial earlier in the text links to them.
    for entity in sorted(persons, key=lambda e: -len(doc.value(e).split())):
        person_standin(doc.value(entity), key, sctx, locale)


def _person_key(doc: Document, entity: Entity, sctx: SurrogateContext) -> str:
    owner = ""
    for other in doc.entities:
        if other.start >= entity.start:
            break
        if other.type == "PERSON":
            match = _LAST_WORD.search(doc.value(other))
            owner = match.group(1).casefold() if match else ""
    return owner or (sctx.subject or "")


def _date_offset(key: bytes, person: str, limit: int) -> int:
    rng = KeyedRandom(key, "date-shift", person)
    days = rng.between(1, limit)
    return days if rng.below(2) else -days


def _surrogate(value: str, scope: Scope, params: SurrogateParams) -> str:
    ctx = scope.ctx
    key = ctx.key("surrogate")
    sctx = ctx.surrogates
    locale = params.locale or ctx.locale
    etype = scope.entity.type
    if etype == "PERSON":
        return person_standin(value, key, sctx, locale)
    if etype == "EMAIL_ADDRESS" and "@" in value:
        domain = value.rpartition("@")[2]
        fake_domain = None
        if params.email_domain == "replace":
            fake_domain = faker_value(locale, KeyedRandom(key, "domain", domain.casefold()).seed(), "domain_name")
        base = email_standin(value, key, sctx, locale, fake_domain)

        def make_email(attempt: int) -> str:
            if attempt == 0:
                return base
            local, _, dom = base.rpartition("@")
            return f"{local}{KeyedRandom(key, 'email-n', value.casefold(), str(attempt)).digits(2)}@{dom}"

        return sctx.linked("value:EMAIL_ADDRESS", value.casefold(), make_email)
    norm = normalize_value(etype, value)
    person = _person_key(scope.doc, scope.entity, sctx) if etype in _DATES else ""
    generator = GENERATORS.get(etype)

    def make(attempt: int) -> str:
        rng = KeyedRandom(key, "surrogate", etype, norm, str(attempt))
        if etype in _DATES:
            shifted = shift_date(value, _date_offset(key, person, params.date_shift_days) + attempt)
            if shifted is not None:
                return shifted
        elif generator is not None:
            made = generator(value, rng, locale, key)
            if made is not None:
                return made
        return shape_preserving(value, rng)

    return sctx.linked(f"value:{etype}:{person}", value, make, reject=lambda c: c.casefold() in scope.doc.real_values)


SURROGATE: Operator[SurrogateParams] = Operator("surrogate", SurrogateParams, _surrogate, keyed=True, prepare=_prepare)
