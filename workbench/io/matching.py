"""Header matching: rank a source's headers for each data-model column by evidence.

When a source comes without a mapping (or a mapping leaves columns to
``auto``), each model column is matched to the source header that the
evidence favours. Three kinds of evidence count:

1. **Names**: the model name and its synonyms in :mod:`workbench.io.schema`
   (English, Chinese and common ERP technical keys).
2. **Spelling**: headers are compared after normalising case, punctuation,
   underscores and camelCase (``OrderId``, ``order_id`` and ``ORDER-ID`` are one
   name), after dropping a parenthetical suffix (``order date (DateOrders)``,
   ``Quantity (Sales Order Item)``) or a path prefix (``Order Lines/Quantity``);
   a header that contains a multi-word synonym (``Order Customer Id`` contains
   ``customer id``) or carries the column's kind word with a shared qualifier
   (``Promise Dt`` for ``promised_date``) is a weaker candidate.
3. **Values**: the first :data:`SAMPLE_SIZE` non-blank raw values of the
   header must fit the column: a date column's values mostly read as dates
   (Excel serial numbers do not count), a quantity's as numbers >= 0, a line
   number's as whole numbers, a flag's as yes/no; an identifier column is not
   free text with spaces, not dates, not decimal numbers, and (for order,
   customer and item) not mostly small whole numbers such as flags or months.

Scores run from 0 to 1:

===========================================  =====
exact model name                             1.00
exact synonym (-0.001 per place in the list)  0.95 .. 0.90
the same after dropping ``(...)`` or a path  -0.05
same words in another order / run together   -0.03 / -0.02
generic ``Date`` / ``日期`` for order_date      0.85 (0.55 when another header names it)
contains a multi-word synonym                0.75 (less for each extra word), floor 0.60
has the kind word (and a shared qualifier)   0.35 (0.50)
===========================================  =====

then the values adjust them: +0.05 when at least 90 % fit, -0.10 from 50 %,
x0.6 from 20 %, x0.1 below (an exact model name keeps its score: the load then
reports the unusable values row by row). A match is applied when it scores at
least :data:`APPLY_SCORE`; a weaker one is only a suggestion (in the
``MissingColumnsError`` hint, or in :class:`MappingGuess`). The assignment is
one-to-one: the best-scoring pairs are taken first (exact model names before
anything else, a required column before an optional one within 0.05), and no
header is used twice.

>>> guess = suggest_mapping(["OrderId", "Line No.", "Sold-To Party", "Material",
...                          "order date (DateOrders)", "Order Quantity (Item)"])
>>> guess.mapping["order_id"], guess.mapping["customer_id"], guess.mapping["qty_ordered"]
('OrderId', 'Sold-To Party', 'Order Quantity (Item)')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.io.parsing import (
    ISSUE_DATE_EXCEL_SERIAL,
    decoded_text,
    parse_bool,
    parse_date,
    parse_number,
    parse_string,
)
from workbench.io.schema import TABLES, Column, Table, get_table

__all__ = [
    "APPLY_SCORE",
    "Candidate",
    "ColumnMatch",
    "MappingGuess",
    "SAMPLE_SIZE",
    "SUGGEST_SCORE",
    "header_tokens",
    "match_columns",
    "suggest_mapping",
]

APPLY_SCORE = 0.7
"""A candidate scoring at least this is applied without a mapping."""
SUGGEST_SCORE = 0.3
"""A candidate scoring at least this (but below :data:`APPLY_SCORE`) is a suggestion."""
SAMPLE_SIZE = 2000
"""Non-blank values read per header for the value evidence."""
_SCAN_ROWS = 50_000
"""Rows scanned to find :data:`SAMPLE_SIZE` non-blank values."""

_GENERIC_DATES = {"order_date": ("date", "日期", "业务日期")}
"""Headers that name a date without saying which: the order date when no header names it."""

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"#|[{_CJK}]+|[^\W_{_CJK}]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SUFFIX = re.compile(r"^(?P<head>.*?\S)\s*[(\[（【][^()\[\]（）【】]*[)\]）】]\s*$")
_CANON = {"quantity": "qty", "quantities": "qty", "number": "no", "num": "no", "nr": "no",
          "nbr": "no", "#": "no", "identifier": "id"}
_NO_CONTAINMENT = frozenset({
    "order", "line", "date", "no", "id", "code", "so", "qty", "status", "state", "price", "rate",
    "name", "type", "created", "item", "product", "customer", "client", "site", "position",
    "sequence", "idx", "article", "数量", "日期", "单号", "产品", "物料", "客户", "状态", "仓库",
    "地点", "工厂"})
"""Synonyms too generic to find inside a longer header (they still match exactly)."""

_KIND_WORDS = {
    "date": frozenset({"date", "datetime", "time", "timestamp", "dt", "日期", "时间"}),
    "qty": frozenset({"qty", "units", "pcs", "pieces", "volume", "数量", "件数"}),
    "price": frozenset({"price", "rate", "单价", "价格"}),
    "id": frozenset({"id", "no", "code", "key", "ref", "reference", "编号", "编码", "代码", "单号"}),
    "line": frozenset({"line", "seq", "sequence", "pos", "position", "idx", "行号", "项次"}),
    "status": frozenset({"status", "state", "状态"}),
    "site": frozenset({"site", "plant", "warehouse", "wh", "location", "仓库", "工厂"}),
    "money": frozenset({"amount", "value", "total", "cost", "金额", "价税合计"}),
}
"""Words a header must carry to be a similar-name candidate for a column of that kind."""
_SHARED_SYNONYMS = frozenset({"order_id", "line_no", "customer_id", "item_id", "site"})
"""Identifier columns whose synonyms in one table hold in every table that has them."""
_SMALL_INT_ID = frozenset({"order_id", "customer_id", "item_id"})
"""Identifier columns that are never mostly small whole numbers (flags, counts, months)."""


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Candidate:
    """One source header as a candidate for a model column.

    Attributes
    ----------
    header
        The source header, as written in the source.
    score
        Strength of the evidence, 0 .. 1 (see the module docstring).
    evidence
        Words saying why: the name or synonym matched, what the values showed.
    how
        ``name``, ``synonym`` or ``similar`` (the kind of name evidence).
    """

    header: str
    score: float
    evidence: tuple[str, ...]
    how: str

    def describe(self) -> str:
        """Return ``'header' (0.95: evidence; evidence)`` for messages."""
        return f"{self.header!r} ({self.score:.2f}: {'; '.join(self.evidence)})"


@dataclass(frozen=True)
class ColumnMatch:
    """Headers ranked per model column, and the one-to-one best assignment.

    Attributes
    ----------
    table
        Data-model table matched.
    ranked
        Model column -> candidates scoring at least 0.1, best first.
    assignment
        Model column -> the candidate applied (score >= the apply score), no
        header used twice.
    """

    table: str
    ranked: dict[str, tuple[Candidate, ...]]
    assignment: dict[str, Candidate]

    def suggestions(self, column: str, n: int = 3) -> tuple[Candidate, ...]:
        """Return up to ``n`` candidates for ``column`` scoring at least :data:`SUGGEST_SCORE`."""
        return tuple(c for c in self.ranked.get(column, ()) if c.score >= SUGGEST_SCORE)[:n]


@dataclass(frozen=True)
class MappingGuess:
    """A first mapping for a source, with how sure each part is.

    Attributes
    ----------
    table
        Data-model table.
    mapping
        Model column -> source header, for the matches strong enough to apply
        (what a load without a mapping uses).
    confidence
        Every model column of the table -> 0 .. 1: the score of its mapped
        header, else of its best suggestion (below :data:`APPLY_SCORE`), else 0.
    evidence
        Every model column -> the evidence behind its confidence (empty when 0).
    suggestions
        Every model column -> its ranked candidates (applied or not).
    missing
        Required columns with no header strong enough to apply.
    unused
        Source headers the mapping does not use.
    """

    table: str
    mapping: dict[str, str]
    confidence: dict[str, float]
    evidence: dict[str, tuple[str, ...]]
    suggestions: dict[str, tuple[Candidate, ...]]
    missing: tuple[str, ...]
    unused: tuple[str, ...]

    def as_dict(self) -> dict:
        """Return the mapping in the YAML form ``{"table": ..., "columns": {...}}``."""
        return {"table": self.table, "columns": dict(self.mapping)}


# --------------------------------------------------------------------------- names
def header_tokens(name: object) -> tuple[str, ...]:
    """Return the words of a header or model name, normalised for matching.

    Case, punctuation, underscores and camelCase do not matter; Chinese runs
    stay whole words; ``quantity``/``number``/``#`` become ``qty``/``no``.

    >>> header_tokens("ORDER-ID"), header_tokens("OrderId"), header_tokens("order_id")
    (('order', 'id'), ('order', 'id'), ('order', 'id'))
    >>> header_tokens("Order Item Quantity"), header_tokens("PO / SO #")
    (('order', 'item', 'qty'), ('po', 'so', 'no'))
    """
    text = unicodedata.normalize("NFKC", str(name)).replace("\ufeff", "")
    text = _CAMEL.sub(" ", text).casefold()
    return tuple(_CANON.get(t, t) for t in _TOKEN.findall(text))


@dataclass(frozen=True)
class _Variant:
    """One reading of a header: its tokens, the penalty for reading it so, and what was dropped.

    ``loose``: the reading may also match words in another order, contain a
    synonym or carry a kind word (not a header read with its ``(...)`` suffix,
    whose words are a qualifier). ``core``: the header without its suffixes.
    """

    tokens: tuple[str, ...]
    penalty: float
    dropped: str
    loose: bool = True
    core: bool = True


def _variants(header: str) -> tuple[_Variant, ...]:
    """Read a header as written, without a parenthetical suffix, and as its last path segment.

    The suffix (``(Sales Order Item)``) and the path prefix (``Order Lines/``)
    qualify the core; the readings that keep them match only exactly.
    """
    text = unicodedata.normalize("NFKC", str(header)).strip()
    heads = []
    m = _SUFFIX.match(text)
    while m:  # "Order Quantity (Item) [pcs]" -> "Order Quantity (Item)" -> "Order Quantity"
        heads.append(m.group("head"))
        m = _SUFFIX.match(heads[-1])
    core = heads[-1] if heads else text
    prefix, sep, last = core.rpartition("/")
    path = bool(sep and prefix.strip() and last.strip())
    out = [_Variant(header_tokens(text), 0.0, "", loose=not heads and not path,
                    core=not heads and not path)]
    out += [_Variant(header_tokens(h), 0.05, text[len(h):].strip(), loose=not path,
                     core=h is heads[-1] and not path) for h in heads]
    if path:
        suffix = text[len(core):].strip()
        out.append(_Variant(header_tokens(last), 0.05,
                            prefix.strip() + "/" + (f" and {suffix}" if suffix else "")))
    return tuple(v for v in out if v.tokens)


@dataclass(frozen=True)
class _Phrase:
    tokens: tuple[str, ...]
    base: float
    how: str
    text: str
    generic: bool = False


@functools.lru_cache(maxsize=64)
def _phrases(table: str, column: str) -> tuple[_Phrase, ...]:
    """Return the model name, its synonyms (shared across tables for ids) and generic names."""
    col = get_table(table).column(column)
    synonyms = list(col.synonyms)
    if column in _SHARED_SYNONYMS:
        synonyms += [s for t in TABLES.values() if column in t.names
                     for s in t.column(column).synonyms if s not in synonyms]
    out = [_Phrase(header_tokens(col.name), 1.0, "name", col.name)]
    out += [_Phrase(header_tokens(s), round(max(0.9, 0.95 - 0.001 * i), 3), "synonym", s)
            for i, s in enumerate(synonyms)]
    out += [_Phrase(header_tokens(s), 0.85, "synonym", s, generic=True)
            for s in _GENERIC_DATES.get(column, ())]
    return tuple(p for p in out if p.tokens)


def _kind(col: Column) -> str | None:
    """Return the kind of a model column, for similar-name candidates and value checks."""
    name = col.name
    if col.type == "date":
        return "date"
    if name in ("line_no", "change_seq"):
        return "line"
    if name in ("status", "site"):
        return name
    if col.type == "float" and ("qty" in name.split("_") or name in ("on_hand", "allocated")):
        return "qty"
    if col.type == "float" and ("price" in name or "cost" in name):
        return "price"
    if col.type == "string" and (name.endswith("_id") or name == "substituted_item"):
        return "id"
    return None


def _has_kind(tokens: tuple[str, ...], kind: str) -> bool:
    words = _KIND_WORDS[kind]
    return any(t in words or (not t.isascii() and any(w in t for w in words if not w.isascii()))
               for t in tokens)


def _contains(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> int | None:
    """Extra words (or characters, for Chinese) when ``phrase`` occurs inside ``tokens``."""
    if len(phrase) == 1 and not phrase[0].isascii():
        word = phrase[0]
        if len(word) < 2 or word in _NO_CONTAINMENT:
            return None
        hits = [t for t in tokens if word in t and t != word]
        if not hits:
            return None
        return sum(len(t) for t in tokens) - len(word)
    if len(phrase) < 2 or len(tokens) <= len(phrase):
        return None
    n = len(phrase)
    if any(tokens[i:i + n] == phrase for i in range(len(tokens) - n + 1)):
        return len(tokens) - n
    return None


def _other_kind(tokens: tuple[str, ...], phrase: tuple[str, ...], kind: str | None) -> bool:
    """Whether words outside ``phrase`` make the header another kind (a quantity, a date...)."""
    rest = tuple(t for t in tokens if t not in phrase)
    return any(_has_kind(rest, k) for k in _KIND_WORDS if k != kind)


def _compare(v: _Variant, p: _Phrase, kind: str | None) -> tuple[float, str, bool] | None:
    """Score of one header reading against one name or synonym: score, evidence, similar.

    A header containing a synonym is no candidate when its other words make it
    another kind of column (``Line Item Quantity`` is no line number).
    """
    label = "model name" if p.how == "name" else ("generic date header" if p.generic
                                                  else "synonym")
    after = f" after dropping {v.dropped!r}" if v.dropped else ""
    if v.tokens == p.tokens:
        return p.base - v.penalty, f"{label} {p.text!r}{after}", False
    if "".join(v.tokens) == "".join(p.tokens):
        return p.base - v.penalty - 0.02, f"{label} {p.text!r} run together{after}", False
    if not v.loose:
        return None
    if sorted(v.tokens) == sorted(p.tokens):
        return p.base - v.penalty - 0.03, f"{label} {p.text!r} in another order{after}", False
    if p.generic or _other_kind(v.tokens, p.tokens, kind):
        return None
    extra = _contains(v.tokens, p.tokens)
    if extra is not None:
        step = 0.015 if not p.tokens[0].isascii() else 0.02
        shown = " ".join(p.tokens) if p.how == "name" else p.text
        return max(0.6, 0.75 - step * extra) - v.penalty, f"contains {shown!r}{after}", True
    if len(p.tokens) == 1 and p.tokens[0].isascii() and p.tokens[0] not in _NO_CONTAINMENT \
            and p.tokens[0] in v.tokens:
        return (0.5 - 0.02 * (len(v.tokens) - 1) - v.penalty, f"contains {p.text!r}{after}",
                True)
    return None


def _name_score(variants: tuple[_Variant, ...], table: str, col: Column
                ) -> tuple[float, str, str, bool] | None:
    """Best name evidence of a header for ``col``: score, evidence, how, generic."""
    best: tuple[float, str, str, bool] | None = None
    kind = _kind(col)
    for p in _phrases(table, col.name):
        for v in variants:
            hit = _compare(v, p, kind)
            if hit and (best is None or hit[0] > best[0] + 1e-9):
                best = (hit[0], hit[1], "similar" if hit[2] else p.how, p.generic)
    if best is not None and best[0] >= 0.5:
        return best
    core = next((v.tokens for v in variants if v.core), ())
    if kind is None or not _has_kind(core, kind) or _other_kind(core, (), kind):
        return best
    names = {t for p in _phrases(table, col.name) if not p.generic for t in p.tokens}
    shared = sorted((set(core) & names) - _KIND_WORDS[kind] - {"order"})
    word = f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} word"
    if shared:
        hit = (0.5, f"{word} and {', '.join(map(repr, shared))}", "similar", False)
    else:
        hit = (0.35, word, "similar", False)
    return hit if best is None or hit[0] > best[0] else best


# --------------------------------------------------------------------------- values
class _Values:
    """The sampled non-blank values of one header, each reading computed once."""

    def __init__(self, frame: pd.DataFrame, header: object, size: int):
        col = frame[header]
        if isinstance(col, pd.DataFrame):  # a repeated header: its first column
            col = col.iloc[:, 0]
        col = decoded_text(col.iloc[:_SCAN_ROWS])  # the values read below, as text
        head = col.iloc[:4 * size]  # usually enough; a sparse column is scanned further
        present = head[~parse_string(head).missing]
        if len(present) < size and len(col) > len(head):
            head = col.iloc[:_SCAN_ROWS]
            present = head[~parse_string(head).missing]
        self.values = present.iloc[:size].reset_index(drop=True)
        self.n = len(self.values)

    def share(self, mask: np.ndarray | pd.Series) -> float:
        """Share of the sampled values where ``mask`` is true."""
        return float(np.asarray(mask, dtype=bool).sum()) / self.n

    @functools.cached_property
    def dates(self) -> float:
        """Share read as dates (Excel serial numbers do not count)."""
        p = parse_date(self.values)
        return self.share(p.values.notna().to_numpy() & (p.issue != ISSUE_DATE_EXCEL_SERIAL))

    @functools.cached_property
    def numbers(self) -> pd.Series:
        """The values read as numbers (NaN where not a number)."""
        return parse_number(self.values).values

    @functools.cached_property
    def whole(self) -> pd.Series:
        """The values read as whole numbers (missing where not one)."""
        return parse_number(self.values, integer=True).values

    @functools.cached_property
    def flags(self) -> float:
        """Share read as yes/no."""
        return self.share(parse_bool(self.values).values.notna().to_numpy(dtype=bool,
                                                                           na_value=False))

    @functools.cached_property
    def free_text(self) -> float:
        """Share of free text: longer than 40 characters or more than two spaces."""
        text = parse_string(self.values).values.astype(str)
        return self.share(text.str.len().gt(40) | text.str.count(r"\s").gt(2))


def _id_evidence(v: _Values, column: str) -> tuple[float, str]:
    """How far values look like identifiers, and why not when they do not."""
    share = 1.0 - v.free_text
    if share < 0.5:
        # Names (an Odoo "[FURN_0269] Office Chair Black", an SCMS item description) do
        # identify items and customers in real exports: a named column stays usable
        # (a synonym loses 0.1), a column matched only by a similar word does not.
        return 0.5, f"{1 - share:.0%} of values are names with spaces, not codes"
    if v.dates >= 0.8:
        return 0.1, "values are dates, not identifiers"
    num = v.numbers
    if v.share(num.notna()) >= 0.8:
        whole = (num % 1 == 0).to_numpy(dtype=bool, na_value=False)
        if v.share(~whole & num.notna().to_numpy()) >= 0.5:
            return 0.3, "values are decimal numbers, not identifiers"
        small = whole & (num.abs() <= 12).to_numpy(dtype=bool, na_value=False)
        if column in _SMALL_INT_ID and v.share(small) >= 0.9:
            return 0.3, "values are small whole numbers (a flag, count or month, not an id)"
    return share, f"{share:.0%} of values look like identifiers"


def _value_evidence(v: _Values, col: Column) -> tuple[float, str] | None:
    """Share of sampled values that fit ``col`` (None when there is nothing to check)."""
    if not v.n:
        return None
    if col.type == "date":
        return v.dates, f"{v.dates:.0%} of values read as dates"
    if col.type in ("int", "float"):
        num = v.whole if col.type == "int" else v.numbers
        s = v.share((num.notna() & (num >= 0) if col.nonnegative else num.notna()
                     ).to_numpy(dtype=bool, na_value=False))
        what = "whole numbers" if col.type == "int" else "numbers"
        return s, f"{s:.0%} of values are {what}{' >= 0' if col.nonnegative else ''}"
    if col.type == "bool":
        return v.flags, f"{v.flags:.0%} of values read as yes/no"
    if _kind(col) == "id":
        return _id_evidence(v, col.name)
    return None


def _adjust(score: float, fit: tuple[float, str] | None, exact_name: bool) -> tuple[float, str]:
    """Score after the value evidence (see the module docstring)."""
    if fit is None:
        return score, "no values to check"
    share, words = fit
    if exact_name:
        return score, words
    if share >= 0.9:
        return min(1.0, score + 0.05), words
    if share >= 0.5:
        return score - 0.1, words
    if share >= 0.2:
        return score * 0.6, words
    return score * 0.1, words


# --------------------------------------------------------------------------- matching
def _headers_of(source: pd.DataFrame | Iterable[object]) -> tuple[list[object], pd.DataFrame | None]:
    if isinstance(source, pd.DataFrame):
        return list(source.columns), source
    return list(source), None


def _rank_column(table: Table, col: Column, headers: list[object],
                 variants: dict[int, tuple[_Variant, ...]], frame: pd.DataFrame | None,
                 samples: dict[int, _Values], size: int, floor: float
                 ) -> list[tuple[Candidate, int, bool]]:
    """Candidates for one column: (candidate, header position, exact model name).

    Headers whose name evidence scores below ``floor`` are not candidates (their
    values are not read). A generic header (``Date``) is weak when another
    header names the column credibly, by its name and its values.
    """
    named = []
    for pos in range(len(headers)):
        hit = _name_score(variants[pos], table.name, col)
        if hit is not None and hit[0] >= SUGGEST_SCORE:
            named.append((pos, *hit))
    named.sort(key=lambda t: t[4])  # generic headers last
    out: list[tuple[Candidate, int, bool]] = []
    for pos, score, words, how, generic in named:
        evidence = [words]
        if generic and any(c.score >= APPLY_SCORE for c, _, _ in out):
            score = 0.55
            evidence.append(f"another header names the {col.name}")
        if score < floor:
            continue
        exact = how == "name" and words == f"model name {col.name!r}"
        if exact and floor > SUGGEST_SCORE:
            evidence.append("values not needed (exact model name)")
            out.append((Candidate(str(headers[pos]), score, tuple(evidence), how), pos, exact))
            continue
        fit = None
        if frame is not None:
            if pos not in samples:
                samples[pos] = _Values(frame, headers[pos], size)
            fit = _value_evidence(samples[pos], col)
        score, vwords = _adjust(score, fit, exact)
        evidence.append(vwords)
        score = round(min(1.0, max(0.0, score)), 3)
        if score >= 0.1:
            out.append((Candidate(str(headers[pos]), score, tuple(evidence), how), pos, exact))
    out.sort(key=lambda t: (-t[0].score, t[1]))
    return out


def match_columns(source: pd.DataFrame | Iterable[object], table: str | Table = "order_lines",
                  *, columns: Sequence[str] | None = None, exclude: Iterable[object] = (),
                  apply_score: float = APPLY_SCORE, sample: int = SAMPLE_SIZE,
                  weak: bool = True) -> ColumnMatch:
    """Rank the source headers for each model column and pick a one-to-one assignment.

    Parameters
    ----------
    source
        A DataFrame of raw values (name and value evidence) or a list of
        headers (name evidence only).
    table
        Data-model table.
    columns
        Model columns to match (default: all of the table's).
    exclude
        Headers already used elsewhere (e.g. named by a mapping): never candidates.
    apply_score
        Minimum score for the assignment.
    sample
        Non-blank values read per header for the value evidence.
    weak
        Rank weak candidates too (suggestions). ``False`` keeps only headers
        whose names could reach ``apply_score``, and reads only their values:
        what a load needs.

    Returns
    -------
    ColumnMatch
        Ranked candidates per column and the assignment.
    """
    schema = get_table(table)
    headers, frame = _headers_of(source)
    skip = {str(h) for h in exclude}
    keep = [pos for pos, h in enumerate(headers) if str(h) not in skip]
    headers = [headers[pos] for pos in keep]
    variants = {pos: _variants(str(h)) for pos, h in enumerate(headers)}
    wanted = list(columns) if columns is not None else schema.names
    samples: dict[int, _Values] = {}
    floor = SUGGEST_SCORE if weak else apply_score - 0.05  # values add at most 0.05
    ranked: dict[str, tuple[Candidate, ...]] = {}
    pairs = []
    for name in wanted:
        col = schema.column(name)
        cands = _rank_column(schema, col, headers, variants, frame, samples, sample, floor)
        ranked[name] = tuple(c for c, _, _ in cands)
        pairs += [(c, pos, exact, col) for c, pos, exact in cands if c.score >= apply_score]
    # exact model names first, then by score (a required column wins within 0.05)
    order = {n: i for i, n in enumerate(wanted)}
    pairs.sort(key=lambda t: (not t[2], -(t[0].score + (0.05 if t[3].required else 0.0)),
                              t[1], order[t[3].name]))
    assignment: dict[str, Candidate] = {}
    taken: set[int] = set()
    for cand, pos, _, col in pairs:
        if col.name in assignment or pos in taken:
            continue
        assignment[col.name] = cand
        taken.add(pos)
    return ColumnMatch(schema.name, ranked, {n: assignment[n] for n in wanted if n in assignment})


def suggest_mapping(frame_or_headers: pd.DataFrame | Iterable[object],
                    table: str | Table = "order_lines") -> MappingGuess:
    """Guess a first mapping for a source, saying how sure each part is.

    Parameters
    ----------
    frame_or_headers
        The raw source frame (values are evidence too) or just its headers.
    table
        Data-model table.

    Returns
    -------
    MappingGuess
        The mapping a load without one would use, a confidence 0 .. 1 and the
        evidence for every model column, ranked suggestions, the required
        columns still missing and the unused headers.

    Examples
    --------
    >>> g = suggest_mapping(["单据编号", "日期", "客户", "物料编码", "销售数量", "单价"])
    >>> g.mapping == {"order_id": "单据编号", "customer_id": "客户", "item_id": "物料编码",
    ...               "order_date": "日期", "qty_ordered": "销售数量", "unit_price": "单价"}
    True
    >>> g.missing, g.confidence["order_id"]   # synonym no. 28 of order_id: 0.95 - 0.027
    (('line_no',), 0.923)
    """
    schema = get_table(table)
    headers, _ = _headers_of(frame_or_headers)
    match = match_columns(frame_or_headers, schema)
    mapping = {n: c.header for n, c in match.assignment.items()}
    confidence: dict[str, float] = {}
    evidence: dict[str, tuple[str, ...]] = {}
    for name in schema.names:
        cand = match.assignment.get(name) or next(iter(match.suggestions(name, 1)), None)
        confidence[name] = cand.score if cand else 0.0
        evidence[name] = cand.evidence if cand else ()
    used = set(mapping.values())
    return MappingGuess(
        table=schema.name, mapping=mapping, confidence=confidence, evidence=evidence,
        suggestions=dict(match.ranked),
        missing=tuple(n for n in schema.required if n not in mapping),
        unused=tuple(str(h) for h in headers if str(h) not in used))
