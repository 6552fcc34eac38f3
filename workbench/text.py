"""Text helpers shared by the customer notices and the reports.

A neutral module below both :mod:`workbench.planning` and
:mod:`workbench.reporting`, so neither has to import the other for escaping.
"""

from __future__ import annotations

import html

__all__ = ["escape_html"]


def escape_html(text: object) -> str:
    """HTML-escape user-provided text (customer names, free text, ids).

    Parameters
    ----------
    text
        Any value; ``None`` becomes the empty string, anything else its ``str``.

    Returns
    -------
    str
        The text with ``& < > " '`` replaced by entities (safe in element content
        and in quoted attribute values).

    Examples
    --------
    >>> escape_html('<b>"Tom" & Co</b>')
    '&lt;b&gt;&quot;Tom&quot; &amp; Co&lt;/b&gt;'
    >>> escape_html(None)
    ''
    """
    return html.escape("" if text is None else str(text), quote=True)
