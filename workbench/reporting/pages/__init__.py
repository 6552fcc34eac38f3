"""What each report shows, section by section, in English and Chinese.

One module per report notebook: its cells call these functions, which build the
sentences, tables (:func:`workbench.reporting.tables.report_table`) and figures of
a section in the report's language, so that the notebooks hold no logic and the
same section reads the same wherever it appears.
"""

__all__ = []
