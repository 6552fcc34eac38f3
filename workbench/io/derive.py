"""Derived columns: expressions a mapping computes from model columns and source headers.

A mapping's ``derived:`` block maps a model (or extra) column to an expression::

    derived:
      promised_date: "order_date + days(`Days for shipment (scheduled)`)"
      order_id: "concat(`Company`, '-', `Order Reference`)"
      ship_date: "actual(`Goods Issue Date`)"
      order_date: "datetime(`Date`, `Time`)"
      site: "'WH1'"

Grammar
-------
An expression is parsed once with :mod:`ast` (never run by Python) and computed
on whole columns, never row by row:

* **names**: a model column that is mapped (by ``columns:``, automatically, or by
  another derived column) stands for its typed, loaded values; any other name is a
  source header written without spaces (``Date``, ``日期``); a header with spaces
  or symbols goes in backticks: `` `Order Item Id` ``;
* **literals**: ``'text'`` (or ``"text"``) and numbers;
* ``a + b``, ``a - b``: a date plus or minus ``days(x)`` is a date, a date minus a
  date is a number of days, numbers add and subtract;
* **functions** (:data:`FUNCTIONS`): ``days(x)``, ``date(x)``,
  ``datetime(date, time)``, ``concat(a, b, ...)``, ``coalesce(a, b, ...)``,
  ``actual(x)``, ``upper(x)``, ``strip(x)``.

Values
------
A source header's cells are raw text until a function or an operator says what
they are: ``days(x)`` reads numbers (with the mapping's decimal mark),
``date(x)`` and ``actual(x)`` read dates (with its date options), and a raw
header on either side of ``-`` next to a date is read as a date. A raw or text
result is then read as the target column's type, exactly as a header under
``columns:`` is.

A value that cannot be computed (a blank or unusable input) is missing. Each
unusable input value is recorded (:attr:`Derivation.flags`) with its source
header, row and value; ``actual(x)`` leaves a date after the load's as-of date
missing and records it as ``planned_date``. ``concat`` is blank when any part is
blank; ``coalesce`` takes the first non-blank value; ``datetime`` reads a blank
time as midnight.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.exceptions import DerivedColumnError
from workbench.io.parsing import (
    DateOptions,
    NumberContext,
    Parsed,
    decoded_text,
    flagged,
    parse_bool,
    parse_column,
    parse_date,
    parse_number,
    parse_string,
)
from workbench.io.readers import normalize_header

__all__ = [
    "FUNCTIONS",
    "ISSUE_PLANNED_DATE",
    "DeriveContext",
    "Derivation",
    "Expression",
    "Flag",
    "evaluate",
    "parse_expression",
    "typed_result",
]

FUNCTIONS: dict[str, tuple[int, int | None, str]] = {
    "days": (1, 1, "a number of days, to add to or subtract from a date"),
    "date": (1, 1, "a date, read with the mapping's date options"),
    "datetime": (2, 2, "a date and a time of day held in two columns"),
    "concat": (1, None, "the parts joined as text; blank when any part is blank"),
    "coalesce": (1, None, "the first non-blank value"),
    "actual": (1, 1, "a date; one after the load's as-of date is a plan: missing, recorded"),
    "upper": (1, 1, "text in upper case"),
    "strip": (1, 1, "text without surrounding spaces"),
}
"""Functions of derived expressions: name -> (least, most arguments (None: any), meaning)."""

ISSUE_PLANNED_DATE = "planned_date"
"""Issue reason of a date ``actual()`` left missing because it lies after the as-of date."""

_PLACEHOLDER = "__header_{}__"
_NS_PER_DAY = 86_400 * 10**9
_FIRST_DAY = pd.Timestamp("1677-09-22").value / _NS_PER_DAY
_LAST_DAY = pd.Timestamp("2262-04-11").value / _NS_PER_DAY
_GRAMMAR = ("write headers with spaces or symbols in backticks (`Order Item Id`), text in "
            "quotes ('WH1'), and use + and - and the functions " + ", ".join(FUNCTIONS) + ".")
_TIME = r"^(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}(?:\.\d+)?))?\s*(?P<ap>[AaPp][Mm])?$"
_COMPACT_TIME = r"^(?P<h>\d{2})(?P<m>\d{2})(?P<s>\d{2})$"


# --------------------------------------------------------------------------- parsing
@dataclass(frozen=True, eq=False)
class Expression:
    """A parsed derived-column expression.

    Attributes
    ----------
    target
        The column it computes.
    text
        The expression as written in the mapping.
    tree
        The checked :mod:`ast` tree (backticked headers replaced by placeholders).
    headers
        Backticked headers, in order (placeholder ``k`` stands for ``headers[k]``).
    names
        Bare names used (model columns or headers without spaces), in order.
    """

    target: str
    text: str
    tree: ast.expr
    headers: tuple[str, ...]
    names: tuple[str, ...]

    def header_of(self, placeholder: str) -> str | None:
        """Return the backticked header a placeholder name stands for (``None``: a plain name)."""
        if placeholder.startswith("__header_") and placeholder.endswith("__"):
            return self.headers[int(placeholder[9:-2])]
        return None

    def show(self, node: ast.AST) -> str:
        """Write a part of the expression back as the mapping writes it."""
        text = ast.unparse(node)
        for k, h in enumerate(self.headers):
            text = text.replace(_PLACEHOLDER.format(k), f"`{h}`")
        return text

    def plain_sources(self) -> list[str] | None:
        """Names or headers when the expression only names sources: ``x`` or ``coalesce(x, y)``.

        Such an expression reads exactly as a header (or a list of headers) under
        ``columns:``: the first usable value wins.
        """
        node = self.tree
        args = (node.args if isinstance(node, ast.Call) and node.func.id == "coalesce"
                else [node])
        if all(isinstance(a, ast.Name) for a in args):
            return [self.header_of(a.id) or a.id for a in args]
        return None


def _error(target: str, text: str, message: str, origin: str | None,
           fix: str = _GRAMMAR, found: list[str] | None = None) -> DerivedColumnError:
    return DerivedColumnError(f"derived {target}: {text!r}: {message}", key=f"derived.{target}",
                              expression=text, source=origin, fix=fix, found=found)


def _placeholders(target: str, text: str, origin: str | None) -> tuple[str, list[str]]:
    """Replace each backticked header (outside quotes) by a placeholder name."""
    out: list[str] = []
    headers: list[str] = []
    i, quote = 0, None
    while i < len(text):
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise _error(target, text, f"the backtick at position {i + 1} is never closed",
                             origin, fix="close the header with a second backtick: `Header`.")
            header = text[i + 1:end]
            if not header.strip():
                raise _error(target, text, "empty backticks ``", origin,
                             fix="write the header between the backticks: `Header`.")
            out.append(" " + _PLACEHOLDER.format(len(headers)) + " ")
            headers.append(header)
            i = end
        else:
            out.append(ch)
        i += 1
    return "".join(out), headers


def _check_call(node: ast.Call, expr: Expression, names: list[str], origin: str | None) -> None:
    """Refuse a call of anything but a known function with the right number of arguments."""
    def bad(message: str, fix: str = _GRAMMAR) -> DerivedColumnError:
        return _error(expr.target, expr.text, message, origin, fix)

    if not isinstance(node.func, ast.Name) or expr.header_of(node.func.id):
        raise bad(f"{expr.show(node.func)!r} is not a function")
    name = node.func.id
    if name not in FUNCTIONS:
        close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
        raise bad(f"unknown function {name}()" + (f"; did you mean {close[0]}()?" if close
                                                   else ""),
                  fix="use one of " + "; ".join(f"{f}(): {m}" for f, (_, _, m)
                                                 in FUNCTIONS.items()) + ".")
    least, most, meaning = FUNCTIONS[name]
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise bad(f"{name}() takes plain arguments, not {expr.show(node)!r}")
    n = len(node.args)
    if n < least or (most is not None and n > most):
        want = (f"{least}" if least == most else f"at least {least}")
        raise bad(f"{name}() takes {want} argument(s), got {n} in {expr.show(node)!r}",
                  fix=f"{name}(): {meaning}.")
    for a in node.args:
        _check_node(a, expr, names, origin)


def _check_node(node: ast.AST, expr: Expression, names: list[str], origin: str | None) -> None:
    """Refuse anything outside the grammar; collect the bare names."""
    def bad(message: str, fix: str = _GRAMMAR) -> DerivedColumnError:
        return _error(expr.target, expr.text, message, origin, fix)

    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, (ast.Add, ast.Sub)):
            sym = {ast.Mult: "*", ast.Div: "/", ast.Mod: "%", ast.Pow: "**",
                   ast.FloorDiv: "//"}.get(type(node.op), type(node.op).__name__)
            raise bad(f"operator {sym} in {expr.show(node)!r} is not supported",
                      fix="derived expressions add and subtract only (dates and days, numbers); "
                          "a price per unit is divided with price_unit:.")
        _check_node(node.left, expr, names, origin)
        _check_node(node.right, expr, names, origin)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise bad(f"{expr.show(node)!r} is not supported")
        _check_node(node.operand, expr, names, origin)
    elif isinstance(node, ast.Call):
        _check_call(node, expr, names, origin)
    elif isinstance(node, ast.Name):
        if expr.header_of(node.id) is None:
            if node.id.startswith("__"):
                raise bad(f"the name {node.id!r} is not allowed")
            names.append(node.id)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (str, int, float)):
            raise bad(f"{node.value!r} is not a text or number literal",
                      fix="write text in quotes ('yes') and numbers as digits.")
    else:
        raise bad(f"{expr.show(node)!r} ({type(node).__name__}) is not supported")


def parse_expression(target: str, text: object, origin: str | None = None) -> Expression:
    """Parse and check one derived expression (see the module docstring).

    Parameters
    ----------
    target
        The column the expression computes (for messages).
    text
        The expression as written in the mapping.
    origin
        Where the mapping comes from (for messages).

    Raises
    ------
    DerivedColumnError
        When the expression is not text, does not parse, uses an operator or a
        construct outside the grammar, an unknown function or a wrong number of
        arguments.

    Examples
    --------
    >>> e = parse_expression("promised_date", "order_date + days(`Days (scheduled)`)")
    >>> e.names, e.headers
    (('order_date',), ('Days (scheduled)',))
    """
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise _error(target, str(text), "an expression must be text", origin,
                     fix="quote the expression in YAML: promised_date: \"order_date + days(`X`)\".")
    text = str(text)
    if not text.strip():
        raise _error(target, text, "the expression is empty", origin)
    code, headers = _placeholders(target, text, origin)
    try:
        tree = ast.parse(code.strip(), mode="eval").body
    except SyntaxError as exc:
        raise _error(target, text, f"does not parse ({exc.msg})", origin) from exc
    expr = Expression(target, text, tree, tuple(headers), ())
    names: list[str] = []
    _check_node(tree, expr, names, origin)
    return Expression(target, text, tree, tuple(headers), tuple(dict.fromkeys(names)))


# --------------------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class Flag:
    """Input values of one source column that a derived column could not use, or doubts.

    ``mask`` marks the rows; ``values`` holds the source column's values (the
    flagged rows are the ones reported); ``reason`` and ``detail`` are one text
    or one per row.
    """

    mask: np.ndarray
    source_column: str
    values: pd.Series
    reason: str | np.ndarray
    detail: str | np.ndarray


@dataclass
class Derivation:
    """What evaluating one derived expression gave.

    Attributes
    ----------
    values
        One value per row (typed for kinds ``date``/``number``/``days``, text
        otherwise).
    kind
        ``raw`` (untyped source text), ``text``, ``number``, ``days`` or ``date``.
    label
        Source column to name in issues: the header, or the expression.
    flags
        Unusable inputs and doubtful values, per source column.
    unusable
        Rows whose value is missing because an input was unusable (or a plan).
    why
        Per row: why (object array, ``None`` where fine).
    planned
        Dates ``actual()`` left missing because they lie after the as-of date.
    date_formats
        Detected date format per source header read as dates.
    """

    values: pd.Series
    kind: str
    label: str
    flags: list[Flag] = field(default_factory=list)
    unusable: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    why: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    planned: int = 0
    date_formats: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeriveContext:
    """What an expression is evaluated against: one source and its mapping's options.

    Attributes
    ----------
    frame
        The source's raw cells under its headers.
    typed
        Name -> (values, kind) of the model columns (and extras) computed so far.
    date_options, decimal, number_context, na_values
        The mapping's reading options (see :mod:`workbench.io.parsing`).
    as_of
        The load's as-of date, for ``actual()``.
    source
        Label of the source, for messages.
    """

    frame: pd.DataFrame
    typed: Mapping[str, tuple[pd.Series, str]]
    date_options: DateOptions = field(default_factory=DateOptions)
    decimal: str | None = None
    number_context: NumberContext | Callable[[], NumberContext] | None = None
    na_values: frozenset[str] = frozenset()
    as_of: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.today().normalize())
    source: str | None = None


@dataclass
class _Val:
    """An intermediate value: a Series (or a scalar literal) and its kind."""

    s: object
    kind: str
    label: str
    scalar: bool = False
    raw: pd.Series | None = None
    """The source values to show in issues (``None``: ``s`` itself)."""


def _number_text(values: np.ndarray) -> np.ndarray:
    """Numbers as text: whole numbers without a decimal point, others as short as exact."""
    out = np.full(len(values), None, dtype=object)
    for i, v in enumerate(values):
        if np.isfinite(v):
            out[i] = str(int(v)) if float(v).is_integer() else np.format_float_positional(v)
    return out


def _typed_text(s: pd.Series, kind: str) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` (with the time when there is one), numbers as short text."""
    codes, uniq = pd.factorize(s)
    if kind == "date":
        u = pd.DatetimeIndex(uniq)
        text = np.asarray(np.where(u == u.normalize(), u.strftime("%Y-%m-%d"),
                                   u.strftime("%Y-%m-%d %H:%M:%S")), dtype=object)
    else:
        text = _number_text(np.asarray(uniq, dtype="float64"))
    ext = np.concatenate([text, np.array([None], dtype=object)])
    return pd.Series(ext[codes], index=s.index, dtype="str")


