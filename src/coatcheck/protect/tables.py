"""pandas DataFrames and Arrow tables: protect only the columns that need it, keep the rest untouched."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from coatcheck.errors import ProtectError
from coatcheck.protect.fields import STAR
from coatcheck.protect.structured import PathTracker

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from coatcheck.protect.protector import Protector

__all__ = ["protect_arrow", "protect_dataframe"]


def _columns(protector: Protector, names: list[str], text_columns: list[str]) -> list[str]:
    if protector.fields is None:
        return text_columns
    wanted: list[str] = []
    for rule in protector.fields.rules:
        head = rule.segments[0]
        if head == STAR or not isinstance(head, str) or head not in names:
            raise ProtectError(f"field path {rule.path!r} matched no column")
        if head not in wanted:
            wanted.append(head)
    return wanted


def _protect_columns(
    protector: Protector, columns: dict[str, list[Any]], counts: Counter[str] | None
) -> dict[str, list[Any]]:
    names = list(columns)
    rows = [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    tracker = PathTracker(protector.fields)
    out = list(protector.protect_records(rows, counts=counts, tracker=tracker))
    tracker.check("any row")
    return {name: [row[name] for row in out] for name in names}


def protect_dataframe(protector: Protector, frame: pd.DataFrame, counts: Counter[str] | None) -> pd.DataFrame:
    """See `Protector.protect_dataframe`."""
    import pandas as pd

    names = [str(c) for c in frame.columns]
    text_columns = [str(c) for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    selected = _columns(protector, names, text_columns)
    result = frame.copy()
    if not selected or frame.empty:
        return result
    data = {name: [None if _missing(v) else v for v in frame[name].tolist()] for name in selected}
    protected = _protect_columns(protector, data, counts)
    for name in selected:
        original = frame[name]
        values = [orig if _missing(orig) else new for orig, new in zip(original.tolist(), protected[name], strict=True)]
        series = pd.Series(values, index=frame.index, name=original.name, dtype=object)
        try:
            series = series.astype(original.dtype)
        except (TypeError, ValueError):
            pass  # the protected values no longer fit the column type (numbers became tokens): keep them as text
        result[original.name] = series
    return result


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def protect_arrow(protector: Protector, table: pa.Table, counts: Counter[str] | None) -> pa.Table:
    """See `Protector.protect_table`."""
    import pyarrow as pa

    names = list(table.column_names)
    text_columns = [f.name for f in table.schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    selected = _columns(protector, names, text_columns)
    if not selected or table.num_rows == 0:
        return table
    protected = _protect_columns(protector, {n: table.column(n).to_pylist() for n in selected}, counts)
    for name in selected:
        index = names.index(name)
        field = table.schema.field(index)
        try:
            array = pa.array(protected[name], type=field.type)
            new_field = field
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            array = pa.array([None if v is None else str(v) for v in protected[name]], type=pa.string())
            new_field = pa.field(field.name, pa.string(), nullable=field.nullable, metadata=field.metadata)
        table = table.set_column(index, new_field, array)
    return table
