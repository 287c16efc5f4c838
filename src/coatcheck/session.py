"""Redact -> restore for one conversation: the core the gateway and the SDK integrations share.

A `Session` protects the texts of one request, then restores the model's answer. Consistency needs no
conversation id: clients resend the whole history with every turn, and a session numbers placeholders in order
of first appearance over the texts it is given, so replaying the same history gives the same placeholders. Each
request is self-consistent by construction, which is all a stateless model ever sees; nothing is stored.

Restoring is deliberately narrow: only placeholders this session minted come back, so a user who types
``[EMAIL_1]``, or a model that emits a placeholder from another request or tenant, gets the text unchanged.
For minted placeholders the usual model edits are tolerated (``[email_1]``, ``EMAIL_1``, ``**[EMAIL_1]**``,
``EMAIL\\_1``). Restoring is one pass: a restored value that looks like a placeholder is never expanded again.

Personal data in the answer that was not in the request follows the policy's response rule (default: redact).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from coatcheck.detect.types import Entity
from coatcheck.entities import ENTITY_TYPES
from coatcheck.errors import PolicyViolation
from coatcheck.protect import (
    Document,
    KeyMaterial,
    MethodSpec,
    MethodTable,
    ProtectContext,
    Scope,
    configure_method,
    configure_methods,
    protect_text,
)
from coatcheck.protect.placeholders import placeholder_alias
from coatcheck.protect.registry import MethodsLike, SpecLike

__all__ = ["DetectorLike", "Session", "StreamRestorer"]

_CONTEXT_CHARS = 48  # released text kept as detection context for the next segment of a stream
_MAX_HOLD = 200  # the response scanner never holds back more than this many characters
_NUMBER = r"[1-9][0-9]{0,8}"
_WORD_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_\\")
_NAME_PARTICLES = frozenset({"de", "del", "der", "da", "di", "du", "van", "von", "la", "le", "bin", "al", "&"})


class DetectorLike(Protocol):
    """What a session needs from a detector (`coatcheck.detect.engine.Detector` satisfies it)."""

    def detect_batch(self, texts: Iterable[str]) -> list[list[Entity]]: ...


# -- the tolerant placeholder grammar -----------------------------------------------------------------------


def _alias_regex(alias: str, separator: str) -> str:
    return separator.join(re.escape(part) for part in alias.split("_"))


def _full_pattern(aliases: Iterable[str], tokens: Iterable[str] = ()) -> re.Pattern[str]:
    ordered = sorted(set(aliases), key=len, reverse=True)
    branches = []
    exact = sorted(tokens, key=len, reverse=True)
    if exact:
        alternatives = "|".join(re.escape(t) for t in exact)
        branches.append(rf"(?<![A-Za-z0-9])(?-i:(?P<tok>{alternatives}))(?![A-Za-z0-9])")
    if ordered:
        bracketed = "|".join(_alias_regex(a, r"(?:\\?_|[ \-])") for a in ordered)
        bare = "|".join(_alias_regex(a, r"\\?_") for a in ordered)
        branches.append(rf"\\?\[ ?(?P<ba>{bracketed})(?:\\?_|[ \-])(?P<bn>{_NUMBER})(?![0-9])(?: ?\\?\])?")
        branches.append(rf"(?<![A-Za-z0-9_\\])(?P<ua>{bare})\\?_(?P<un>{_NUMBER})(?![0-9])(?:\\?\])?")
    return re.compile("|".join(branches), re.IGNORECASE | re.ASCII)


def _canonical(match: re.Match[str]) -> str:
    token = match.groupdict().get("tok")
    if token:
        return token
    alias = match.group("ba") or match.group("ua")
    number = match.group("bn") or match.group("un")
    return "[" + re.sub(r"\\?_|[ \-]", "_", alias).upper() + "_" + number + "]"


def _prefixes(items: Sequence[tuple[str, bool]], tail: str) -> str:
    """A regex matching every prefix of ``items`` followed by what ``tail`` matches (itself prefix-closed)."""
    out = tail
    for cls, optional in reversed(items):
        out = f"{cls}?{out}" if optional else f"(?:{cls}{out})?"
    return out


def _alias_items(alias: str, separator: str) -> list[tuple[str, bool]]:
    items: list[tuple[str, bool]] = []
    for index, part in enumerate(alias.split("_")):
        if index:
            items += [(r"\\", True), (separator, False)]
        items += [(re.escape(ch), False) for ch in part]
    return items


def _prefix_pattern(placeholders: Iterable[tuple[str, str]], tokens: Iterable[str] = ()) -> re.Pattern[str]:
    branches = [f"(?-i:{_prefixes([(re.escape(ch), False) for ch in token], '')})" for token in tokens]
    by_alias: dict[str, list[str]] = {}
    for alias, number in placeholders:
        by_alias.setdefault(alias, []).append(number)
    for alias, numbers in by_alias.items():
        digits = [[(d, False) for d in n] for n in numbers]
        close_a = [(" ", True), (r"\\", True), (r"\]", True)]
        tail_a = "(?:" + "|".join(_prefixes(d + close_a, "") for d in digits) + ")"
        tail_b = "(?:" + "|".join(_prefixes([*d, (r"\\", True), (r"\]", True)], "") for d in digits) + ")"
        sep_a, sep_b = r"[_ \-]", "_"
        head_a = [(r"\\", True), (r"\[", False), (" ", True), *_alias_items(alias, sep_a), (r"\\", True)]
        branches.append(_prefixes([*head_a, (sep_a, False)], tail_a))
        branches.append(_prefixes([*_alias_items(alias, sep_b), (r"\\", True), (sep_b, False)], tail_b))
    return re.compile("(?:" + "|".join(branches) + ")", re.IGNORECASE | re.ASCII)


class _Grammar:
    """What one session can restore: its placeholders (tolerant spellings) and tokens (exact spelling)."""

    def __init__(self, placeholders: Mapping[str, str], tokens: Mapping[str, str]) -> None:
        self.mapping = {**tokens, **placeholders}
        parsed = []
        for placeholder in placeholders:
            alias, _, number = placeholder[1:-1].rpartition("_")
            parsed.append((alias, number))
        self.full = _full_pattern((a for a, _ in parsed), tokens)
        self.prefix = _prefix_pattern(parsed, tokens)
        starts = {a[0] for a, _ in parsed}
        self.first_letters = frozenset(starts | {c.lower() for c in starts} | {t[0] for t in tokens})
        self.max_len = max([2 * len(a) + 24 for a, _ in parsed] + [len(t) + 1 for t in tokens])

    def restore(self, text: str, *, json_string: bool, pos: int = 0) -> str:
        """Replace minted placeholders in ``text[pos:]`` (``text[:pos]`` is lookbehind context only)."""
        out: list[str] = []
        last = pos
        for match in self.full.finditer(text, pos):
            value = self.mapping.get(_canonical(match))
            if value is None:
                continue
            out.append(text[last : match.start()])
            out.append(json.dumps(value, ensure_ascii=False)[1:-1] if json_string else value)
            last = match.end()
        if not out:
            return text[pos:]
        out.append(text[last:])
        return "".join(out)

    def hold_from(self, buf: str, before: str) -> int:
        """The start of the shortest tail of ``buf`` that could still grow into a minted placeholder."""
        n = len(buf)
        for p in range(max(0, n - self.max_len), n):
            ch = buf[p]
            if ch not in "[\\":
                if ch not in self.first_letters:
                    continue
                previous = buf[p - 1] if p else before
                if previous and previous in _WORD_BEFORE:
                    continue
            if self.prefix.fullmatch(buf, p) is None:
                continue
            if buf.endswith("]") and self.full.fullmatch(buf, p) is not None:
                continue  # a complete bracketed placeholder cannot grow: release it now
            return p
        return n


def _any_alias_pattern() -> re.Pattern[str]:
    aliases = {row.placeholder for row in ENTITY_TYPES.values()}
    return _full_pattern(aliases)


_ANY_PLACEHOLDER = _any_alias_pattern()
_NUMBERED = re.compile(r"\[[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)*_[1-9][0-9]{0,8}\]")
_MARKER = re.compile(r"\[[A-Za-z][A-Za-z0-9_ \-]{0,40}\]")


def _worth_scanning(text: str) -> bool:
    if "[" in text or "_" in text:
        text = _ANY_PLACEHOLDER.sub(" ", text)
    return any(ch.isdigit() or ch.isupper() or ch in "@:/" for ch in text)


def _value_key(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


# -- the session ----------------------------------------------------------------------------------------------


class Session:
    """Redact the texts of one request, then restore the model's answer; one instance per request.

    Args:
        detector: finds the entities (thread-safe; the gateway may call it from a worker thread).
        tenant: whose keys keyed methods use.
        methods: the method per entity type (a `MethodTable`, or ``{"EMAIL_ADDRESS": "redact", ...}``);
            ``default`` covers the rest. ``redact`` gives numbered placeholders, restored in the answer;
            ``tokenize`` tokens are restored too (exact spelling); other methods are one-way.
        default: the method of types ``methods`` does not name.
        response: what to do with personal data in the answer that was not in the request: one action for
            every type (``"redact"``, ``"mask"``, ``"block"``, ``"allow"``) or a function type -> action
            (`EffectivePolicy.response_action`).
        keys: key material for keyed methods (hash, encrypt, tokenize, surrogate).
    """

    def __init__(
        self,
        detector: DetectorLike,
        *,
        tenant: str = "default",
        methods: MethodTable | MethodsLike | None = None,
        default: SpecLike = "redact",
        response: str | Callable[[str], str] = "redact",
        keys: KeyMaterial | None = None,
    ) -> None:
        self.detector = detector
        self.tenant = tenant
        self._table = configure_methods(methods, default)
        self._response = response
        self.context = ProtectContext(keys=keys, tenant=tenant)
        self.minter = self.context.minter
        self.entity_counts: Counter[str] = Counter()
        self.response_counts: Counter[str] = Counter()
        self._tokens: dict[str, str] = {}
        self._request_values: set[str] = set()
        self._grammar_cache: tuple[int, _Grammar | None] = (-1, None)
        self._mask: MethodSpec | None = None

    @classmethod
    def for_policy(cls, policy: Any, *, destination: str = "llm", keys: KeyMaterial | None = None) -> Session:
        """A session configured by an `EffectivePolicy`: its detector, its methods for ``destination`` and
        its response rule."""
        return cls(
            policy.detector(),
            tenant=policy.tenant or "default",
            methods=policy.method_table(destination),
            response=policy.response_action,
            keys=keys,
        )

    def __repr__(self) -> str:
        return f"Session(tenant={self.tenant!r}, placeholders={len(self.minter)})"

    # -- request side -----------------------------------------------------------------------------------

    def analyze(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Detect in every text of the request (one batch) and note what was found; changes nothing."""
        found = self.detector.detect_batch(list(texts))
        for entities in found:
            self.entity_counts.update(e.type for e in entities)
            self._request_values.update(_value_key(e.text) for e in entities)
        return found

    def apply(self, texts: Sequence[str], entities: Sequence[Sequence[Entity]]) -> list[str]:
        """Protect ``texts`` given their entities (from `analyze`), numbering placeholders in text order.

        Every text is reserved first, so a placeholder-looking string a user typed anywhere in the request is
        never minted for a real value.
        """
        for text in texts:
            self._reserve(text)
        out = []
        for text, found in zip(texts, entities, strict=True):
            protected = protect_text(text, found, self._table, self.context)
            for token, value in protected.mapping.items():
                if token not in self.minter:
                    self._tokens[token] = value
            out.append(protected.text)
        return out

    def redact_batch(self, texts: Sequence[str]) -> list[str]:
        """`analyze` then `apply`: the protected form of every text, in order."""
        return self.apply(texts, self.analyze(texts))

    def redact(self, text: str) -> str:
        """The protected form of one text."""
        return self.redact_batch([text])[0]

    def _reserve(self, text: str) -> None:
        if not text:
            return
        self.minter.reserve(text)
        for match in _ANY_PLACEHOLDER.finditer(text):
            self.minter.reserve(_canonical(match))

    # -- response side ----------------------------------------------------------------------------------

    @property
    def mapping(self) -> dict[str, str]:
        """A copy of placeholder or token -> original value, for everything this session can restore."""
        return {**self._tokens, **self.minter.mapping}

    def _grammar(self) -> _Grammar | None:
        size, grammar = self._grammar_cache
        if size != len(self.minter) + len(self._tokens):
            placeholders = self.minter.mapping
            restorable = {p: v for p, v in placeholders.items() if _NUMBERED.fullmatch(p)}
            grammar = _Grammar(restorable, self._tokens) if restorable or self._tokens else None
            self._grammar_cache = (len(placeholders) + len(self._tokens), grammar)
        return grammar

    def _response_action(self, entity_type: str) -> str:
        return self._response if isinstance(self._response, str) else self._response(entity_type)

    @property
    def scans_responses(self) -> bool:
        """Whether answers are scanned for data the request did not contain."""
        return not (isinstance(self._response, str) and self._response == "allow")

    def restore(self, text: str, *, json_string: bool = False) -> str:
        """The answer with this session's placeholders restored and new personal data treated by the
        response rule.

        Args:
            json_string: the text is JSON (tool-call arguments): restored values are escaped for a JSON
                string so the result stays valid JSON.

        Raises:
            PolicyViolation: the response rule blocks a type found in the answer.
        """
        if self.scans_responses and text:
            text = self.scan_response(text)
        grammar = self._grammar()
        return text if grammar is None else grammar.restore(text, json_string=json_string)

    def restore_stream(self, *, json_string: bool = False) -> StreamRestorer:
        """A streaming `restore`: ``feed(chunk) -> str`` as text arrives, ``flush() -> str`` at the end."""
        return StreamRestorer(self, json_string=json_string)

    def scan_response(self, text: str, context: str = "") -> str:
        """Treat personal data in ``text`` that the request did not contain.

        ``context`` is text released just before (it informs detection and is not returned). Text without a
        digit, capital letter, ``@``, ``:`` or ``/`` outside placeholders (plain lowercase prose) is not scanned:
        the values the response rule is for cannot hide in it, and streams release such text word by word.
        """
        if not _worth_scanning(text):
            return text
        full = context + text
        offset = len(context)
        entities = self.detector.detect_batch([full])[0]
        if not entities:
            return text
        shielded = [m.span() for m in _ANY_PLACEHOLDER.finditer(full)]
        shielded += [m.span() for m in _MARKER.finditer(full)]
        grammar = self._grammar()
        if grammar is not None:
            shielded += [m.span() for m in grammar.full.finditer(full)]
        pieces: list[str] = []
        last = offset
        for entity in entities:
            if entity.end <= last:
                continue
            action = self._response_action(entity.type)
            if action == "allow" or _value_key(entity.text) in self._request_values:
                continue
            if any(s < entity.end and entity.start < e for s, e in shielded):
                continue
            if action == "block":
                raise PolicyViolation(
                    f"the model's answer holds {entity.type} that the request did not contain", (entity.type,)
                )
            start = max(entity.start, last)
            self.response_counts[entity.type] += 1
            value = full[start : entity.end]
            if action == "mask":
                if self._mask is None:
                    self._mask = configure_method("mask")
                replacement = self._mask.apply(value, Scope(entity, Document(full, entities), self.context))
            else:
                replacement = f"[{placeholder_alias(entity.type)}]"
            pieces += [full[last:start], replacement]
            last = entity.end
        pieces.append(full[last:])
        return "".join(pieces)


