"""Customer notices as files: one HTML page and one plain-text file per notice, plus a CSV list.

:func:`export_notices` writes what :func:`workbench.planning.notices.draft_notices`
drafted into a folder the customer-service team can work from:

* ``NNN_<customer>_<kind>.html`` -- a complete standalone page (``<html lang>``,
  ``<meta charset="utf-8">``, the subject as ``<title>``) around the notice;
* ``NNN_<customer>_<kind>.txt`` -- the plain-text version (subject first), UTF-8;
* ``notices.csv`` -- one row per notice: customer, contact, kind, level, subject,
  lines, orders, value at risk and currency, and the two file names. UTF-8 with a
  byte-order mark (so spreadsheet programs read Chinese names), every text cell
  neutralised against formula injection (:func:`workbench.reporting.reports.csv_safe`).

File names come from the customer id made safe (letters, digits, ``.``, ``_`` and
``-`` only, no leading dot, at most 40 characters) behind a running number, so a
hostile id (``../../etc/passwd``, ``CON``, a newline) can neither leave the folder
nor collide with another notice.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pandas as pd

from workbench.exceptions import ConfigError, OutputExistsError
from workbench.reporting.reports import atomic_write_bytes, csv_safe
from workbench.text import escape_html
from workbench.validation import require_frame

__all__ = ["CSV_COLUMNS", "KIND_NAMES", "export_notices", "safe_file_stem"]

CSV_COLUMNS: tuple[str, ...] = (
    "Customer ID", "Customer", "Contact e-mail", "Notice", "Level", "Language", "Subject",
    "Order lines", "Orders", "Value at risk", "Lines without price", "Currency", "HTML file",
    "Text file", "Run",
)
"""Columns of ``notices.csv``."""

KIND_NAMES: dict[str, str] = {"confirmed_break": "Confirmed break",
                              "potential_risk": "Potential risk", "all_clear": "All clear"}
"""How ``notices.csv`` names each notice kind."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_NEEDED = ("customer_id", "customer_name", "contact_email", "notice", "alert_level",
           "language", "subject", "html", "text")
_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Arial, "Microsoft YaHei", "PingFang SC", sans-serif; font-size: 14px;
       line-height: 1.45; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.8em 0; }}
th, td {{ border: 1px solid #999; padding: 4px 8px; vertical-align: top; }}
th {{ background: #f0f0f0; }}
</style>
</head>
<body>
{body}</body>
</html>
"""


def safe_file_stem(value: object, *, default: str = "customer", limit: int = 40) -> str:
    """Make a file-name part of letters, digits, ``.``, ``_`` and ``-`` only.

    Accents are dropped (``Müller`` -> ``Muller``), every other character run
    becomes ``_``, leading dots and underscores go, and the result is cut to
    ``limit`` characters; nothing left gives ``default``.

    Examples
    --------
    >>> safe_file_stem("../../etc/passwd"), safe_file_stem("C0001"), safe_file_stem("宁波")
    ('etc_passwd', 'C0001', 'customer')
    """
    text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("_", text).lstrip("._-")[:limit].rstrip("._-")
    return text or default


def _page(row: pd.Series) -> str:
    lang = "zh" if str(row["language"]) == "zh" else "en"
    return _PAGE.format(lang=lang, title=escape_html(row["subject"]), body=row["html"])


def export_notices(notices: pd.DataFrame, folder: str | Path, *, run_id: str | None = None,
                   overwrite: bool = True) -> Path:
    """Write one ``.html`` and one ``.txt`` file per notice and the list ``notices.csv``.

    Parameters
    ----------
    notices
        :func:`workbench.planning.notices.draft_notices` output (one row per notice).
    folder
        Where to write (created if missing).
    run_id
        Names the run: the files go to the sub-folder ``folder/<run_id>`` (made
        safe) and the CSV's ``Run`` column holds it, so each run's notices stay
        apart. ``None``: straight into ``folder``.
    overwrite
        Replace files of the same name (default); ``False`` raises
        :class:`~workbench.exceptions.OutputExistsError` if ``notices.csv`` is
        already there.

    Returns
    -------
    pathlib.Path
        The folder written to; the list is ``<folder>/notices.csv``.

    Raises
    ------
    MissingColumnsError
        ``notices`` lacks a column of :data:`workbench.planning.notices.NOTICE_COLUMNS`
        that the files need.
    ConfigError
        ``folder`` exists and is not a directory.
    OutputExistsError
        ``overwrite=False`` and the folder already holds a ``notices.csv``.
    """
    require_frame(notices, "notices", _NEEDED,
                  hint="Build it with workbench.planning.notices.draft_notices().")
    base = Path(folder)
    out = base / safe_file_stem(run_id, default="run") if run_id is not None else base
    if out.exists() and not out.is_dir():
        raise ConfigError(f"export_notices: {out} exists and is not a folder", key="folder",
                          value=str(out), fix="pass the path of a folder (or a new one).")
    listing = out / "notices.csv"
    if not overwrite and listing.exists():
        raise OutputExistsError(f"export_notices: {listing} already exists",
                                fix="pass overwrite=True, another folder or a new run_id.")
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    width = max(3, len(str(len(notices))))
    rows = []
    for k, (_, row) in enumerate(notices.iterrows(), start=1):  # one file pair per notice
        stem = (f"{k:0{width}d}_{safe_file_stem(row['customer_id'])}_"
                f"{safe_file_stem(row['notice'], default='notice')}")
        html_path, text_path = root / f"{stem}.html", root / f"{stem}.txt"
        if html_path.resolve().parent != root:  # cannot happen with a safe stem; belt and braces
            raise ConfigError(f"export_notices: file name {stem!r} leaves {root}",
                              key="customer_id", value=row["customer_id"],
                              fix="report this: customer ids are made safe for file names.")
        # atomic: two renderings of one run (English, Chinese) may export the same notices
        atomic_write_bytes(html_path, _page(row).encode("utf-8"))
        atomic_write_bytes(text_path, str(row["text"]).encode("utf-8"))
        rows.append(_listing_row(row, html_path.name, text_path.name, run_id))
    frame = pd.DataFrame(rows, columns=list(CSV_COLUMNS))
    text = csv_safe(frame).to_csv(index=False, lineterminator="\n")
    atomic_write_bytes(listing, text.encode("utf-8-sig"))
    return out


def _listing_row(row: pd.Series, html_name: str, text_name: str, run_id: str | None) -> dict:
    value = row.get("value_at_risk")
    return {
        "Customer ID": str(row["customer_id"]), "Customer": str(row["customer_name"]),
        "Contact e-mail": str(row["contact_email"] or ""),
        "Notice": KIND_NAMES.get(str(row["notice"]), str(row["notice"])),
        "Level": int(row["alert_level"]), "Language": str(row["language"]),
        "Subject": str(row["subject"]), "Order lines": int(row.get("lines", 0) or 0),
        "Orders": str(row.get("order_ids", "") or ""),
        "Value at risk": None if value is None or pd.isna(value) else round(float(value), 2),
        "Lines without price": int(row.get("lines_without_price", 0) or 0),
        "Currency": str(row.get("currency", "") or ""),
        "HTML file": html_name, "Text file": text_name,
        "Run": "" if run_id is None else str(run_id),
    }
