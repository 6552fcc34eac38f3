"""Tables and Markdown in reports that show customer text as text, never run it.

Reports are HTML files that open in a browser, and their tables and headings
carry names from the data (customers, items, regions, segments, free text).
Three channels turn such text into markup unless it is escaped:

* a pandas ``Styler`` does **not** escape cell text, index or column labels by
  default (``DataFrame`` display and ``to_html`` do);
* Markdown built from data (``display(Markdown(f"..."))``) passes raw HTML through
  and reads ``*``, ``[...](...)``, backticks as formatting;
* a right-to-left override (U+202E) in a name reverses the rest of a sentence.

:func:`safe_display` (the first code cell of every notebook calls it) makes
every ``Styler`` of the kernel escape its cell text by default; :func:`styled`
builds a ``Styler`` whose cells, index and column labels are all escaped, also
where number formats are given; :func:`md` escapes a value for Markdown
(:func:`workbench.planning.notices.md_escape`) and isolates bidirectional
controls (:func:`isolate_bidi`).

:func:`report_table` is the one table helper of the reports: headers in the
report's language with units and currency (:func:`workbench.i18n.label`), each
column written by its kind (:class:`ColumnKind`: whole quantities without
decimals, rates as percentages, one date format per language, codes as words,
``–`` for missing values), every cell escaped, no row-number column, IDs kept
on one line and long text wrapped. In a rendered report the headers sort and a
box filters the rows (``wb-tables.js`` of the offline template, no network);
a wide table scrolls inside its own box, never the page. See docs/reports.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from workbench.exceptions import ChoiceError, FrameTypeError, RangeError
from workbench.i18n import code_words, column_label, fmt_date, fmt_money, fmt_pct, label
from workbench.planning.notices import md_escape
from workbench.text import escape_html
from workbench.validation import check_language

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = [
    "BIDI_CONTROLS",
    "MISSING",
    "ColumnKind",
    "ColumnSpec",
    "ReportTable",
    "column_kind",
    "isolate_bidi",
    "md",
    "report_table",
    "safe_display",
    "styled",
]

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Unicode bidirectional control characters (marks, embeddings, overrides, isolates)."""

_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_FSI, _PDI = "\u2068", "\u2069"


def safe_display() -> None:
    """Make every pandas ``Styler`` of this kernel HTML-escape its cell text by default.

    Sets the pandas option ``styler.format.escape`` to ``"html"``. A notebook
    calls it in its first code cell; ``DataFrame`` display escapes already. The
    option covers cells a ``Styler`` formats by default, not index or column
    labels nor cells given an explicit format: use :func:`styled` for those.

    Examples
    --------
    >>> safe_display()
    >>> "<b>" in pd.DataFrame({"name": ["<b>x</b>"]}).style.to_html()
    False
    >>> pd.reset_option("styler.format.escape")
    """
    pd.set_option("styler.format.escape", "html")


def styled(frame: pd.DataFrame, formats: str | Mapping[str, str] | None = None, *,
           na_rep: str | None = None, hide_index: bool = False) -> Styler:
    """Return a ``Styler`` of ``frame`` that HTML-escapes every cell, index and column label.

    Parameters
    ----------
    frame
        The table to show.
    formats
        Number formats: one format string for every cell, or a mapping of column
        to format string (``{"share": "{:.1%}"}``); text cells are escaped first.
    na_rep
        Text for missing values (pandas' default when ``None``).
    hide_index
        Hide the row labels.

    Returns
    -------
    pandas.io.formats.style.Styler
        Further ``.format(...)`` calls on it should pass ``escape="html"`` too.

    Examples
    --------
    >>> frame = pd.DataFrame({"<i>name</i>": ["<script>x</script>"], "share": [0.5]})
    >>> html = styled(frame, {"share": "{:.0%}"}).to_html()
    >>> "<script>" in html, "&lt;script&gt;x&lt;/script&gt;" in html, "50%" in html
    (False, True, True)
    >>> "<i>" in html
    False
    """
    st = frame.style.format(escape="html", na_rep=na_rep)
    if formats is not None:
        st = st.format(formats, escape="html", na_rep=na_rep)
    st = st.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    return st.hide(axis="index") if hide_index else st


