"""Write a first dataset description (``dataset.yaml``) for a folder of exports.

``workbench init PATH`` looks at every data file in a folder (or at one file),
reads it with the workbench readers (encoding detection, header-row search),
and guesses

1. **which data-model table it holds**: from its headers (how many of a
   table's required columns they name, and how many of the file's headers
   the table explains) and from its file name (``orders_2025.csv`` hints at
   ``order_lines``, ``Kunden.xlsx`` at nothing, ``customers.csv`` at
   ``customers``);
2. **its column mapping**: a shipped ERP mapping recognised from the headers
   (:func:`workbench.io.detect.detect_mapping`), else the automatic header
   matching (:func:`workbench.io.matching.suggest_mapping`) with its
   per-column confidence and evidence.

The description it writes says in comments what was guessed and how sure,
lists the required columns it could not find as ``TODO`` lines, and loads as
it is with :func:`workbench.io.config.open_dataset` (a TODO for a required
column means that table fails to load until it is filled in; ``workbench
check`` says so). :func:`init_dataset` never overwrites an existing file
unless asked to.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from workbench.exceptions import (
    MappingError,
    OutputExistsError,
    SourceError,
    SourceNotFoundError,
    WorkbenchError,
)
from workbench.io.config import config_from_dict
from workbench.io.dataset import TABLE_ORDER
from workbench.io.detect import Detection, detect_mapping, detection_headers
from workbench.io.mapping import ColumnMapping
from workbench.io.matching import APPLY_SCORE, suggest_mapping
from workbench.io.readers import normalize_header
from workbench.io.schema import TABLES, get_table
from workbench.io.sources import read_raw
from workbench.io.workbook import sheet_names

__all__ = [
    "DATA_SUFFIXES",
    "ColumnGuess",
    "FileGuess",
    "InitPlan",
    "InitResult",
    "describe_plan",
    "find_data_files",
    "guess_file",
    "init_dataset",
    "plan_dataset",
    "render_description",
]

DATA_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")
"""File types ``init`` looks at; every other file in the folder is ignored (and listed)."""

_GENERATED = {"order_lines": ("line_no",)}
"""Required columns the loader numbers itself when the source has none (see load_table)."""
_SAMPLE_ROWS = 1000
"""Rows of each file given to the header matching as value evidence."""
_VALUE_FILES = ("service_targets", "expedite_options")
"""Files that are not tables but dataset-wide inputs, recognised by name."""

_NAME_HINTS: dict[str, tuple[str, ...]] = {
    "order_lines": ("order_lines", "orderlines", "order_line", "orders", "order", "sales_orders",
                    "sales_order", "order_history", "sales", "shipments", "deliveries",
                    "auftraege", "aufträge", "auftrag", "auftragspositionen",
                    "订单", "销售订单", "订单明细", "销售明细"),
    "customers": ("customers", "customer", "customer_master", "clients", "kunden", "客户",
                  "客户主数据"),
    "items": ("items", "item", "item_master", "materials", "material", "products", "product",
              "articles", "skus", "artikel", "materialstamm", "物料", "产品", "物料主数据"),
    "order_changes": ("order_changes", "changes", "change_log", "订单变更"),
    "supply_plan": ("supply_plan", "mps", "receipts", "supply", "供应计划", "到货计划"),
    "inventory": ("inventory", "stock", "on_hand", "stock_levels", "bestand", "库存"),
    "forecast": ("forecast", "forecasts", "demand_forecast", "预测"),
    "complaints": ("complaints", "complaint", "投诉"),
}
"""Words in a file name that hint at a table (whole words of the name, case ignored)."""
_CURRENCY = re.compile(r"(?<![A-Za-z])(USD|EUR|CNY|RMB|GBP|JPY|CHF|INR|AUD|CAD)(?![A-Za-z])")


# --------------------------------------------------------------------------- guesses
@dataclass(frozen=True)
class ColumnGuess:
    """One model column and the header guessed for it.

    Attributes
    ----------
    column
        Model column.
    header
        Source header (``None`` when nothing was found).
    confidence
        0 .. 1 from the header matching (``1.0`` for a shipped mapping's own column).
    evidence
        Words saying why (the name matched, what the values showed).
    """

    column: str
    header: str | None
    confidence: float
    evidence: str


@dataclass
class FileGuess:
    """What ``init`` made of one file (or one sheet of a workbook).

    Attributes
    ----------
    path, sheet
        The file, and the sheet (``None``: the file's only or first sheet).
    headers
        The header row found by the reader.
    rows
        Records read (header excluded).
    table
        The table guessed (``None``: not recognised).
    table_evidence
        Why that table, in words.
    sure
        Whether the table guess is firm (every required column found, or the
        file is named after the table); otherwise the YAML says to check it.
    detection
        The shipped mapping recognised from the headers, if any.
    columns
        The guessed mapping (empty for a detected mapping or model-named headers).
    missing_required
        Required columns with no header (a ``TODO`` each).
    unused
        Headers the guessed mapping does not use.
    error
        Why the file could not be read (then nothing else is set).
    """

    path: Path
    sheet: str | None = None
    headers: tuple[str, ...] = ()
    rows: int = 0
    table: str | None = None
    table_evidence: str = ""
    sure: bool = False
    detection: Detection | None = None
    columns: tuple[ColumnGuess, ...] = ()
    missing_required: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()
    error: str | None = None
    score: float = 0.0
    candidates: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    """Missing required column -> unused headers that might hold it, with their scores."""
    hints: tuple[str, ...] = ()
    """Things the values suggest the mapping should handle (fill_down, drop_rows)."""

    @property
    def label(self) -> str:
        """The file name, with the sheet when there is one."""
        return self.path.name + (f" [{self.sheet}]" if self.sheet else "")

    @property
    def model_named(self) -> bool:
        """Whether every mapped header is the model column's own name (no mapping needed)."""
        return bool(self.columns) and all(_same_name(c) for c in self.columns)


def _same_name(c: ColumnGuess) -> bool:
    """Whether the guessed header is the model column's own name (case and spaces aside)."""
    return c.header is not None and normalize_header(c.header) == normalize_header(c.column)


@dataclass
class InitPlan:
    """Everything ``init`` found in a folder, before it is written as YAML."""

    root: Path
    files: list[FileGuess]
    ignored: list[Path]
    tables: dict[str, FileGuess] = field(default_factory=dict)
    """Table -> the file chosen for it (the best-scoring one)."""
    extra_files: dict[str, list[FileGuess]] = field(default_factory=dict)
    """Table -> further files that look like the same table (not used; listed)."""
    targets: Path | None = None
    expedite_options: Path | None = None
    currency: tuple[str, str] | None = None
    """(ISO code, where it was seen) when a header names the currency."""
    warnings: list[str] = field(default_factory=list)
    """Things that went wrong on the way (a shipped mapping that cannot be read)."""

    @property
    def name(self) -> str:
        """A name for the dataset: the folder's (or the file's) name."""
        return self.root.stem if self.root.is_file() else self.root.name


def find_data_files(path: str | os.PathLike[str]) -> tuple[list[Path], list[Path]]:
    """Return the data files of a folder (or the one file), and the files ignored.

    Only the folder's own files are looked at (not its subfolders); hidden
    files and Office lock files (``~$...``) are skipped silently.

    Raises
    ------
    SourceNotFoundError
        When ``path`` does not exist.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise SourceNotFoundError("nothing to describe: the path does not exist", path=str(p),
                                  fix="pass the folder that holds your exports, or one file.")
    if p.is_file():
        return [p], []
    data, ignored = [], []
    for f in sorted(p.iterdir()):
        if not f.is_file() or f.name.startswith((".", "~$")):
            continue
        (data if f.suffix.lower() in DATA_SUFFIXES else ignored).append(f)
    return data, ignored


def _known_headers(warnings: list[str] | None = None) -> set[str]:
    known: set[str] = set()
    try:
        known |= detection_headers()
    except MappingError as exc:  # a broken shipped mapping must not stop init
        if warnings is not None:
            warnings.append(f"shipped mappings not used: {str(exc).splitlines()[0]}")
    for t in TABLES:
        known |= ColumnMapping.from_any(None, t).known_headers()
    return known


def _detect(headers: list[str]) -> Detection | None:
    try:
        return detect_mapping(headers)
    except MappingError:  # reported once by _known_headers
        return None


def _name_tables(path: Path) -> list[str]:
    """Tables the file name hints at (whole words of the stem, case ignored)."""
    stem = "_" + re.sub(r"[\W_]+", "_", path.stem.casefold()) + "_"
    out = []
    for table, hints in _NAME_HINTS.items():
        for h in hints:
            if f"_{h}_" in stem or (not h.isascii() and h in stem):
                out.append(table)
                break
    return out


def _essential(table: str) -> list[str]:
    return [c for c in get_table(table).required if c not in _GENERATED.get(table, ())]


def _score_table(frame: pd.DataFrame | list, table: str, name_hit: bool
                 ) -> tuple[float, object, float, int]:
    """Score of ``table`` for a file: required share + headers explained + a name bonus."""
    guess = suggest_mapping(frame, table)
    essential = _essential(table)
    req = sum(c in guess.mapping for c in essential) / len(essential)
    explained = len(guess.mapping) / max(len(guess.mapping) + len(guess.unused), 1)
    return req + explained + (1.0 if name_hit else 0.0), guess, req, len(guess.mapping)


_TOTAL = re.compile(r"^\s*(?:total|grand total|sum|summe|gesamt|合计|小计|总计)\b", re.IGNORECASE)


def _hints(sample: pd.DataFrame, required: dict[str, str]) -> tuple[str, ...]:
    """Say what the values of the required columns suggest: total rows, blank order fields."""
    texts = {}
    for header in dict.fromkeys(required.values()):
        col = sample[header]
        if isinstance(col, pd.DataFrame):
            col = col.iloc[:, 0]
        texts[header] = col.astype("string").str.strip().fillna("")
    out = []
    total = pd.Series(False, index=sample.index)
    for header, text in texts.items():
        hit = text.str.contains(_TOTAL)
        if hit.any() and not total.any():
            out.append(f"{header!r} reads like a total in {int(hit.sum())} row(s): add "
                       f"drop_rows: [{{column: {header}, pattern: '^\\s*Total', reason: "
                       f"total_row}}] to quarantine them by rule")
        total |= hit
    blank = [h for h, text in texts.items() if ((text == "") & ~total).any()
             and not ((text == "") | total).all()]
    if blank:
        key = required.get("order_id")
        out.append(f"{', '.join(map(repr, blank))} {'is' if len(blank) == 1 else 'are'} blank in some of the first {len(sample)} "
                   f"rows: if the export writes an order's fields on its first line only, add "
                   f"fill_down: [{', '.join(blank)}]"
                   + (f" and fill_down_key: {key}" if key in blank else "")
                   + " to the mapping (docs/own-data.md)")
    return tuple(out)


def _detected_missing(det: Detection, headers: list[str]) -> tuple[str, ...]:
    """Return the required columns a detected mapping leaves without a source (normally none)."""
    mapping = det.mapping
    resolved = mapping.resolve(headers)
    derived = set(getattr(mapping, "derived", None) or {})
    return tuple(c for c in _essential(mapping.table)
                 if c not in resolved.fields and c not in derived)


def guess_file(path: str | os.PathLike[str], sheet: str | None = None,
               known_headers: set[str] | None = None) -> FileGuess:
    """Read one file (or sheet) and guess its table and mapping.

    A file that cannot be read is returned with ``error`` set, never raised:
    one bad file must not stop the description of the others.
    """
    p = Path(path)
    fg = FileGuess(p, sheet)
    try:
        raw = read_raw(p, sheet=sheet if sheet is not None else 0,
                       known_headers=known_headers if known_headers is not None
                       else _known_headers())
    except WorkbenchError as exc:
        fg.error = str(exc).splitlines()[0]
        return fg
    frame = raw.frame
    fg.headers = tuple(str(h) for h in frame.columns)
    fg.rows = raw.rows_in
    if not fg.headers:
        fg.error = "no header row found"
        return fg
    det = _detect(list(fg.headers))
    if det is not None:
        fg.table, fg.detection, fg.sure, fg.score = det.mapping.table, det, True, 10.0
        fg.table_evidence = (f"recognised as the {det.name} export ({len(det.matched)} of its "
                             f"{len(det.matched) + len(det.missing_optional)} headers found)")
        fg.missing_required = _detected_missing(det, list(fg.headers))
        return fg
    sample = frame.head(_SAMPLE_ROWS)
    names = _name_tables(p if sheet is None else Path(sheet))
    # names first (cheap), then names and values for the two best tables only
    by_name = sorted(TABLE_ORDER, key=lambda t: (-_score_table(
        list(frame.columns), t, t in names)[0], TABLE_ORDER.index(t)))
    scored = []
    for table in by_name[:2]:
        score, guess, req, n = _score_table(sample, table, table in names)
        scored.append((score, req, n, table, guess))
    scored.sort(key=lambda t: (-t[0], TABLE_ORDER.index(t[3])))
    score, req, n, table, guess = scored[0]
    named = table in names
    if req < 0.5 and not named:
        fg.table_evidence = (f"not recognised: no table has most of its required columns here "
                             f"(best: {table}, {req:.0%} of its required columns)")
        return fg
    essential = _essential(table)
    found = sum(c in guess.mapping for c in essential)
    fg.table, fg.score = table, score
    fg.sure = req == 1.0 or named
    bits = [f"{found}/{len(essential)} required columns found",
            f"{n} of {len(fg.headers)} headers used"]
    if named:
        bits.append("file name says so")
    runner = scored[1]
    if runner[0] > score - 0.25 and not named:
        fg.sure = False
        bits.append(f"could also be {runner[3]}")
    fg.table_evidence = ", ".join(bits)
    fg.columns = tuple(ColumnGuess(c, h, float(guess.confidence.get(c, 0.0)),
                                   "; ".join(guess.evidence.get(c, ())))
                       for c, h in guess.mapping.items())
    fg.missing_required = tuple(c for c in guess.missing if c not in _GENERATED.get(table, ()))
    fg.unused = tuple(guess.unused)
    fg.candidates = {c: tuple((s.header, s.score) for s in guess.suggestions.get(c, ())
                              if s.header in fg.unused and s.score >= 0.3)[:3]
                     for c in fg.missing_required}
    fg.hints = _hints(sample, {c: h for c, h in guess.mapping.items()
                               if c in get_table(table).required})
    return fg


def _units(path: Path) -> list[str | None]:
    """Return the sheets to look at: each sheet of a workbook with several, else ``[None]``."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        names = sheet_names(path)
        if len(names) > 1:
            return list(names)
    return [None]


def plan_dataset(path: str | os.PathLike[str]) -> InitPlan:
    """Look at every data file under ``path`` and guess each one's table and mapping.

    Raises
    ------
    SourceNotFoundError
        When ``path`` does not exist.
    SourceError
        When it holds no data file (CSV, TXT, TSV, XLSX, Parquet).
    """
    root = Path(path).expanduser().resolve()
    files, ignored = find_data_files(root)
    plan = InitPlan(root, [], ignored)
    for f in list(files):
        stem = f.stem.casefold()
        if stem in _VALUE_FILES:
            setattr(plan, stem, f)
            files.remove(f)
    if not files:
        raise SourceError("no data file found (looked for "
                          f"{', '.join(DATA_SUFFIXES)} files)", source=str(root),
                          fix="export the data as CSV, Excel (.xlsx) or Parquet into that "
                              "folder, or pass the file itself.")
    known = _known_headers(plan.warnings)
    for f in files:
        for sheet in _units(f):
            guess = guess_file(f, sheet, known)
            if sheet is not None and guess.error and "no header" in guess.error:
                continue  # an empty helper sheet of a workbook
            plan.files.append(guess)
    _choose(plan)
    plan.currency = _currency(plan.files)
    return plan


def _choose(plan: InitPlan) -> None:
    """Give each table its best-scoring file; list the other candidates."""
    by_table: dict[str, list[FileGuess]] = {}
    for fg in plan.files:
        if fg.table:
            by_table.setdefault(fg.table, []).append(fg)
    for table in TABLE_ORDER:
        cands = sorted(by_table.get(table, []), key=lambda g: -g.score)
        if cands:
            plan.tables[table] = cands[0]
            if len(cands) > 1:
                plan.extra_files[table] = cands[1:]


def _currency(files: list[FileGuess]) -> tuple[str, str] | None:
    """Return the currency a header names (``Freight Cost (USD)``), and where it was seen."""
    for fg in files:
        for h in fg.headers:
            m = _CURRENCY.search(h)
            if m:
                return ("CNY" if m.group(1) == "RMB" else m.group(1),
                        f"header {h!r} of {fg.label}")
    return None


# --------------------------------------------------------------------------- YAML
def _scalar(value: object) -> str:
    """One YAML scalar, quoted only when it has to be."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _source_ref(path: Path, base: Path) -> str:
    """Return the file as the YAML names it: relative to the YAML's folder when below it."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


def _pad(line: str, comment: str, width: int = 44) -> str:
    return f"{line.ljust(width)}  # {_comment(comment)}" if comment else line


def _maybe(cands: tuple[tuple[str, float], ...]) -> str:
    return " or ".join(f"{h!r} ({s:.2f})" for h, s in cands)


def _mapping_lines(fg: FileGuess) -> list[str]:
    ind = "    "
    if fg.detection is not None:
        det = fg.detection
        lines = [_pad(f"{ind}mapping: {_scalar(det.name)}",
                      f"shipped ERP mapping recognised from the headers "
                      f"{', '.join(det.matched[:4])}{', ...' if len(det.matched) > 4 else ''} "
                      f"(score {det.score:.2f})")]
        if det.missing_optional:
            lines.append(f"{ind}# its headers not in this file: "
                         f"{_comment(', '.join(det.missing_optional))}")
        return lines
    todo = [f"{ind}    # TODO {c}: <header>   required, no header found for it"
            + (f"; maybe {_comment(_maybe(fg.candidates[c]))}" if fg.candidates.get(c) else "")
            for c in fg.missing_required]
    if fg.model_named and not todo:
        return [f"{ind}# headers are the data model's column names: no mapping needed"]
    named = [c for c in fg.columns if _same_name(c)]
    guessed = [c for c in fg.columns if not _same_name(c)]
    lines = [f"{ind}mapping:", f"{ind}  columns:" if guessed or todo else f"{ind}  columns: {{}}"]
    for c in guessed:
        check = "; check" if c.confidence < APPLY_SCORE + 0.1 else ""
        lines.append(_pad(f"{ind}    {c.column}: {_scalar(c.header)}",
                          f"{c.evidence}, {c.confidence:.2f}{check}"))
    lines += todo
    if named:
        lines.append(f"{ind}  # found by their model names (no line needed): "
                     f"{_comment(', '.join(c.column for c in named))}")
    return lines


def _table_lines(table: str, fg: FileGuess, base: Path) -> list[str]:
    lines = [f"  {table}:",
             f"    # {_comment(fg.label)}: {fg.rows:,} rows, {len(fg.headers)} headers; "
             f"{_comment(fg.table_evidence)}"]
    if not fg.sure:
        lines.append("    # CHECK: this table guess is not certain")
    lines.append(f"    source: {_scalar(_source_ref(fg.path, base))}")
    if fg.sheet is not None:
        lines.append(f"    options: {{sheet: {_scalar(fg.sheet)}}}")
    lines += _mapping_lines(fg)
    lines += [f"    # HINT: {_comment(h)}" for h in fg.hints]
    if fg.unused and fg.detection is None:
        shown = ", ".join(fg.unused[:12]) + (", ..." if len(fg.unused) > 12 else "")
        lines.append(f"    # headers not used: {_comment(shown)}")
    return lines


def render_description(plan: InitPlan, out: str | os.PathLike[str]) -> str:
    """Return the dataset YAML for ``plan``, with paths relative to ``out``'s folder."""
    base = Path(out).expanduser().resolve().parent
    today = dt.date.today().isoformat()
    lines = [
        f"# Dataset description written by `workbench init` on {today} from",
        f"#   {plan.root}",
        "# Every guess says how it was made and how sure it is (0..1). Check the lines marked",
        "# CHECK, fill in the TODO lines, then run: workbench check <this file>",
        "# The format, mappings and settings: docs/own-data.md",
        f"name: {_scalar(plan.name)}",
        "settings:",
    ]
    if plan.currency:
        lines.append(_pad(f"  currency: {plan.currency[0]}",
                          f"guessed from the {plan.currency[1]}; check"))
    else:
        lines.append(_pad("  currency:", "TODO: ISO code of the amounts (EUR, USD, CNY); "
                                         "empty: amounts without a currency"))
    lines += [
        _pad("  as_of:", "the export's date, YYYY-MM-DD (empty: the latest date in the data)"),
        _pad("  period: M", "default KPI period: W, M or Q"),
        _pad("  language: en", "default report language: en or zh"),
        "  # sender: {name: Customer service, email: service@example.com, phone: \"+1 555 0100\"}",
    ]
    for key in ("targets", "expedite_options"):
        value = getattr(plan, key)
        if value is not None:
            lines.append(_pad(f"{key}: {_scalar(_source_ref(value, base))}", "found by its name"))
    lines.append("tables:")
    if "order_lines" not in plan.tables:
        lines += ["  # TODO: no file looks like order lines (the one table every report needs);",
                  "  # name the export below and map its columns (docs/own-data.md)",
                  "  order_lines:", "    source: <your order-lines export>"]
    for table in TABLE_ORDER:
        fg = plan.tables.get(table)
        if fg is None:
            continue
        lines += _table_lines(table, fg, base)
        for other in plan.extra_files.get(table, []):
            lines.append(f"    # also looks like {table}: {_comment(other.label)} "
                         f"({_comment(other.table_evidence)}); not used: give a glob "
                         f"(orders_*.csv) to load several files together")
    unknown = [fg for fg in plan.files if fg.table is None]
    if unknown or plan.ignored:
        lines.append("# Not used:")
    for fg in unknown:
        why = fg.error or fg.table_evidence
        lines.append(f"#   {_comment(fg.label)}: {_comment(why)}")
    for f in plan.ignored:
        lines.append(f"#   {_comment(f.name)}: not a data file type ({', '.join(DATA_SUFFIXES)})")
    return "\n".join(lines) + "\n"


def _mapping_words(fg: FileGuess) -> str:
    if fg.detection is not None:
        return f"{fg.detection.name} (shipped; recognised from its headers)"
    if fg.model_named and not fg.missing_required:
        return "none needed (the headers are the model's column names)"
    guessed = [c for c in fg.columns if not _same_name(c)]
    weak = [f"{c.column} <- {c.header!r} ({c.confidence:.2f})" for c in guessed
            if c.confidence < 0.9]
    return (f"guessed for {len(guessed)} column(s), {len(fg.columns) - len(guessed)} found by "
            f"their model names" + (f"; less sure: {', '.join(weak)}" if weak else ""))


def describe_plan(plan: InitPlan) -> str:
    """Say in words what ``init`` found and guessed (what the command prints)."""
    out = [f"Looked at {len(plan.files)} data file(s) in {plan.root}"
           + (f" ({len(plan.ignored)} other file(s) ignored)" if plan.ignored else "")]
    for fg in plan.files:
        if fg.table is None:
            out.append(f"  {fg.label}: not used - {fg.error or fg.table_evidence}")
            continue
        chosen = plan.tables.get(fg.table) is fg
        note = ("" if chosen else " (not used: another file was chosen)") + (
            "" if fg.sure else " (CHECK: not certain)")
        out.append(f"  {fg.label} -> {fg.table}{note}: {fg.table_evidence}")
        out.append(f"    mapping: {_mapping_words(fg)}")
        out += [f"    hint: {h}" for h in fg.hints]
        for c in fg.missing_required:
            maybe = f" (maybe {_maybe(fg.candidates[c])})" if fg.candidates.get(c) else ""
            out.append(f"    TODO: required column {c} not found{maybe} - name its header in "
                       f"the mapping")
    if "order_lines" not in plan.tables:
        out.append("  TODO: no file looks like order lines; every report needs them")
    out += [f"  warning: {w}" for w in plan.warnings]
    if plan.currency:
        out.append(f"  currency {plan.currency[0]}: guessed from the {plan.currency[1]}")
    else:
        out.append("  currency: not found - set settings.currency (EUR, USD, CNY, ...)")
    return "\n".join(out)


@dataclass(frozen=True)
class InitResult:
    """What :func:`init_dataset` wrote."""

    path: Path
    plan: InitPlan
    text: str

    @property
    def todo(self) -> int:
        """Number of required columns (or tables) left to fill in."""
        return (sum(len(fg.missing_required) for fg in self.plan.tables.values())
                + ("order_lines" not in self.plan.tables))


def init_dataset(path: str | os.PathLike[str], out: str | os.PathLike[str] = "dataset.yaml",
                 *, force: bool = False) -> InitResult:
    """Write a first dataset description for the exports under ``path``.

    Parameters
    ----------
    path
        A folder of exports, or one file.
    out
        The YAML to write (paths in it are relative to its folder when the
        data lies below it, absolute otherwise).
    force
        Overwrite ``out`` when it exists.

    Returns
    -------
    InitResult
        The file written, the plan (guesses) and the YAML text.

    Raises
    ------
    OutputExistsError
        When ``out`` exists and ``force`` is false (nothing is written).
    SourceNotFoundError, SourceError
        When ``path`` does not exist or holds no data file.
    """
    target = Path(out).expanduser()
    if target.exists() and not force:
        raise OutputExistsError(f"{target} already exists; init never overwrites a description",
                                source=str(target),
                                fix="pass --out another.yaml, or --force to replace it.")
    plan = plan_dataset(path)
    text = render_description(plan, target)
    if "order_lines" in plan.tables:  # what is written must read back as a valid description
        config_from_dict(yaml.safe_load(text), target.resolve().parent, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return InitResult(target, plan, text)