def _texts(prefix: str, values: np.ndarray, suffix: str = "") -> np.ndarray:
    """``prefix + value + suffix`` for each value of an object array, as an object array."""
    return (prefix + pd.Series(values, dtype=object).astype(str) + suffix).to_numpy(dtype=object)


class _Evaluator:
    """Computes one expression over whole columns, recording unusable inputs."""

    def __init__(self, expr: Expression, ctx: DeriveContext):
        self.expr = expr
        self.ctx = ctx
        self.n = len(ctx.frame)
        self.flags: list[Flag] = []
        self.unusable = np.zeros(self.n, dtype=bool)
        self.why = np.full(self.n, None, dtype=object)
        self.planned = 0
        self.formats: dict[str, str] = {}
        self.by_norm: dict[str, str] = {}
        for h in ctx.frame.columns:
            self.by_norm.setdefault(normalize_header(h), h)
        self.cache: dict[tuple[str, str], _Val] = {}

    # ---------------------------------------------------------------- helpers
    def fail(self, message: str, fix: str = _GRAMMAR, found: list[str] | None = None
             ) -> DerivedColumnError:
        return _error(self.expr.target, self.expr.text, message, self.ctx.source, fix, found)

    def series(self, v: _Val) -> pd.Series:
        if not v.scalar:
            return v.s
        if v.kind == "text":
            return pd.Series(np.full(self.n, v.s, dtype=object), index=self.ctx.frame.index,
                             dtype="str")
        return pd.Series(np.full(self.n, v.s, dtype="float64"), index=self.ctx.frame.index)

    def record(self, p: Parsed, v: _Val, what: str) -> None:
        """Record the unusable and doubtful values of one parse of ``v``."""
        shown = v.raw if v.raw is not None else self.series(v)
        context = f" ({what} in derived {self.expr.target})"
        if p.invalid.any():
            detail = np.full(self.n, None, dtype=object)
            detail[p.invalid] = _texts("", p.detail[p.invalid], context)
            why = np.full(self.n, None, dtype=object)
            why[p.invalid] = _texts(f"{v.label} unusable: ", p.detail[p.invalid])
            self.flags.append(Flag(p.invalid, v.label, shown, "unusable_value", detail))
            self.mark(p.invalid, why)
        doubtful = flagged(p.issue)
        if doubtful.any():
            self.flags.append(Flag(doubtful, v.label, shown, p.issue, p.detail))
        if p.info.get("date_format"):
            self.formats[v.label] = p.info["date_format"]

    def mark(self, mask: np.ndarray, why: str | np.ndarray) -> None:
        new = mask & ~self.unusable
        if new.any():
            self.why[new] = why if isinstance(why, str) else np.asarray(why, dtype=object)[new]
            self.unusable |= mask

    # ---------------------------------------------------------------- coercions
    def parsed(self, v: _Val, kind: str, what: str) -> _Val:
        """Read a raw or text value as dates or numbers (each source column once)."""
        key = (v.label, kind)
        if v.kind == "raw" and key in self.cache:
            return self.cache[key]
        s = self.series(v)
        if kind == "date":
            p = parse_date(s, self.ctx.date_options, self.ctx.na_values)
        else:
            p = parse_number(s, decimal=self.ctx.decimal, context=self.ctx.number_context,
                             extra_na=self.ctx.na_values)
        self.record(p, v, what)
        out = _Val(p.values, kind, v.label, raw=v.raw if v.raw is not None else s)
        if v.kind == "raw":
            self.cache[key] = out
        return out

    def as_date(self, v: _Val, what: str) -> _Val:
        if v.kind == "date":
            return v
        if v.kind in ("raw", "text"):
            return self.parsed(v, "date", what)
        raise self.fail(f"{what} needs a date, but {v.label!r} is a number",
                        fix="subtract two dates to get days, add days(x) to a date.")

    def as_number(self, v: _Val, what: str) -> _Val:
        if v.kind in ("number", "days"):
            return v
        if v.kind in ("raw", "text"):
            return self.parsed(v, "number", what)
        raise self.fail(f"{what} needs a number, but {v.label!r} is a date",
                        fix="a date minus a date gives days; days(x) reads a number of days.")

    def as_text(self, v: _Val) -> _Val:
        if v.kind == "text":
            if v.scalar:
                return v
            s = v.s.astype("str") if v.s.dtype != "str" else v.s
            return _Val(s.where(s.str.strip() != ""), "text", v.label, raw=v.raw)
        if v.scalar:
            return _Val(_number_text(np.array([float(v.s)]))[0], "text", v.label, scalar=True)
        s = v.s
        if v.kind == "raw":
            key = (v.label, "text")
            if key in self.cache:
                return self.cache[key]
            p = parse_string(s, self.ctx.na_values)
            self.record(p, v, "text")
            out = _Val(p.values.where(p.values != ""), "text", v.label, raw=s)
            self.cache[key] = out
            return out
        return _Val(_typed_text(s, v.kind), "text", v.label,
                    raw=v.raw if v.raw is not None else s)

    # ---------------------------------------------------------------- evaluation
    def run(self) -> Derivation:
        v = self.eval(self.expr.tree)
        return Derivation(self.series(v), v.kind, v.label, self.flags, self.unusable, self.why,
                          self.planned, self.formats)

    def eval(self, node: ast.AST) -> _Val:
        if isinstance(node, ast.Constant):
            kind = "text" if isinstance(node.value, str) else "number"
            value = node.value if kind == "text" else float(node.value)
            return _Val(value, kind, repr(node.value), scalar=True)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.UnaryOp):
            v = self.as_number(self.eval(node.operand), f"the sign in {self.expr.show(node)!r}")
            if isinstance(node.op, ast.USub):
                return _Val(-v.s, v.kind, self.expr.show(node), v.scalar)
            return v
        if isinstance(node, ast.BinOp):
            left, right = self.eval(node.left), self.eval(node.right)
            if isinstance(node.op, ast.Add):
                return self.add(left, right, node)
            return self.sub(left, right, node)
        return getattr(self, "f_" + node.func.id)(node, [self.eval(a) for a in node.args])

    def name(self, name: str) -> _Val:
        header = self.expr.header_of(name)
        if header is None and name in self.ctx.typed:
            values, kind = self.ctx.typed[name]
            return _Val(values, kind, name)
        wanted = header if header is not None else name
        real = self.by_norm.get(normalize_header(wanted))
        if real is None:
            found = list(self.ctx.frame.columns)
            close = difflib.get_close_matches(normalize_header(wanted), list(self.by_norm), n=1,
                                              cutoff=0.6)
            hint = f"; did you mean `{self.by_norm[close[0]]}`?" if close else ""
            what = (f"the header `{wanted}` is not in the source" if header is not None else
                    f"{name!r} is neither a mapped model column nor a source header")
            shown = ", ".join(repr(h) for h in found[:40]) + (", ..." if len(found) > 40 else "")
            raise self.fail(f"{what}{hint}. Headers found: [{shown}]",
                            fix="write the header exactly as the file has it, in backticks "
                                "when it holds spaces or symbols, or map the model column "
                                "under columns:.", found=found)
        return _Val(decoded_text(self.ctx.frame[real]), "raw", real)

    def add(self, a: _Val, b: _Val, node: ast.BinOp) -> _Val:
        shown = self.expr.show(node)
        kinds = {a.kind, b.kind}
        if a.kind == b.kind == "text":
            raise self.fail(f"{shown!r} adds text to text", fix="join text with concat(a, b).")
        if "date" in kinds:
            date, other = (a, b) if a.kind == "date" else (b, a)
            if other.kind != "days":
                raise self.fail(f"{shown!r} adds {other.label!r} to a date",
                                fix=f"add a number of days: days({other.label}) (backticks "
                                    f"around headers with spaces); two dates do not add.")
            return self.shift(date, other, 1, shown)
        if "days" in kinds:
            days, other = (b, a) if b.kind == "days" else (a, b)
            if other.kind in ("raw", "text"):
                return self.shift(self.as_date(other, f"the date in {shown!r}"), days, 1, shown)
        return self.arithmetic(a, b, 1, shown)

    def sub(self, a: _Val, b: _Val, node: ast.BinOp) -> _Val:
        shown = self.expr.show(node)
        if a.kind == b.kind == "text":
            raise self.fail(f"{shown!r} subtracts text from text",
                            fix="subtract numbers, or dates: date(a) - date(b) gives days.")
        if b.kind == "days" and a.kind in ("date", "raw", "text"):
            return self.shift(self.as_date(a, f"the date in {shown!r}"), b, -1, shown)
        if "date" in (a.kind, b.kind):
            if a.kind in ("number", "days"):
                raise self.fail(f"{shown!r} subtracts a date from a number",
                                fix="write date - days(n), or date - date for the days between.")
            return self.between(self.as_date(a, shown), self.as_date(b, shown), shown)
        return self.arithmetic(a, b, -1, shown)

    def arithmetic(self, a: _Val, b: _Val, sign: int, shown: str) -> _Val:
        """Numbers (or days) added or subtracted; two raw headers are refused as ambiguous."""
        if a.kind == b.kind == "raw":
            raise self.fail(f"{shown!r}: cannot tell whether {a.label!r} and {b.label!r} are "
                            f"dates or numbers",
                            fix="wrap them: date(a) - date(b) gives days, days(a) + days(b) "
                                "adds numbers.")
        x = self.as_number(a, repr(shown))
        y = self.as_number(b, repr(shown))
        kind = "days" if "days" in (x.kind, y.kind) else "number"
        return _Val(x.s + sign * y.s, kind, shown, x.scalar and y.scalar)

    def shift(self, date: _Val, days: _Val, sign: int, shown: str) -> _Val:
        """Move a date by a number of days, exactly, in nanoseconds; out of range: unusable."""
        d = self.series(date)
        delta = self.series(days).to_numpy(dtype="float64", na_value=np.nan) * sign
        ns = d.to_numpy(dtype="datetime64[ns]").view("int64")
        present = d.notna().to_numpy() & np.isfinite(delta)
        with np.errstate(invalid="ignore"):
            day = np.where(present, ns / _NS_PER_DAY + delta, np.nan)
            ok = present & (day >= _FIRST_DAY) & (day < _LAST_DAY + 1)
        out = np.full(self.n, np.datetime64("NaT"), dtype="datetime64[ns]")
        out[ok] = (ns[ok] + np.round(delta[ok] * _NS_PER_DAY).astype(np.int64)).view(
            "datetime64[ns]")
        off = present & ~ok
        if off.any():
            detail = (f"{shown} falls outside the dates the workbench holds (1677-09-22 to "
                      f"2262-04-11)")
            self.flags.append(Flag(off, days.label, self.as_text(days).s, "unusable_value",
                                   detail))
            self.mark(off, detail)
        return _Val(pd.Series(out, index=d.index), "date", shown)

    def between(self, a: _Val, b: _Val, shown: str) -> _Val:
        """Days from date ``b`` to date ``a`` (float, exact for whole days)."""
        x = self.series(a).to_numpy(dtype="datetime64[ns]")
        y = self.series(b).to_numpy(dtype="datetime64[ns]")
        ok = ~np.isnat(x) & ~np.isnat(y)
        days = np.full(self.n, np.nan)
        days[ok] = (x[ok].view("int64").astype("float64")
                    - y[ok].view("int64").astype("float64")) / _NS_PER_DAY
        return _Val(pd.Series(days, index=self.ctx.frame.index), "days", shown)

    # ---------------------------------------------------------------- functions
    def f_days(self, node: ast.Call, args: list[_Val]) -> _Val:
        v = self.as_number(args[0], self.expr.show(node))
        return _Val(v.s, "days", self.expr.show(node), v.scalar, v.raw)

    def f_date(self, node: ast.Call, args: list[_Val]) -> _Val:
        v = self.as_date(args[0], self.expr.show(node))
        return _Val(v.s, "date", v.label, raw=v.raw)

    def f_actual(self, node: ast.Call, args: list[_Val]) -> _Val:
        v = self.as_date(args[0], self.expr.show(node))
        d = self.series(v)
        as_of = self.ctx.as_of
        planned = (d.dt.normalize() > as_of).to_numpy(dtype=bool, na_value=False)
        if planned.any():
            shown = v.raw if v.raw is not None else self.as_text(v).s
            detail = (f"{v.label} " + d[planned].dt.strftime("%Y-%m-%d")
                      + f" is after the as-of date {as_of:%Y-%m-%d}: a planned date, not an "
                        "actual one; left missing").to_numpy(dtype=object)
            full = np.full(self.n, None, dtype=object)
            full[planned] = detail
            self.flags.append(Flag(planned, v.label, shown, ISSUE_PLANNED_DATE, full))
            self.mark(planned, full)
            self.planned += int(planned.sum())
            d = d.mask(planned)
        return _Val(d, "date", v.label, raw=v.raw)

    def f_datetime(self, node: ast.Call, args: list[_Val]) -> _Val:
        shown = self.expr.show(node)
        date = self.as_date(args[0], shown)
        t = args[1]
        if t.kind == "date":  # a time cell read as a date-time: its time of day
            ts = self.series(t)
            frac = ((ts - ts.dt.normalize()) / pd.Timedelta(days=1)).to_numpy(
                dtype="float64", na_value=np.nan)
            bad = np.zeros(self.n, dtype=bool)
        elif t.kind in ("number", "days"):  # a spreadsheet time: a fraction of a day
            frac = self.series(t).to_numpy(dtype="float64", na_value=np.nan)
            bad = np.isfinite(frac) & ((frac < 0) | (frac >= 1))
            self.flag_times(bad, t, "a time of day given as a number must lie in [0, 1)")
        else:
            frac, bad = self.times(t, shown)
        when = pd.Series(np.where(np.isfinite(frac) & ~bad, frac, 0.0), index=date.s.index
                         if not date.scalar else self.ctx.frame.index)
        result = self.shift(date, _Val(when, "days", t.label), 1, shown).s
        return _Val(result.mask(bad), "date", shown)

    def times(self, t: _Val, shown: str) -> tuple[np.ndarray, np.ndarray]:
        """Read times of day (``8:30``, ``08:30:15``, ``8:30 PM``, ``083015``) as day fractions.

        Returns the fractions (NaN where blank or unusable) and the unusable mask.
        """
        s = self.series(self.as_text(t))
        codes, uniq = pd.factorize(s)
        if not len(uniq):
            return np.full(self.n, np.nan), np.zeros(self.n, dtype=bool)
        u = pd.Series(np.asarray(uniq, dtype=object), dtype="str")
        m = u.str.extract(_TIME)
        c = u.str.extract(_COMPACT_TIME)
        compact = m["h"].isna() & c["h"].notna()
        h = pd.to_numeric(m["h"].where(~compact, c["h"]), errors="coerce")
        mi = pd.to_numeric(m["m"].where(~compact, c["m"]), errors="coerce")
        sec = pd.to_numeric(m["s"].where(~compact, c["s"]), errors="coerce").fillna(0.0)
        ap = m["ap"].str.lower()
        twelve = ap.notna()
        ok = h.notna() & (h < 24) & (mi < 60) & (sec < 60) & (~twelve | ((h >= 1) & (h <= 12)))
        h = h.where(~twelve, (h % 12) + np.where(ap == "pm", 12, 0))
        frac_u = np.where(ok, (h * 3600 + mi * 60 + sec) / 86400.0, np.nan)
        frac = np.concatenate([frac_u, [np.nan]])[codes]
        bad = np.concatenate([~ok.to_numpy(dtype=bool), [False]])[codes]
        self.flag_times(bad, t, f"not a time of day (hh:mm, hh:mm:ss, hh:mm AM/PM, hhmmss) in "
                                f"{shown}")
        return frac, bad

    def flag_times(self, bad: np.ndarray, t: _Val, detail: str) -> None:
        if bad.any():
            shown = t.raw if t.raw is not None else self.as_text(t).s
            self.flags.append(Flag(bad, t.label, shown, "unusable_value", detail))
            self.mark(bad, f"{t.label}: {detail}")

    def f_concat(self, node: ast.Call, args: list[_Val]) -> _Val:
        parts = [self.as_text(a) for a in args]
        if all(p.scalar for p in parts):
            return _Val("".join(p.s for p in parts), "text", self.expr.show(node), True)
        series = [self.series(p) for p in parts]
        out = series[0].str.cat(series[1:]) if len(series) > 1 else series[0]
        return _Val(out, "text", self.expr.show(node))

    def f_coalesce(self, node: ast.Call, args: list[_Val]) -> _Val:
        kinds = [a.kind for a in args if a.kind != "raw"]
        kind = kinds[0] if kinds else "raw"
        shown = self.expr.show(node)
        if kind in ("raw", "text"):
            vals = [self.as_text(a) for a in args]
        elif kind == "date":
            vals = [self.as_date(a, shown) for a in args]
        else:
            vals = [self.as_number(a, shown) for a in args]
        out = self.series(vals[0])
        for v in vals[1:]:
            out = out.where(out.notna(), self.series(v))
        self.unusable &= out.isna().to_numpy()  # a later value stood in for an unusable one
        return _Val(out, "text" if kind == "raw" else kind, shown)

    def f_upper(self, node: ast.Call, args: list[_Val]) -> _Val:
        v = self.as_text(args[0])
        if v.scalar:
            return _Val(v.s.upper(), "text", self.expr.show(node), True)
        return _Val(v.s.str.upper(), "text", self.expr.show(node), raw=v.raw)

    def f_strip(self, node: ast.Call, args: list[_Val]) -> _Val:
        v = self.as_text(args[0])
        if v.scalar:
            return _Val(v.s.strip(), "text", self.expr.show(node), True)
        s = v.s.str.strip()
        return _Val(s.where(s != ""), "text", self.expr.show(node), raw=v.raw)


