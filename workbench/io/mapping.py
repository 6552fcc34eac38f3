r"""Column mappings: how a source's headers map onto the data model.

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

ERP exports need more than renaming; these keys say how (each is noted in the
load summary with the rows it touched)::

    detect:                    # header fingerprint: chosen automatically (mapping=None)
      required: [Sales Document, Sales Document Item, Sold-to Party, Material]
      any: [Goods Issue Date, Net Price]    # more evidence, raises the score
      language: en
    header_scan: 40            # rows searched for the header row (default 20)
    fill_down: [Order Reference, Customer, Order Date]
    fill_down_key: Order Reference
    price_unit: Price Unit     # unit_price = price / Price Unit; blank -> 1
    drop_rows:
      - {column: Sales Document, pattern: "^\\s*(合计|Total)", reason: total_row}
      - {any_column: true, pattern: "^\\s*(合计|总计)\\s*$", reason: total_row}
    derived:                   # column -> expression (grammar: workbench.io.derive)
      promised_date: "order_date + days(`Days for shipment (scheduled)`)"
      ship_date: "actual(`Goods Issue Date`)"
      order_id: "concat(`Company`, '-', `Order Reference`)"
    keep_unmapped: true        # unused headers kept as extra text columns

``values:`` maps source values to model values, compared trimmed and
case-insensitively: for a text column (``status: {column: Overall Status,
values: {A: open, C: delivered}}``) a value not in the map is kept as given
(and noted); for a flag column a value not in the map is unusable (an issue).
YAML reads unquoted ``Yes``/``No``/``On``/``Off`` keys as true/false; such keys
match all three spellings. Values can be mapped for text and flag columns only.

``fill_down``: the blank cells of the listed headers take the value above, within
one file (Odoo writes an order's header fields on its first line only). With
``fill_down_key`` a row whose key cell is blank continues the order above it:
its blank cells of the listed headers (and the key) take the values of the
order's first row (the last row above with a key); rows with a key of their own
are never filled, so a blank customer on a new order stays blank.

``drop_rows``: a row whose cell matches ``pattern`` (a regular expression,
searched in the raw text; ``column`` is a header or a list of them,
``any_column: true`` looks at every cell) is quarantined with ``reason``
(default ``dropped_row``) before anything else is read, so a total row neither
loads nor disturbs format inference. Rules look at the cells as exported, before
``fill_down``; with ``fill_down_key``, the continuation rows of a dropped row are
dropped with it (an Odoo quotation's lines go with the quotation), and without a
key a dropped row stops the filling (blank cells below it stay blank).

``price_unit``: ``unit_price`` is divided by this header's number (SAP's ``Net
Price`` per ``Price Unit`` units); a blank price unit is 1; a zero, negative or
unreadable one leaves the price missing, recorded as an issue.

``derived``: a model column (or a new extra column) computed from mapped model
columns and source headers; see :mod:`workbench.io.derive` for the grammar. A
derived column replaces automatic matching for that column and must not also
appear under ``columns:``; ``actual()`` uses the load's ``as_of`` date.

``keep_unmapped``: keep every header the mapping does not use as an extra text
column (named as the header). Unset, this happens when the file is a
data-model table itself (its required columns match by their model names, as
in a file written by ``workbench load --out``). Lineage columns
``source_file``/``source_row`` of such a re-loaded file are always kept, as
``upstream_source_file``/``upstream_source_row``.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from workbench.exceptions import MappingError, SourceNotFoundError
from workbench.io.derive import Expression, parse_expression
from workbench.io.matching import match_columns
from workbench.io.parsing import DateOptions
from workbench.io.readers import normalize_header
from workbench.io.schema import Table, get_table
from workbench.paths import data_path

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ColumnMapping",
    "DetectBlock",
    "DropRule",
    "FieldSource",
    "LINEAGE_RENAMES",
    "Resolved",
    "value_lookup",
]

LINEAGE_RENAMES: dict[str, str] = {"source_file": "upstream_source_file",
                                   "source_row": "upstream_source_row"}
"""Lineage headers of a re-loaded workbench file -> the extra columns that keep them."""
_TRUE_KEYS = ("true", "yes", "on")
_FALSE_KEYS = ("false", "no", "off")
_REASON = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class FieldSource:
    """Where one model column comes from."""

    columns: tuple[str, ...]
    """Source headers, tried in order (first usable value wins)."""
    value_map: dict | None = None
    how: str = "mapping"
    """``mapping`` (named in the mapping), ``name``, ``synonym`` or ``similar`` (matched
    automatically, see :mod:`workbench.io.matching`)."""
    other: str | None = None
    """Text for every non-blank value the value map does not list (``None``: kept as given).
    SAP's ``Reason for Rejection`` holds customer-defined codes; any of them cancels the line."""


