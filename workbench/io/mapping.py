"""Column mappings: how a source's headers map onto the data model.

A mapping is a dict or a YAML file. The short form maps model columns to
source headers::

    {"order_id": "订单号", "qty_ordered": "数量"}

The full form (what ``data/mappings/*.yaml`` use) adds options::

    table: order_lines
    columns:
      order_id: PO / SO #
      order_date: [PO Sent to Vendor Date, PQ First Sent to Client Date]  # first usable wins
      filled_from_stock:
        column: Fulfill Via
        values: {From RDC: true, Direct Drop: false}
    optional: [order_date]     # required columns allowed to be missing in some rows
    extra: {shipment_mode: Shipment Mode}   # carried through as text
    dates: {dayfirst: false, mixed_formats: drop}
    numbers: {decimal: ","}    # declare the decimal mark; without it, inferred per file/column
    na_values: ["TBD"]
    auto: true                 # also match model names and known synonyms

Headers match case-insensitively, ignoring surrounding and repeated spaces and
a byte-order mark, so one mapping reads both ``Line Item Quantity`` and
``line item quantity``. Model columns the mapping does not name are matched
automatically by their own name or a known synonym (English or Chinese, e.g.
``订单号``, ``客户``, ``物料``, ``数量``) unless ``auto: false``.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from workbench.exceptions import MappingError, SourceNotFoundError
from workbench.io.matching import match_columns
from workbench.io.parsing import DateOptions
from workbench.io.readers import normalize_header
from workbench.io.schema import Table, get_table
from workbench.paths import data_path

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ColumnMapping",
    "FieldSource",
    "Resolved",
]


@dataclass(frozen=True)
class FieldSource:
    """Where one model column comes from."""

    columns: tuple[str, ...]
    """Source headers, tried in order (first usable value wins)."""
    value_map: dict | None = None
    how: str = "mapping"
    """``mapping`` (named in the mapping), ``name``, ``synonym`` or ``similar`` (matched
    automatically, see :mod:`workbench.io.matching`)."""


@dataclass
class ColumnMapping:
    """A parsed, validated column mapping (see the module docstring)."""

    table: str = "order_lines"
    columns: dict[str, FieldSource] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    extra: dict[str, str] = field(default_factory=dict)
    dayfirst: bool | None = None
    mixed_formats: str = "drop"
    decimal: str | None = None
    """``"."`` or ``","`` when declared; ``None``: inferred from the source (see parse_number)."""
    na_values: frozenset[str] = frozenset()
    auto: bool = True
    origin: str = "<dict>"

    @property
    def date_options(self) -> DateOptions:
        """How to read dates: ``dayfirst`` and ``mixed_formats`` as :class:`DateOptions`."""
        return DateOptions(dayfirst=self.dayfirst, mixed_formats=self.mixed_formats)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_any(cls, mapping: object, table: str | Table = "order_lines") -> ColumnMapping:
        """Build from ``None``, a dict, a YAML path or a :class:`ColumnMapping`."""
        tname = get_table(table).name
        if mapping is None:
            return cls(table=tname, origin="<automatic>")
        if isinstance(mapping, ColumnMapping):
            return mapping
        if isinstance(mapping, (str, os.PathLike)):
            path = Path(mapping)
            if not path.exists():
                alt = data_path("mappings", str(mapping))
                if not alt.exists() and not str(mapping).endswith((".yaml", ".yml")):
                    alt = data_path("mappings", f"{mapping}.yaml")
                if not alt.exists():
                    raise SourceNotFoundError("mapping file not found", path=str(path),
                                              fix="pass a path to a YAML mapping, or the name "
                                                  "of one under data/mappings/.")
                path = alt
            try:
                spec = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise MappingError(f"the mapping is not valid YAML: {exc}", source=str(path),
                                   fix="check indentation and quote headers with ':' or '#'.")\
                    from exc
            if not isinstance(spec, dict):
                raise MappingError("the mapping must be a YAML mapping (key: value)",
                                   source=str(path))
            return cls.from_dict(spec, tname, origin=str(path))
        if isinstance(mapping, dict):
            return cls.from_dict(mapping, tname)
        raise MappingError(f"a mapping must be a dict or a YAML path, not "
                           f"{type(mapping).__name__}")

    @classmethod
    def from_dict(cls, spec: dict, table: str = "order_lines",
                  origin: str = "<dict>") -> ColumnMapping:
        """Build from a mapping dict (short or full form, see the module docstring).

        ``origin`` names where the dict came from, for error messages.

        Raises
        ------
        MappingError
            When a key, a model column or an option is not valid.
        """
        known_keys = {"table", "columns", "optional", "extra", "dates", "numbers", "na_values",
                      "auto", "description", "source"}
        if "columns" not in spec:
            spec = {"columns": spec}
        unknown = set(spec) - known_keys
        if unknown:
            raise MappingError(f"unknown mapping key(s) {sorted(unknown)}",
                               key=sorted(unknown)[0], source=origin,
                               fix=f"use only {sorted(known_keys)}.")
        tname = spec.get("table", table)
        schema = get_table(tname)
        cols: dict[str, FieldSource] = {}
        raw_cols = spec.get("columns") or {}
        if not isinstance(raw_cols, dict):
            raise MappingError("'columns' must map model column -> source header", key="columns",
                               source=origin)
        for model_col, src in raw_cols.items():
            if model_col not in schema.names:
                close = difflib.get_close_matches(str(model_col), schema.names, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise MappingError(
                    f"{model_col!r} is not a column of table {tname!r}.{hint}",
                    key=str(model_col), source=origin,
                    fix=f"map onto one of: {', '.join(schema.names)} (or list it under extra:).")
            cols[model_col] = _field_source(model_col, src, origin)
        optional = spec.get("optional") or []
        bad = [c for c in optional if c not in schema.names]
        if bad:
            raise MappingError(f"optional: {bad} are not columns of {tname!r}", key="optional",
                               source=origin)
        extra = spec.get("extra") or {}
        if not isinstance(extra, dict):
            raise MappingError("'extra' must map new column name -> source header", key="extra",
                               source=origin)
        clash = [c for c in extra if c in schema.names]
        if clash:
            raise MappingError(f"extra column(s) {clash} clash with data-model columns",
                               key="extra", source=origin,
                               fix="map them under columns: instead, or rename them.")
        dates = spec.get("dates") or {}
        dayfirst = dates.get("dayfirst")
        if dayfirst is not None and not isinstance(dayfirst, bool):
            raise MappingError(f"dates.dayfirst must be true or false, not {dayfirst!r}",
                               key="dates.dayfirst", source=origin)
        mixed = dates.get("mixed_formats", "drop")
        if mixed not in ("drop", "keep"):
            raise MappingError(f"dates.mixed_formats must be 'drop' or 'keep', not {mixed!r}",
                               key="dates.mixed_formats", source=origin)
        unknown_dates = set(dates) - {"dayfirst", "mixed_formats"}
        if unknown_dates:
            raise MappingError(f"unknown dates option(s) {sorted(unknown_dates)}",
                               key="dates", source=origin, fix="use dayfirst, mixed_formats.")
        decimal = (spec.get("numbers") or {}).get("decimal")
        if decimal == "auto":
            decimal = None
        if decimal not in (".", ",", None):
            raise MappingError(f"numbers.decimal must be '.', ',' or 'auto', not {decimal!r}",
                               key="numbers.decimal", source=origin,
                               fix='write numbers: {decimal: ","} for 1.234,50-style numbers.')
        return cls(table=tname, columns=cols, optional=frozenset(optional),
                   extra={str(k): str(v) for k, v in extra.items()}, dayfirst=dayfirst,
                   mixed_formats=mixed,
                   decimal=decimal, na_values=frozenset(str(v) for v in spec.get("na_values")
                                                        or []),
                   auto=bool(spec.get("auto", True)), origin=origin)

    # ------------------------------------------------------------------ resolve
    def resolve(self, headers: list[str], frame: pd.DataFrame | None = None) -> Resolved:
        """Match this mapping against a source's headers.

        Returns which source headers feed which model column, which mapped
        headers were not found, and which source headers are left unused.
        With ``auto``, model columns the mapping does not name are matched by
        :func:`workbench.io.matching.match_columns`: names, spelling and, when
        the raw ``frame`` is given, its values; only strong matches are applied.
        """
        schema = get_table(self.table)
        by_norm: dict[str, str] = {}
        for h in headers:
            by_norm.setdefault(normalize_header(h), h)
        fields: dict[str, FieldSource] = {}
        not_found: dict[str, list[str]] = {}
        for col, fs in self.columns.items():
            found = tuple(by_norm[normalize_header(c)] for c in fs.columns
                          if normalize_header(c) in by_norm)
            missing = [c for c in fs.columns if normalize_header(c) not in by_norm]
            if missing:
                not_found[col] = missing
            if found:
                fields[col] = FieldSource(found, fs.value_map, fs.how)
        used = {h for fs in fields.values() for h in fs.columns}
        extras: dict[str, str] = {}
        for name, src in self.extra.items():
            key = normalize_header(src)
            if key in by_norm:
                extras[name] = by_norm[key]
                used.add(by_norm[key])
            else:
                not_found[name] = [src]
        if self.auto:
            pending = [c.name for c in schema.columns
                       if c.name not in fields and c.name not in self.columns]
            source = frame if frame is not None else headers
            match = match_columns(source, schema, columns=pending, exclude=used, weak=False)
            for name, cand in match.assignment.items():
                hit = next(h for h in headers if str(h) == cand.header)
                fields[name] = FieldSource((hit,), None, cand.how)
                used.add(hit)
        unused = [h for h in headers if h not in used]
        return Resolved(fields, extras, not_found, unused)

    def known_headers(self) -> set[str]:
        """Return the normalized headers this mapping could match (to find a header row)."""
        schema = get_table(self.table)
        names = {normalize_header(c) for fs in self.columns.values() for c in fs.columns}
        names |= {normalize_header(v) for v in self.extra.values()}
        if self.auto:
            for c in schema.columns:
                names.add(normalize_header(c.name))
                names |= {normalize_header(s) for s in c.synonyms}
        return names


@dataclass(frozen=True)
class Resolved:
    """A mapping matched against one source's headers."""

    fields: dict[str, FieldSource]
    extras: dict[str, str]
    not_found: dict[str, list[str]]
    unused: list[str]


def _field_source(model_col: str, src: object, origin: str) -> FieldSource:
    if isinstance(src, str):
        return FieldSource((src,))
    if isinstance(src, list) and src and all(isinstance(s, str) for s in src):
        return FieldSource(tuple(src))
    if isinstance(src, dict) and "column" in src:
        cols = src["column"]
        cols = (cols,) if isinstance(cols, str) else tuple(cols)
        values = src.get("values")
        if values is not None and not isinstance(values, dict):
            raise MappingError(f"{model_col}.values must map source value -> value",
                               key=f"{model_col}.values", source=origin)
        return FieldSource(cols, values)
    raise MappingError(
        f"cannot read the mapping for {model_col!r}: {src!r}", key=model_col, source=origin,
        fix="give a header, a list of headers, or {column: header, values: {...}}.")