def evaluate(expr: Expression, ctx: DeriveContext) -> Derivation:
    """Compute a derived expression on every row of one source.

    Parameters
    ----------
    expr
        A parsed expression (:func:`parse_expression`).
    ctx
        The source's cells, the model columns computed so far and the reading options.

    Returns
    -------
    Derivation
        Values (one per row), their kind, and the inputs that could not be used.

    Raises
    ------
    DerivedColumnError
        When a name is neither a mapped model column nor a source header (the
        headers found are named), or when the kinds do not fit (a number added
        to a date without ``days()``, text subtracted, ...).

    Examples
    --------
    >>> frame = pd.DataFrame({"Ordered": ["2024-01-30", "2024-02-28"], "Lead": ["2", "x"]})
    >>> d = evaluate(parse_expression("promised_date", "date(Ordered) + days(Lead)"),
    ...              DeriveContext(frame, {}))
    >>> d.values.dt.strftime("%Y-%m-%d").tolist(), d.unusable.tolist()
    (['2024-02-01', nan], [False, True])
    """
    return _Evaluator(expr, ctx).run()


def typed_result(derivation: Derivation, type_: str, ctx: DeriveContext,
                 target: str = "") -> Parsed:
    """Read a derivation as a model column type (``string``, ``int``, ``float``, ``date``, ``bool``).

    A raw or text result is parsed as a header under ``columns:`` would be; a
    typed result is converted (a date written as ``YYYY-MM-DD`` text for a
    string column). A kind that cannot become the type raises
    :class:`~workbench.exceptions.DerivedColumnError`.
    """
    values, kind = derivation.values, derivation.kind
    ok = {"string": {"raw", "text", "date", "number", "days"}, "date": {"raw", "text", "date"},
          "float": {"raw", "text", "number", "days"}, "int": {"raw", "text", "number", "days"},
          "bool": {"raw", "text"}}[type_]
    if kind not in ok:
        raise DerivedColumnError(
            f"derived {target}: the expression gives {'a date' if kind == 'date' else 'a number'}"
            f", but {target} holds {type_} values", key=f"derived.{target}",
            expression=derivation.label, source=ctx.source,
            fix="a date minus a date gives days; date(x) reads a date; concat() makes text.")
    if type_ == "string" and kind in ("date", "number", "days"):
        values = _typed_text(values, "date" if kind == "date" else "number")
    if type_ == "bool":
        return parse_bool(values, extra_na=ctx.na_values)
    return parse_column(values, type_, date_options=ctx.date_options, decimal=ctx.decimal,
                        number_context=ctx.number_context, extra_na=ctx.na_values)