@dataclass(frozen=True)
class DropRule:
    """One ``drop_rows`` rule: rows whose cell matches ``pattern`` are quarantined as ``reason``."""

    pattern: str
    reason: str = "dropped_row"
    columns: tuple[str, ...] = ()
    """Headers to look at; empty with ``any_column``."""
    any_column: bool = False

    @property
    def regex(self) -> re.Pattern:
        """The compiled pattern."""
        return re.compile(self.pattern)

    def describe(self) -> str:
        """Return the rule in words, for the load summary."""
        where = "any column" if self.any_column else " or ".join(self.columns)
        return f"{where} matches {self.pattern!r}"


@dataclass(frozen=True)
class DetectBlock:
    """A mapping's ``detect:`` block: the header fingerprint that selects it automatically."""

    required: tuple[str, ...]
    """Headers that must all be present."""
    any: tuple[str, ...] = ()
    """Further headers that raise the score."""
    language: str | None = None
    """Label of the export's language (``en``, ``de``, ``zh``, ``technical``, ...)."""


def value_lookup(value_map: dict) -> dict[str, object]:
    """Return a value map keyed by trimmed, lower-case text.

    A boolean key (YAML reads unquoted ``Yes``, ``No``, ``On``, ``Off`` as
    booleans) stands for all its spellings.

    >>> value_lookup({True: "open", " C ": "delivered"})
    {'true': 'open', 'yes': 'open', 'on': 'open', 'c': 'delivered'}
    """
    out: dict[str, object] = {}
    for k, v in value_map.items():
        if isinstance(k, bool):
            for word in (_TRUE_KEYS if k else _FALSE_KEYS):
                out.setdefault(word, v)
        else:
            out[str(k).strip().lower()] = v
    return out


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
    detect: DetectBlock | None = None
    header_scan: int | None = None
    """Rows searched for the header row (``None``: the reader's default, 20)."""
    fill_down: tuple[str, ...] = ()
    fill_down_key: str | None = None
    price_unit: str | None = None
    drop_rows: tuple[DropRule, ...] = ()
    derived: dict[str, Expression] = field(default_factory=dict)
    """Column -> parsed expression, in an order where each comes after those it uses."""
    keep_unmapped: bool | None = None
    """Keep unused headers as extras: True, False, or None (only for data-model files)."""
    description: str = ""

    @property
    def name(self) -> str:
        """Short name: the YAML file name without suffix, or ``<dict>`` / ``<automatic>``."""
        return Path(self.origin).stem if self.origin.endswith((".yaml", ".yml")) else self.origin

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
                      "auto", "description", "source", *_ENGINE_KEYS}
        if "columns" not in spec and not set(spec) & known_keys:
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
            _check_value_map(schema, model_col, cols[model_col], origin)
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
                   auto=bool(spec.get("auto", True)), origin=origin,
                   description=str(spec.get("description") or ""),
                   **_engine_options(spec, schema, set(cols), set(extra), origin))

    # ------------------------------------------------------------------ resolve
    def resolve(self, headers: list[str], frame: pd.DataFrame | None = None) -> Resolved:
        """Match this mapping against a source's headers.

        Returns which source headers feed which model column, which mapped
        headers were not found, and which source headers are left unused.
        With ``auto``, model columns the mapping does not name are matched by
        :func:`workbench.io.matching.match_columns`: names, spelling and, when
        the raw ``frame`` is given, its values; only strong matches are applied.
        A header that is a model column's name (``order_id``, any case or outer
        spaces) is that column without further matching.
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
                fields[col] = FieldSource(found, fs.value_map, fs.how, fs.other)
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
            for name in pending:  # a header that is the model name: no matching needed
                hit = by_norm.get(name)
                if hit is not None and hit not in used:
                    fields[name] = FieldSource((hit,), None, "name")
                    used.add(hit)
            pending = [c for c in pending if c not in fields]
            source = frame if frame is not None else headers
            match = (match_columns(source, schema, columns=pending, exclude=used, weak=False)
                     if pending else None)
            for name, cand in (match.assignment.items() if match else ()):
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
        return names | {normalize_header(h) for h in self.named_headers()}

    def named_headers(self) -> list[str]:
        """Return the headers named by fill-down, price unit, drop rules, derived and detect.

        Derived expressions contribute their backticked headers and bare names.
        """
        out = [*self.fill_down, *([self.price_unit] if self.price_unit else [])]
        out += [c for rule in self.drop_rows for c in rule.columns]
        for expr in self.derived.values():
            out += [*expr.headers, *expr.names]
        if self.detect is not None:
            out += [*self.detect.required, *self.detect.any]
        return out

    def without_derived(self, resolved: Resolved, headers: list[str]) -> Resolved:
        """Drop automatic matches of derived columns; headers the engine keys use are used.

        A derived column is computed by its expression, so a header matched to
        it automatically (``Delivery Date`` for ``delivery_date``) is not used
        for it. Headers named by derived expressions and the price unit no
        longer count as unused.
        """
        fields = {c: fs for c, fs in resolved.fields.items() if c not in self.derived}
        used = {h for fs in fields.values() for h in fs.columns} | set(resolved.extras.values())
        aux = [*(h for e in self.derived.values() for h in (*e.headers, *e.names)),
               *([self.price_unit] if self.price_unit else [])]
        used_norm = {normalize_header(h) for h in aux}
        unused = [h for h in headers if h not in used and normalize_header(h) not in used_norm]
        return Resolved(fields, resolved.extras, resolved.not_found, unused)


@dataclass(frozen=True)
class Resolved:
    """A mapping matched against one source's headers."""

    fields: dict[str, FieldSource]
    extras: dict[str, str]
    not_found: dict[str, list[str]]
    unused: list[str]