_TRIM = ".,;:!?\"'()[]{}<>*_`“”‘’"


def _value_like(word: str) -> bool:
    return (
        any(ch.isdigit() or ch == "@" for ch in word)
        or not any(ch.isalnum() for ch in word)
        or word.casefold() in _NAME_PARTICLES
    )


def _name_like(word: str) -> bool:
    """Capitalized and not a common English word: it may be (part of) a name."""
    from coatcheck.detect._lexicon import english_words  # the detector's own word list, loaded once

    core = word.strip(_TRIM).replace("’", "'")
    return core[:1].isupper() and core.casefold() not in english_words()


def _held(word: str, before: str) -> bool:
    if _value_like(word) or _name_like(word):
        return True
    # "Bob Stone": a capitalized common word right after a name-like one may continue the name
    return word[:1].isupper() and bool(before) and before[-1] not in _TRIM and _name_like(before)


def _words_before(text: str, end: int) -> tuple[int, int]:
    j = end
    while j > 0 and text[j - 1].isspace():
        j -= 1
    k = j
    while k > 0 and not text[k - 1].isspace():
        k -= 1
    return k, j


def _safe_cut(text: str) -> int:
    """Where the tail that may still be part of a value starts: the open (unfinished) word and the words
    directly before it that may belong to the same value (digits, ``@``, names, particles)."""
    n = len(text)
    i = n
    while i > 0 and not text[i - 1].isspace():
        i -= 1
    if n - i > _MAX_HOLD:
        return n - _MAX_HOLD
    k, j = _words_before(text, i)
    while k < j and n - k <= _MAX_HOLD:
        pk, pj = _words_before(text, k)
        if not _held(text[k:j], text[pk:pj]):
            break
        i = k
        k, j = pk, pj
    return i


