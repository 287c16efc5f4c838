"""`Protector`: the reusable object the library, CLI, batch jobs and gateway protect with."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from coatcheck.detect.types import Entity, Profile
from coatcheck.errors import InputError, MissingKeyError
from coatcheck.protect.base import KeyMaterial, VaultLike
from coatcheck.protect.context import ProtectContext
from coatcheck.protect.fields import FieldPolicy
from coatcheck.protect.registry import MethodsLike, MethodTable, SpecLike, configure_methods
from coatcheck.protect.structured import Leaf, PathTracker, collect, detect_leaves, rebuild, restore_type
from coatcheck.protect.text import ProtectedText, protect_text

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["DetectorLike", "Protector", "ViewSet"]

ViewsLike = Mapping[str, SpecLike | MethodsLike]


class DetectorLike(Protocol):
    """What `Protector` needs from a detector (`coatcheck.detect.engine.Detector` satisfies it)."""

    def detect_batch(self, texts: Iterable[str]) -> list[list[Entity]]: ...


class ViewSet:
    """Named method tables, validated once (``{"dashboard": {"default": "mask"}, "llm": "redact"}``)."""

    def __init__(self, views: ViewsLike) -> None:
        if not views:
            raise InputError("views: at least one named view is needed")
        self.tables: dict[str, MethodTable] = {}
        for name, spec in views.items():
            if isinstance(spec, Mapping) and "method" not in spec:
                self.tables[name] = configure_methods(spec)
            else:
                self.tables[name] = configure_methods(default=spec)

    @property
    def keyed(self) -> bool:
        return any(t.keyed for t in self.tables.values())


class Protector:
    """Protect texts, records and tables with one configuration and one session of consistency.

    Args:
        keyring: key material for hash, encrypt, tokenize and surrogate (`coatcheck.keys.Keyring`).
        tenant: whose keys and vault entries are used.
        methods: method per entity type, e.g. ``{"EMAIL_ADDRESS": "mask", "US_SSN": {"method": "hash"}}``.
        default: method for every other type.
        fields: a field policy for records (``{"ssn": "encrypt", "notes": "redact"}``); None scans every field.
        vault: stores tokenize mappings so tokens can be reversed later.
        detector: any object with ``detect_batch``; by default a `Detector` of ``profile``, built on first use.
        profile: ``"fast"`` or ``"accurate"``.
        locale: Faker locale of surrogate stand-ins.
        context: an existing session (placeholders, surrogate links) to continue.

    Raises:
        ProtectError: unknown method or type, bad parameters (all checked here, once).
        MissingKeyError: a keyed method without a keyring.
    """

    def __init__(
        self,
        keyring: KeyMaterial | None = None,
        tenant: str = "default",
        methods: MethodsLike | MethodTable | None = None,
        default: SpecLike = "redact",
        *,
        fields: Mapping[str, Any] | FieldPolicy | None = None,
        vault: VaultLike | None = None,
        detector: DetectorLike | None = None,
        profile: Profile = "fast",
        locale: str = "en_US",
        session: str | None = None,
        context: ProtectContext | None = None,
    ) -> None:
        self.methods = configure_methods(methods, default)
        self.fields = fields if isinstance(fields, FieldPolicy) or fields is None else FieldPolicy.from_mapping(fields)
        keyed = self.methods.keyed or any(r.method.operator.keyed for r in (self.fields.rules if self.fields else ()))
        if keyed and keyring is None:
            raise MissingKeyError("a keyed method (hash, encrypt, tokenize, surrogate) needs a keyring")
        self.context = context or ProtectContext(
            keys=keyring, tenant=tenant, vault=vault, session=session, locale=locale
        )
        self.profile: Profile = profile
        self._detector = detector
        self._tables: dict[int, MethodTable] = {}

    def __repr__(self) -> str:
        return f"Protector(tenant={self.context.tenant!r}, default={self.methods.default.name!r})"

    # -- detection ---------------------------------------------------------------------------------------

    @property
    def detector(self) -> DetectorLike:
        """The detector, created on first use (imports the engine only then)."""
        if self._detector is None:
            from coatcheck.detect.engine import Detector

            self._detector = Detector(profile=self.profile)
        return self._detector

    def detect(self, text: str) -> list[Entity]:
        """Entities in ``text``."""
        return self.detector.detect_batch([text])[0]

    def session(self, session: str | None = None) -> Protector:
        """The same configuration with a fresh session (new placeholders and surrogate links)."""
        clone = object.__new__(Protector)
        clone.__dict__.update(self.__dict__)
        clone.context = self.context.fork()
        clone.context.session = session
        return clone

    # -- text --------------------------------------------------------------------------------------------

    def protect(
        self, text: str, entities: Sequence[Entity] | None = None, *, methods: MethodTable | None = None
    ) -> ProtectedText:
        """Protect one text; detects first unless ``entities`` are given."""
        if not isinstance(text, str):
            raise InputError(f"protect takes str, not {type(text).__name__}")
        found = self.detect(text) if entities is None else entities
        return protect_text(text, found, methods or self.methods, self.context)

    # -- records -----------------------------------------------------------------------------------------

    def _table(self, leaf: Leaf) -> MethodTable:
        if leaf.rule is None:
            return self.methods
        table = self._tables.get(id(leaf.rule))
        if table is None:
            table = self._tables[id(leaf.rule)] = MethodTable(leaf.rule.method)
        return table

    def _apply(
        self, record: Any, leaves: Sequence[Leaf], methods: MethodTable | None, counts: Counter[str] | None
    ) -> Any:
        replacements: dict[tuple[str | int, ...], Any] = {}
        per_record: ProtectContext | None = None
        for leaf in leaves:
            if not leaf.entities:
                continue
            ctx = self.context
            if leaf.rule is not None and not getattr(leaf.rule.method.params, "consistency", True):
                per_record = per_record or self.context.fork()
                ctx = per_record
            table = methods or self._table(leaf)
            bound = leaf.field_name if leaf.entity_type is not None else None
            result = protect_text(leaf.text, leaf.entities, table, ctx, field=bound)
            if counts is not None:
                counts.update(result.counts)
            if result.text != leaf.text:
                replacements[leaf.path] = restore_type(leaf.value, result.text)
        return rebuild(record, replacements)

    def protect_record(self, record: Any, *, counts: Counter[str] | None = None) -> Any:
        """A protected copy of one record (dict/list/JSON value), same shape and types.

        Raises:
            ProtectError: a policy field path matched nothing in this record.
        """
        tracker = PathTracker(self.fields)
        out = next(iter(self.protect_records([record], counts=counts, tracker=tracker)))
        tracker.check("the record")
        return out

    def protect_records(
        self,
        records: Iterable[Any],
        *,
        batch_size: int = 64,
        counts: Counter[str] | None = None,
        tracker: PathTracker | None = None,
    ) -> Iterator[Any]:
        """Protect a stream of records, detecting in batches. Pass a `PathTracker` and call its ``check()``
        after the stream to learn about policy paths that matched nothing."""
        batch: list[Any] = []
        for record in records:
            batch.append(record)
            if len(batch) >= batch_size:
                yield from self._batch(batch, counts, tracker)
                batch = []
        if batch:
            yield from self._batch(batch, counts, tracker)

    def _batch(self, batch: list[Any], counts: Counter[str] | None, tracker: PathTracker | None) -> Iterator[Any]:
        plans = [collect(record, self.fields, tracker) for record in batch]
        detect_leaves([leaf for plan in plans for leaf in plan], self.detector.detect_batch)
        for record, plan in zip(batch, plans, strict=True):
            yield self._apply(record, plan, None, counts)

    # -- views -------------------------------------------------------------------------------------------

    def views(self, data: str | Any, views: ViewsLike | ViewSet) -> dict[str, Any]:
        """Several protected versions of one text or record from ONE detection pass.

        Args:
            data: a text (each view is a `ProtectedText`) or a record (each view is a protected copy).
            views: ``{"dashboard": {"EMAIL_ADDRESS": "mask", "default": "redact"}, "training": "surrogate"}``.
        """
        viewset = views if isinstance(views, ViewSet) else ViewSet(views)
        if viewset.keyed and self.context.keys is None:
            raise MissingKeyError("a keyed method (hash, encrypt, tokenize, surrogate) needs a keyring")
        if isinstance(data, str):
            entities = self.detect(data)
            return {name: protect_text(data, entities, t, self.context) for name, t in viewset.tables.items()}
        plan = collect(data, None)
        detect_leaves(plan, self.detector.detect_batch)
        return {name: self._apply(data, plan, t, None) for name, t in viewset.tables.items()}

    # -- tables ------------------------------------------------------------------------------------------

    def protect_dataframe(self, frame: pd.DataFrame, *, counts: Counter[str] | None = None) -> pd.DataFrame:
        """A protected copy of a pandas DataFrame: same index, columns and order; untouched columns as they were."""
        from coatcheck.protect.tables import protect_dataframe

        return protect_dataframe(self, frame, counts)

    def protect_table(self, table: pa.Table, *, counts: Counter[str] | None = None) -> pa.Table:
        """A protected copy of an Arrow table, keeping its schema wherever the protected values still fit."""
        from coatcheck.protect.tables import protect_arrow

        return protect_arrow(self, table, counts)