_ENGINE_KEYS = ("detect", "header_scan", "fill_down", "fill_down_key", "price_unit", "drop_rows",
                "derived", "keep_unmapped")


def _check_value_map(schema: Table, model_col: str, fs: FieldSource, origin: str) -> None:
    """Values can be mapped for text and flag columns only."""
    if fs.value_map is None:
        return
    type_ = schema.column(model_col).type
    if type_ not in ("string", "bool"):
        raise MappingError(
            f"{model_col}.values: {model_col} holds {type_} values, which are read, not mapped",
            key=f"{model_col}.values", source=origin,
            fix="map values only for text columns (status) and flag columns (true/false); "
                "compute other columns under derived:.")
    wrong = [v for v in fs.value_map.values()
             if (type_ == "bool" and not isinstance(v, bool))
             or (type_ == "string" and isinstance(v, (dict, list)))]
    if wrong:
        what = "true/false" if type_ == "bool" else "text"
        raise MappingError(
            f"{model_col}.values: {wrong[0]!r} is not a {what} value",
            key=f"{model_col}.values", source=origin,
            fix=("map each source value to true or false." if type_ == "bool" else
                 "map each source value to a text such as open, delivered, cancelled."))


def _headers(value: object, key: str, origin: str) -> tuple[str, ...]:
    """Return a header or a list of headers as a tuple of text."""
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip()
                                                 for v in value):
        return tuple(value)
    raise MappingError(f"{key} must be a header or a list of headers, not {value!r}", key=key,
                       source=origin, fix=f"write {key}: [Header 1, Header 2].")