class StreamRestorer:
    """Restores a streamed answer chunk by chunk, holding back only what could still change.

    Two stages, each with httpx ``LineDecoder``'s ``feed``/``flush`` shape: the response scanner holds the
    open word and any value-like words before it (so a value split across chunks is judged whole), then the
    restorer holds only the shortest tail that could still grow into a minted placeholder. Call `flush` once
    at the end of the stream; after an upstream failure drop the restorer instead, so held text never leaks.
    """

    def __init__(self, session: Session, *, json_string: bool = False) -> None:
        self._session = session
        self._json = json_string
        self._grammar = session._grammar()
        self._scan = session.scans_responses
        self._pending = ""  # scanner stage
        self._context = ""
        self._buf = ""  # restorer stage
        self._before = ""

    def feed(self, chunk: str) -> str:
        """Take the next chunk; return what can be released now (possibly empty)."""
        if self._scan:
            self._pending += chunk
            cut = _safe_cut(self._pending)
            if cut == 0:
                return ""
            segment, self._pending = self._pending[:cut], self._pending[cut:]
            chunk = self._scanned(segment)
        if not chunk:
            return ""
        self._buf += chunk
        if self._grammar is None:
            return self._release(len(self._buf))
        return self._release(self._grammar.hold_from(self._buf, self._before))

    def flush(self) -> str:
        """Release everything still held, restored; the stream has ended."""
        if self._pending:
            self._buf += self._scanned(self._pending)
            self._pending = ""
        return self._release(len(self._buf))

    def _scanned(self, segment: str) -> str:
        out = self._session.scan_response(segment, self._context)
        self._context = (self._context + segment)[-_CONTEXT_CHARS:]
        return out

    def _release(self, cut: int) -> str:
        if cut == 0:
            return ""
        segment = self._buf[:cut]
        self._buf = self._buf[cut:]
        if self._grammar is None:
            out = segment
        else:
            out = self._grammar.restore(self._before + segment, json_string=self._json, pos=len(self._before))
        self._before = segment[-1]
        return out
