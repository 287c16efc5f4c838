"""Person-name and email stand-ins, linked part by part.

Each name part maps on its own (first names to first names of the same gender, last names to last names), keyed
by the part, so "Dr. Sarah Chen", "Dr. Chen", "Sarah" and "sarah.chen@..." all agree everywhere, in every process.
Titles, suffixes, possessives, initials, hyphenated parts and letter case survive.
"""

from __future__ import annotations

import importlib
import re
import string
from dataclasses import dataclass
from functools import lru_cache

from coatcheck.protect._keyed import KeyedRandom
from coatcheck.protect.surrogate.context import SurrogateContext

__all__ = ["NamePools", "email_standin", "guess_gender", "name_pools", "note_person", "person_standin"]

_TITLE_RE = re.compile(
    r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Sir|Dame|Rev|Capt|Lt|Sgt|Nurse|Judge)\.?\s+)+", re.IGNORECASE
)
_SUFFIX_RE = re.compile(r"(?:,?\s+(?:Jr|Sr|II|III|IV|MD|M\.D|PhD|Ph\.D|DDS|RN|Esq)\.?)+$")
_POSSESSIVE_RE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*\.?")
_EMAIL_PART_RE = re.compile(r"[^\W\d_]+|\d+|[^\w]|_")


@dataclass(frozen=True, slots=True)
class NamePools:
    """Name lists of one locale (from Faker's person provider)."""

    male: tuple[str, ...]
    female: tuple[str, ...]
    last: tuple[str, ...]
    male_set: frozenset[str]
    female_set: frozenset[str]


@lru_cache(maxsize=16)
def name_pools(locale: str) -> NamePools:
    """Faker's first and last names for ``locale`` (falls back to en_US for locales without them)."""
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except ImportError:
        provider = importlib.import_module("faker.providers.person.en_US").Provider
    male_all = tuple(getattr(provider, "first_names_male", ()) or getattr(provider, "first_names", ()))
    female_all = tuple(getattr(provider, "first_names_female", ()) or getattr(provider, "first_names", ()))
    male_set = frozenset(n.casefold() for n in male_all)
    female_set = frozenset(n.casefold() for n in female_all)
    # Stand-ins come only from names used for one gender, so the gender of a stand-in is never in doubt.
    male = tuple(n for n in male_all if n.casefold() not in female_set) or male_all
    female = tuple(n for n in female_all if n.casefold() not in male_set) or female_all
    return NamePools(male, female, tuple(getattr(provider, "last_names", ())), male_set, female_set)


def guess_gender(first_name: str, locale: str = "en_US") -> str:
    """``"F"``, ``"M"`` or ``""`` (unknown or used for both), from Faker's gendered first-name lists."""
    folded = first_name.casefold()
    for pools in (name_pools(locale), name_pools("en_US")):
        female, male = folded in pools.female_set, folded in pools.male_set
        if female != male:
            return "F" if female else "M"
    return ""


def _is_first_name(word: str, locale: str) -> bool:
    folded = word.casefold()
    return any(folded in p.male_set or folded in p.female_set for p in (name_pools(locale), name_pools("en_US")))


def _case_like(original: str, standin: str) -> str:
    letters = original.rstrip(".")
    if len(letters) > 1 and letters.isupper():
        return standin.upper()
    if letters.islower():
        return standin.lower()
    return standin


@dataclass(frozen=True, slots=True)
class _Parsed:
    prefix: str
    core: str
    suffix: str
    units: tuple[tuple[re.Match[str], ...], ...]
    roles: tuple[str, ...]


def _parse(value: str, sctx: SurrogateContext, locale: str) -> _Parsed:
    title = _TITLE_RE.match(value)
    prefix = title.group(0) if title else ""
    rest = value[len(prefix) :]
    possessive = _POSSESSIVE_RE.search(rest)
    end = possessive.start() if possessive else len(rest)
    tail = _SUFFIX_RE.search(rest[:end])
    if tail:
        end = tail.start()
    core, suffix = rest[:end], rest[end:]
    units: list[list[re.Match[str]]] = []
    last_end = -1
    for match in _WORD_RE.finditer(core):
        if units and core[last_end : match.start()] == "-":
            units[-1].append(match)
        else:
            units.append([match])
        last_end = match.end()
    frozen = tuple(tuple(u) for u in units)
    return _Parsed(prefix, core, suffix, frozen, _roles(frozen, "," in core, bool(prefix), sctx, locale))


def _is_initial(match: re.Match[str]) -> bool:
    return len(match.group(0).rstrip(".")) == 1