def isolate_bidi(text: str) -> str:
    """Wrap ``text`` in a bidirectional isolate when it holds bidi control characters.

    A right-to-left override (U+202E) in a customer name would otherwise reverse
    the rest of the sentence or title it is shown in. Text without such
    characters is returned unchanged.

    Examples
    --------
    >>> isolate_bidi("Acme")
    'Acme'
    >>> isolate_bidi("gnp.\u202eexe") == "\u2068gnp.\u202eexe\u2069"
    True
    """
    return f"{_FSI}{text}{_PDI}" if _BIDI.search(text) else text


def md(value: object) -> str:
    r"""Escape a value from the data for a Markdown report (``display(Markdown(...))``).

    HTML, Markdown formatting and leading list or heading markers are escaped
    (:func:`workbench.planning.notices.md_escape`), line breaks become spaces, and
    bidi controls are isolated (:func:`isolate_bidi`). The result renders as the
    value's text, literally.

    Examples
    --------
    >>> md('"><img src=x onerror=alert(2)>')
    '"\\>\\<img src=x onerror=alert\\(2\\)\\>'
    >>> md("[x](javascript:alert(1))")
    '\\[x\\]\\(javascript:alert\\(1\\)\\)'
    """
    return isolate_bidi(md_escape(value))


MISSING = "–"
"""What a report table shows for a missing value (an en dash)."""

_MISSING_TEXTS = frozenset({"nan", "NaN", "None", "<NA>", "NaT", "none", "null"})


class ColumnKind(StrEnum):
    """How :func:`report_table` writes a column's cells (values match :class:`workbench.i18n.ColumnLabel`)."""

    TEXT = "text"
    """Free text: escaped, wrapped (never cut), left-aligned."""
    ID = "id"
    """Identifier (``ITM-0025``): kept on one line."""
    CODE = "code"
    """Internal code shown as words (:func:`workbench.i18n.code_words`)."""
    INTEGER = "integer"
    """Count or quantity: thousands separators, no decimals when whole."""
    NUMBER = "number"
    """Number with ``digits`` decimals (1 unless given)."""
    MONEY = "money"
    """Amount: currency in the header, thousands separators."""
    PERCENT = "percent"
    """A fraction written as a percentage (``0.971`` -> ``97.1%``)."""
    DATE = "date"
    """Date in the report language's one format (:func:`workbench.i18n.fmt_date`)."""
    DAYS = "days"
    """Duration in days (unit in the header), whole days without decimals."""
    BOOL = "bool"
    """Yes / no (是 / 否)."""

    @property
    def numeric(self) -> bool:
        """Whether cells are right-aligned and sort by their number."""
        return self in (ColumnKind.INTEGER, ColumnKind.NUMBER, ColumnKind.MONEY,
                        ColumnKind.PERCENT, ColumnKind.DAYS)


@dataclass(frozen=True)
class ColumnSpec:
    """Override how one column of :func:`report_table` is headed and written.

    Attributes
    ----------
    label
        Header text (as given; escaped). ``None``: :func:`workbench.i18n.label`.
    kind
        A :class:`ColumnKind` or its value (``"money"``). ``None``: inferred.
    digits
        Decimals of NUMBER / MONEY / PERCENT / DAYS cells. ``None``: the kind's default.
    compact
        MONEY only: short amounts (``1.08 m``, ``108.4万``, :func:`workbench.i18n.fmt_money`).
    """

    label: str | None = None
    kind: ColumnKind | str | None = None
    digits: int | None = None
    compact: bool = False


@dataclass(frozen=True)
class ReportTable:
    """A rendered report table: ``display(table)`` shows it in JupyterLab and in reports.

    Attributes
    ----------
    html
        The table's HTML (escaped cells, no scripts).
    rows
        Rows of the frame (without its ``total_rows``).
    shown
        Rows in the table's body (``max_rows`` may cut the rest; a note says so).
    headers
        The header texts, in order (unescaped).
    kinds
        The kind of each column, in order.
    """

    html: str
    rows: int
    shown: int
    headers: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