def _flag(spec: dict, key: str, origin: str) -> bool | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, bool):
        raise MappingError(f"{key} must be true or false, not {value!r}", key=key, source=origin,
                           fix=f"write {key}: true.")
    return value


def _engine_options(spec: dict, schema: Table, columns: set[str], extras: set[str],
                    origin: str) -> dict:
    """Parse and check the keys for ERP exports (see the module docstring)."""
    scan = spec.get("header_scan")
    if scan is not None and (isinstance(scan, bool) or not isinstance(scan, int)
                             or not 1 <= scan <= 1000):
        raise MappingError(f"header_scan must be a whole number of rows from 1 to 1000, not "
                           f"{scan!r}", key="header_scan", source=origin,
                           fix="write header_scan: 40 to search the first 40 rows for the header.")
    fill = _headers(spec["fill_down"], "fill_down", origin) if spec.get("fill_down") else ()
    key = spec.get("fill_down_key")
    if key is not None:
        if not isinstance(key, str) or not key.strip():
            raise MappingError(f"fill_down_key must be one header, not {key!r}",
                               key="fill_down_key", source=origin)
        if not fill:
            raise MappingError("fill_down_key needs fill_down: the headers to fill",
                               key="fill_down_key", source=origin,
                               fix="list the headers to fill under fill_down:.")
        if normalize_header(key) not in {normalize_header(h) for h in fill}:
            fill = (key, *fill)
    price_unit = spec.get("price_unit")
    if price_unit is not None:
        price_unit = _headers(price_unit, "price_unit", origin)
        if len(price_unit) != 1:
            raise MappingError("price_unit must be one header", key="price_unit", source=origin)
        price_unit = price_unit[0]
    return {"detect": _detect_block(spec.get("detect"), origin), "header_scan": scan,
            "fill_down": fill, "fill_down_key": key, "price_unit": price_unit,
            "drop_rows": _drop_rules(spec.get("drop_rows"), origin),
            "derived": _derived(spec.get("derived"), schema, columns, extras, origin),
            "keep_unmapped": _flag(spec, "keep_unmapped", origin)}


def _detect_block(det: object, origin: str) -> DetectBlock | None:
    if det is None:
        return None
    if not isinstance(det, dict):
        raise MappingError("'detect' must be a mapping with a 'required' list of headers",
                           key="detect", source=origin,
                           fix="write detect: {required: [Header 1, Header 2], any: [...]}.")
    unknown = set(det) - {"required", "any", "language"}
    if unknown:
        raise MappingError(f"unknown detect key(s) {sorted(unknown)}", key="detect",
                           source=origin, fix="use only required, any, language.")
    if not det.get("required"):
        raise MappingError("detect.required must list at least one header",
                           key="detect.required", source=origin,
                           fix="list the headers every export of this kind has.")
    required = _headers(det["required"], "detect.required", origin)
    any_ = _headers(det["any"], "detect.any", origin) if det.get("any") else ()
    lang = det.get("language")
    if lang is not None and not (isinstance(lang, str) and 0 < len(lang.strip()) <= 20):
        raise MappingError(f"detect.language must be a short label such as en, de, zh, not "
                           f"{lang!r}", key="detect.language", source=origin)
    return DetectBlock(required, any_, lang)