def _roles(
    units: tuple[tuple[re.Match[str], ...], ...], comma: bool, titled: bool, sctx: SurrogateContext, locale: str
) -> tuple[str, ...]:
    if len(units) >= 2:
        if comma:
            return ("last", *("first",) * (len(units) - 1))
        return ("first", *("first",) * (len(units) - 2), "last")
    if not units:
        return ()
    word = units[0][0].group(0).rstrip(".")
    known = sctx.role_of(word)
    if known is not None:
        return (known,)
    return ("last",) if titled or not _is_first_name(word, locale) else ("first",)


def _component(key: bytes, sctx: SurrogateContext, locale: str, role: str, gender: str, word: str) -> str:
    pools = name_pools(locale)
    if role == "last":
        pool = pools.last
    else:
        pool = pools.female if gender == "F" else pools.male if gender == "M" else pools.male + pools.female
    norm = word.casefold()
    return sctx.linked(
        f"name:{role}", norm, lambda attempt: KeyedRandom(key, "PERSON", role, gender, norm, str(attempt)).choice(pool)
    )


def note_person(value: str, sctx: SurrogateContext, locale: str) -> set[str]:
    """Record the roles of the parts of a full name; return its case-folded parts (real values)."""
    parsed = _parse(value, sctx, locale)
    parts: set[str] = set()
    for unit, role in zip(parsed.units, parsed.roles, strict=True):
        for match in unit:
            word = match.group(0).rstrip(".")
            parts.add(word.casefold())
            if len(parsed.units) >= 2 and len(word) > 1:
                sctx.note_role(word, role)
    return parts


def person_standin(value: str, key: bytes, sctx: SurrogateContext, locale: str) -> str:
    """The linked stand-in of a person's name, keeping title, suffix, possessive, initials and case."""
    parsed = _parse(value, sctx, locale)
    if not parsed.units:
        return value
    gender = ""
    for unit, role in zip(parsed.units, parsed.roles, strict=True):
        if role == "first" and not _is_initial(unit[0]):
            gender = guess_gender(unit[0].group(0), locale)
            break
    pairs = zip(parsed.units, parsed.roles, strict=True)
    anchor = "-".join(m.group(0).casefold() for unit, role in pairs if role == "last" for m in unit)
    out: list[str] = []
    pos = 0
    mapped_first: str | None = None
    initial_letter: str | None = None
    for unit, role in zip(parsed.units, parsed.roles, strict=True):
        for match in unit:
            out.append(parsed.core[pos : match.start()])
            word = match.group(0)
            dot = "." if word.endswith(".") else ""
            bare = word.rstrip(".")
            if len(bare) == 1:
                real = bare.upper()
                if initial_letter is None and role == "first":
                    initial_letter = real
                letter = sctx.recall(f"initial:{anchor}", real) or KeyedRandom(key, "initial", role, real).choice(
                    string.ascii_uppercase
                )
                out.append((letter if bare.isupper() else letter.lower()) + dot)
            else:
                standin = _component(key, sctx, locale, role, gender, bare)
                if role == "first" and mapped_first is None:
                    mapped_first = bare
                    if anchor:
                        sctx.remember(f"initial:{anchor}", bare[0].upper(), standin[0].upper())
                out.append(_case_like(bare, standin) + dot)
            pos = match.end()
    out.append(parsed.core[pos:])
    return parsed.prefix + "".join(out) + parsed.suffix


def _email_word(key: bytes, sctx: SurrogateContext, locale: str, word: str, position: int) -> str:
    folded = word.casefold()
    role = sctx.role_of(folded)
    if role is None and position == 0 and _is_first_name(folded, locale):
        role = "first"
    if role is None and len(folded) > 2 and sctx.role_of(folded[1:]) == "last":
        initial = sctx.recall(f"initial:{folded[1:]}", folded[0].upper()) or folded[0]
        return initial.lower() + _component(key, sctx, locale, "last", "", folded[1:]).lower()
    if role is not None:
        gender = guess_gender(folded, locale) if role == "first" else ""
        return _component(key, sctx, locale, role, gender, folded).lower()
    if len(folded) == 1:
        return KeyedRandom(key, "email-initial", folded).choice(string.ascii_lowercase)
    return _component(key, sctx, locale, "last", "", folded).lower()


def email_standin(value: str, key: bytes, sctx: SurrogateContext, locale: str, domain: str | None) -> str:
    """An email built from the stand-ins of the name parts in its local part; the domain kept or replaced."""
    local, _, real_domain = value.rpartition("@")
    out: list[str] = []
    words = 0
    for match in _EMAIL_PART_RE.finditer(local):
        part = match.group(0)
        if part.isdigit():
            out.append(KeyedRandom(key, "email-digits", part).digits(len(part)))
        elif part[0].isalpha():
            out.append(_case_like(part, _email_word(key, sctx, locale, part, words)))
            words += 1
        else:
            out.append(part)
    return "".join(out) + "@" + (domain if domain is not None else real_domain)