_MONEY_NAME = re.compile(r"(^|_)(cost|costs|value|revenue|price|amount|spend)$|^revenue")
_NOTES = {
    "en": {"below": "below target", "shown": "Showing {n:,} of {m:,} rows."},
    "zh": {"below": "低于目标", "shown": "显示 {m:,} 行中的 {n:,} 行。"},
}


def _whole(values: pd.Series) -> bool:
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(np.all(np.isfinite(v) & (v == np.round(v))))


def _kind_from_name(name: str, values: pd.Series) -> ColumnKind | None:
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if name.endswith(("_rate", "_share", "_pct", "_ratio")) and numeric:
        return ColumnKind.PERCENT
    if name.endswith("_date") or pd.api.types.is_datetime64_any_dtype(values):
        return ColumnKind.DATE
    if name.endswith(("_id", "_code", "_no")) and not numeric:
        return ColumnKind.ID
    if numeric and _MONEY_NAME.search(name):
        return ColumnKind.MONEY
    if numeric and (name.endswith("_days") or name.startswith("days_")):
        return ColumnKind.DAYS
    if numeric and (name.endswith("_qty") or name.startswith("qty_")):
        return ColumnKind.INTEGER if _whole(values) else ColumnKind.NUMBER
    return None


def column_kind(name: object, values: pd.Series) -> ColumnKind:
    """Infer the kind of a column: the registry, then its name, then its values.

    :data:`workbench.i18n.COLUMN_LABELS` first; then the name (``_rate``,
    ``_share`` -> PERCENT; ``_date`` -> DATE; ``_id`` -> ID; ``_cost``,
    ``_value``, ``revenue`` -> MONEY; ``_days`` -> DAYS; ``_qty`` -> INTEGER when
    whole); then the dtype (bool -> BOOL, whole numbers -> INTEGER, other
    numbers -> NUMBER, dates -> DATE); anything else is TEXT.

    Examples
    --------
    >>> column_kind("expedite_cost", pd.Series([1.5])).value, column_kind("fill_share", pd.Series([0.5])).value
    ('money', 'percent')
    >>> column_kind("qty", pd.Series([12.0, 3.0])).value, column_kind("x", pd.Series([1.5])).value
    ('integer', 'number')
    """
    entry = column_label(str(name))
    if entry is not None:
        kind = ColumnKind(entry.kind)
        if kind is ColumnKind.INTEGER and not _whole(values):
            return ColumnKind.NUMBER
        return kind
    by_name = _kind_from_name(str(name), values)
    if by_name is not None:
        return by_name
    if pd.api.types.is_bool_dtype(values):
        return ColumnKind.BOOL
    if pd.api.types.is_numeric_dtype(values):
        return ColumnKind.INTEGER if _whole(values) else ColumnKind.NUMBER
    return ColumnKind.TEXT


def _is_missing(values: pd.Series) -> np.ndarray:
    miss = values.isna().to_numpy()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("object").where(~miss, "").map(str).str.strip()
        miss = miss | text.isin(_MISSING_TEXTS).to_numpy()
    return miss


def _digits(kind: ColumnKind, spec_digits: int | None, numbers: np.ndarray) -> int:
    if spec_digits is not None:
        return spec_digits
    whole = bool(np.all(numbers == np.round(numbers)))
    if kind in (ColumnKind.INTEGER, ColumnKind.DAYS, ColumnKind.MONEY):
        if whole or (kind is ColumnKind.MONEY and np.nanmax(np.abs(numbers), initial=0) >= 100):
            return 0
        return 1 if kind is not ColumnKind.MONEY else 2
    return 1


