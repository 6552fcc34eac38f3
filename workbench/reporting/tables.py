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
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from workbench.planning.notices import md_escape

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = [
    "BIDI_CONTROLS",
    "isolate_bidi",
    "md",
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