def _drop_rules(rules: object, origin: str) -> tuple[DropRule, ...]:
    if rules is None:
        return ()
    if not isinstance(rules, list):
        raise MappingError("drop_rows must be a list of rules", key="drop_rows", source=origin,
                           fix='write drop_rows: [{column: Order, pattern: "^Total", '
                               'reason: total_row}].')
    out = []
    for k, rule in enumerate(rules, start=1):
        key = f"drop_rows[{k}]"
        if not isinstance(rule, dict) or set(rule) - {"column", "any_column", "pattern",
                                                      "reason"}:
            raise MappingError(f"{key}: a rule has column (or any_column: true), pattern and "
                               f"reason, not {rule!r}", key=key, source=origin)
        anycol = rule.get("any_column", False)
        if not isinstance(anycol, bool) or anycol == ("column" in rule):
            raise MappingError(f"{key}: give either column: <header> or any_column: true",
                               key=key, source=origin)
        pattern = rule.get("pattern")
        if not isinstance(pattern, str) or not pattern:
            raise MappingError(f"{key}: pattern must be a regular expression (text)", key=key,
                               source=origin)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise MappingError(f"{key}: pattern {pattern!r} is not a valid regular expression "
                               f"({exc})", key=key, source=origin,
                               fix="quote it in YAML and escape backslashes: \"^\\\\s*Total\".") \
                from exc
        reason = rule.get("reason", "dropped_row")
        if not isinstance(reason, str) or not _REASON.match(reason):
            raise MappingError(f"{key}: reason must be a lower-case code such as total_row, not "
                               f"{reason!r}", key=key, source=origin)
        cols = () if anycol else _headers(rule["column"], f"{key}.column", origin)
        out.append(DropRule(pattern, reason, cols, anycol))
    return tuple(out)


def _derived(spec: object, schema: Table, columns: set[str], extras: set[str],
             origin: str) -> dict[str, Expression]:
    """Parse the expressions and order them so each comes after the derived columns it uses."""
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise MappingError("'derived' must map column -> expression", key="derived",
                           source=origin,
                           fix='write derived: {promised_date: "order_date + days(`Lead`)"}.')
    parsed: dict[str, Expression] = {}
    for target, text in spec.items():
        target = str(target)
        if target in columns or target in extras:
            raise MappingError(f"derived {target} is also mapped under "
                               f"{'columns' if target in columns else 'extra'}:",
                               key=f"derived.{target}", source=origin,
                               fix="keep one: a header under columns:, or an expression under "
                                   "derived:.")
        if target in LINEAGE_RENAMES or target in LINEAGE_RENAMES.values() or not target.strip():
            raise MappingError(f"derived column name {target!r} is reserved for lineage",
                               key=f"derived.{target}", source=origin,
                               fix="choose another name.")
        parsed[target] = parse_expression(target, text, origin)
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " -> ".join((*path[path.index(name):], name))
            raise MappingError(f"derived columns use each other in a circle: {cycle}",
                               key=f"derived.{name}", source=origin,
                               fix="compute one of them from source headers; a header with the "
                                   "same name as a column goes in backticks.")
        state[name] = 1
        for dep in parsed[name].names:
            if dep in parsed:
                visit(dep, (*path, name))
        state[name] = 2
        order.append(name)

    for name in parsed:
        visit(name, ())
    return {name: parsed[name] for name in order}


def _field_source(model_col: str, src: object, origin: str) -> FieldSource:
    if isinstance(src, str):
        return FieldSource((src,))
    if isinstance(src, list) and src and all(isinstance(s, str) for s in src):
        return FieldSource(tuple(src))
    if isinstance(src, dict) and "column" in src:
        unknown = sorted(set(src) - {"column", "values", "other"})
        if unknown:
            raise MappingError(f"{model_col}: unknown key(s) {unknown}",
                               key=f"{model_col}.{unknown[0]}", source=origin,
                               fix="use column, values and other.")
        cols = src["column"]
        cols = (cols,) if isinstance(cols, str) else tuple(cols)
        values = src.get("values")
        if values is not None and not isinstance(values, dict):
            raise MappingError(f"{model_col}.values must map source value -> value",
                               key=f"{model_col}.values", source=origin)
        other = src.get("other")
        if other is not None and (values is None or isinstance(other, (dict, list, bool))):
            raise MappingError(f"{model_col}.other must be a text next to values:, not {other!r}",
                               key=f"{model_col}.other", source=origin,
                               fix="write e.g. {column: Reason for Rejection, values: {}, "
                                   "other: cancelled}.")
        return FieldSource(cols, None if values is None else value_lookup(values),
                           other=None if other is None else str(other))
    raise MappingError(
        f"cannot read the mapping for {model_col!r}: {src!r}", key=model_col, source=origin,
        fix="give a header, a list of headers, or {column: header, values: {...}}.")