def _cells(name: str, values: pd.Series, kind: ColumnKind, spec: ColumnSpec, lang: str,
           currency: str) -> tuple[list[str], list[str | None], np.ndarray]:
    """Return the cells' texts (unescaped), their sort keys and the numbers (NaN if none)."""
    miss = _is_missing(values)
    present = values[~miss]
    numbers = np.full(len(values), np.nan)
    sort: list[str | None] = [None] * len(values)
    if kind.numeric or (kind is ColumnKind.CODE and pd.api.types.is_numeric_dtype(values)):
        nums = pd.to_numeric(present, errors="coerce").to_numpy(dtype=float)
        numbers[~miss] = nums
    if kind.numeric:
        nums = numbers[~miss]
        d = _digits(kind, spec.digits, nums[np.isfinite(nums)])
        if kind is ColumnKind.PERCENT:
            texts = [fmt_pct(x, lang, d) for x in nums]
        elif kind is ColumnKind.MONEY and spec.compact:
            texts = [fmt_money(x, lang) for x in nums]
        else:
            texts = [f"{x:,.{d}f}" for x in nums]
    elif kind is ColumnKind.DATE:
        stamps = pd.to_datetime(present, errors="coerce")
        texts = [MISSING if pd.isna(x) else fmt_date(x, lang) for x in stamps]
        iso = [None if pd.isna(x) else f"{x:%Y-%m-%d}" for x in stamps]
        for i, key in zip(np.flatnonzero(~miss), iso, strict=True):
            sort[i] = key
    elif kind in (ColumnKind.CODE, ColumnKind.BOOL):
        texts = [code_words(x, lang, name) for x in present]
    else:
        texts = [str(x) for x in present]
    out = [MISSING] * len(values)
    for i, text in zip(np.flatnonzero(~miss), texts, strict=True):
        out[i] = text
    for i in np.flatnonzero(np.isfinite(numbers)):
        sort[i] = repr(float(numbers[i]))
    return out, sort, numbers


def _spec(name: object, columns: Mapping[object, str | ColumnSpec]) -> ColumnSpec:
    given = columns.get(name)
    if isinstance(given, ColumnSpec):
        return given
    return ColumnSpec(label=given) if given is not None else ColumnSpec()


def _chosen(frame: pd.DataFrame, columns: object) -> tuple[pd.DataFrame, dict]:
    if not isinstance(frame, pd.DataFrame):
        raise FrameTypeError(f"report_table needs a pandas DataFrame, got {type(frame).__name__}",
                             key="frame", value=type(frame).__name__,
                             fix="pass a DataFrame (Series.to_frame() for a single column).")
    if any(n is not None for n in frame.index.names):
        frame = frame.reset_index()  # named row labels (a pivot's rows) are a column
    if columns is None:
        return frame, {}
    specs = dict(columns) if isinstance(columns, Mapping) else {c: None for c in columns}
    unknown = [c for c in specs if c not in frame.columns]
    if unknown:
        shown = ", ".join(repr(c) for c in list(frame.columns)[:30])
        raise ChoiceError(f"report_table: column(s) {unknown!r} are not in the frame "
                          f"(columns: {shown})", key="columns", value=unknown,
                          fix="name columns of the frame, or add them before calling report_table.")
    return frame[list(specs)], {k: v for k, v in specs.items() if v is not None}


def _targets(frame: pd.DataFrame, numbers: dict, targets: Mapping[object, object]) -> dict:
    """Return column -> boolean array of cells below their target (``numbers``: numeric columns)."""
    below = {}
    for col, target in targets.items():
        if col not in numbers:
            raise ChoiceError(f"report_table: target for column {col!r}, which is not a numeric "
                              "column of the table", key="targets", value=col,
                              fix="give targets for shown numeric columns, e.g. {'otif_order_rate': 0.95}.")
        if isinstance(target, str) and target in frame.columns:
            goal = pd.to_numeric(frame[target], errors="coerce").to_numpy(dtype=float)
        else:
            goal = np.full(len(frame), float(target))
        with np.errstate(invalid="ignore"):
            below[col] = np.isfinite(numbers[col]) & (numbers[col] < goal)
    return below


def _target_note(targets: Mapping[object, object], heads: dict, lang: str) -> str:
    """``▼ below target: OTIF (orders) 95.0%`` (fixed targets named, per-row ones not)."""
    fixed = []
    for col, goal in targets.items():
        if isinstance(goal, str):
            continue
        head, kind = heads[col]
        value = fmt_pct(float(goal), lang) if kind is ColumnKind.PERCENT else f"{float(goal):,g}"
        fixed.append(f"{head} {value}")
    sep = "：" if lang == "zh" else ": "
    return f"▼ {_NOTES[lang]['below']}" + (sep + "; ".join(fixed) if fixed else "")


def _th(head: str, kind: ColumnKind, numbers: np.ndarray) -> str:
    cls = "wb-num" if kind.numeric else f"wb-{kind.value}"
    sort = ("num" if kind.numeric or np.isfinite(numbers).any()
            else "date" if kind is ColumnKind.DATE else "text")
    return f'<th scope="col" class="{cls}" data-kind="{sort}">{escape_html(isolate_bidi(head))}</th>'


def _td(text: str, kind: ColumnKind, sort: str | None, low: bool, note: str) -> str:
    cls = {ColumnKind.ID: "wb-id", ColumnKind.TEXT: "wb-text", ColumnKind.DATE: "wb-date"}.get(
        kind, "wb-num" if kind.numeric else "wb-code")
    attr = f' data-sort="{escape_html(sort)}"' if sort is not None else ""
    body = escape_html(isolate_bidi(text))
    if low:
        cls += " wb-below"
        body += f' <span class="wb-mark" title="{escape_html(note)}">▼</span>'
    return f'<td class="{cls}"{attr}>{body}</td>'


def report_table(frame: pd.DataFrame,
                 columns: Sequence[object] | Mapping[object, str | ColumnSpec] | None = None, *,
                 lang: str = "en", currency: str | None = "",
                 targets: Mapping[object, float | str] | None = None,
                 caption: str | None = None, max_rows: int | None = None,
                 sortable: bool = True, filter: bool | None = None,  # noqa: A002
                 id_columns: Sequence[object] = (), total_rows: int = 0) -> ReportTable:
    """Render a frame as a report table for people (headers, units, formats, escaping).

    Parameters
    ----------
    frame
        The rows to show. A named index (a pivot's row labels) becomes the first
        column(s); an unnamed index (row numbers) is not shown.
    columns
        Columns to show, in order: a list of names, or a mapping of name to a
        header text or a :class:`ColumnSpec`. ``None``: every column.
    lang
        ``"en"`` or ``"zh"``: headers, dates, code words.
    currency
        ISO code of the dataset's currency (``ds.settings.currency``), written in
        the headers of money columns (``Expedite cost (USD)``).
    targets
        Column -> minimum target (a fraction for rates, or the name of a column
        holding each row's target): cells below it get the class ``wb-below`` and
        a ``▼`` marker, and a note under the table explains the marker.
    caption
        Caption above the table (escaped).
    max_rows
        Show only the first rows; a note says how many there are.
    sortable
        Headers sort the rows when clicked (in a rendered report).
    filter
        Show a filter box above the table; ``None``: when more than 8 rows are shown.
    id_columns
        More columns to keep on one line as identifiers.
    total_rows
        The last rows of ``frame`` are totals: written in the table's footer, where
        sorting and filtering leave them in place (and ``max_rows`` keeps them).

    Returns
    -------
    ReportTable
        ``.html`` and ``_repr_html_``: ``display(report_table(...))``.

    Raises
    ------
    FrameTypeError
        ``frame`` is not a DataFrame.
    ChoiceError
        A column named in ``columns`` or ``targets`` is not a (numeric) column of the frame.
    LanguageError
        ``lang`` is not ``en`` or ``zh``.

    Examples
    --------
    >>> frame = pd.DataFrame({"item_id": ["ITM-0025"], "qty_short": [12.0],
    ...                       "otif_order_rate": [0.9712], "expedite_cost": [float("nan")]})
    >>> table = report_table(frame, currency="USD")
    >>> table.headers
    ('Item', 'Quantity short (units)', 'OTIF (orders)', 'Expedite cost (USD)')
    >>> '<td class="wb-id">ITM-0025</td>' in table.html, ">12<" in table.html, ">97.1%<" in table.html
    (True, True, True)
    >>> '<td class="wb-num">–</td>' in table.html
    True
    """
    check_language(lang)
    frame, specs = _chosen(frame, columns)
    if max_rows is not None and (not isinstance(max_rows, int) or max_rows < 1):
        raise RangeError(f"report_table: max_rows={max_rows!r} must be a whole number >= 1",
                         key="max_rows", value=max_rows, fix="pass e.g. max_rows=25, or None for all.")
    if not isinstance(total_rows, int) or not 0 <= total_rows <= len(frame):
        raise RangeError(f"report_table: total_rows={total_rows!r} must be between 0 and the "
                         f"{len(frame)} rows of the frame", key="total_rows", value=total_rows,
                         fix="pass how many of the last rows are totals, e.g. total_rows=1.")
    rows = len(frame) - total_rows
    body = frame.iloc[:rows]
    shown = body if max_rows is None else body.iloc[:max_rows]
    n_body = len(shown)
    if total_rows:
        shown = pd.concat([shown, frame.iloc[rows:]])
    ids = set(id_columns)
    headers, kinds, body_cols, numbers = [], [], [], {}
    for pos, name in enumerate(shown.columns):
        spec = _spec(name, specs)
        values = shown.iloc[:, pos]
        kind = (ColumnKind(spec.kind) if spec.kind is not None
                else ColumnKind.ID if name in ids else column_kind(name, values))
        head = spec.label if spec.label is not None else label(str(name), lang, currency)
        texts, sort, nums = _cells(str(name), values, kind, spec, lang, currency or "")
        headers.append(head)
        kinds.append(kind)
        body_cols.append((texts, sort))
        numbers[name] = nums
    below = _targets(shown, {n: v for (n, v), k in zip(numbers.items(), kinds, strict=True)
                             if k.numeric}, targets or {})
    note = _NOTES[lang]["below"]
    th = "".join(_th(h, k, numbers[n]) for h, k, n in zip(headers, kinds, shown.columns,
                                                           strict=True))
    lows = [below.get(n, np.zeros(len(shown), dtype=bool)) for n in shown.columns]
    trs = [
        "<tr>" + "".join(_td(texts[i], k, sort[i], bool(low[i]), note)
                         for (texts, sort), k, low in zip(body_cols, kinds, lows, strict=True)) + "</tr>"
        for i in range(len(shown))]
    tfoot = f"<tfoot>{''.join(trs[n_body:])}</tfoot>" if total_rows else ""
    trs = "".join(trs[:n_body])
    use_filter = n_body > 8 if filter is None else bool(filter)
    attrs = (' data-wb-sort="1"' if sortable else "") + (' data-wb-filter="1"' if use_filter else "")
    cap = f"<caption>{escape_html(isolate_bidi(caption))}</caption>" if caption else ""
    notes = []
    if any(low.any() for low in below.values()):
        notes.append(_target_note(targets or {}, dict(zip(shown.columns, zip(headers, kinds,
                                                                             strict=True),
                                                          strict=True)), lang))
    if n_body < rows:
        notes.append(_NOTES[lang]["shown"].format(n=n_body, m=rows))
    foot = "".join(f'<p class="wb-table-note">{escape_html(n)}</p>' for n in notes)
    html = (f'<div class="wb-table-block"><div class="wb-table-wrap" style="overflow-x:auto;'
            f'max-width:100%"><table class="wb-table"{attrs}>{cap}<thead><tr>{th}</tr></thead>'
            f'<tbody>{trs}</tbody>{tfoot}</table></div>{foot}</div>')
    return ReportTable(html=html, rows=rows, shown=n_body, headers=tuple(headers),
                       kinds=tuple(kinds))
