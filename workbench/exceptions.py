"""Exceptions raised by the workbench.

Every error the package raises on purpose derives from :class:`WorkbenchError`,
so callers (notebooks, the CLI, scheduled runs) can catch one class. Each
subclass carries structured fields and a message that states the rule, the
offending value, where it was found and how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "ArrowConversionError",
    "ChoiceError",
    "ConfigError",
    "CountError",
    "DateColumnError",
    "DateParameterError",
    "DuplicateKeyError",
    "FrameTypeError",
    "FrequencyError",
    "InputShapeError",
    "InputTypeError",
    "InvalidParameterError",
    "LanguageError",
    "MappingError",
    "MissingColumnsError",
    "NotAdditiveError",
    "NotAvailableError",
    "RangeError",
    "SourceError",
    "SourceNotFoundError",
    "UnknownTableError",
    "WorkbenchError",
    "ReportTimeoutError",
    "KernelDiedError",
    "redact_secrets",
    "ReadOnlyQueryError",
    "CorruptDatabaseError",
    "RecordCountMismatchError",
    "FileContentError",
    "DataSheetError",
    "OutputExistsError",
    "DerivedColumnError",
]

_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.\-]*:/+[^:/@\s'\"]*):[^\s'\"]*@",
                           re.IGNORECASE)
_KEY_PASSWORD = re.compile(r"(?P<head>\b(?:password|passwd|pwd)\s*=\s*)[^\s&;'\",)]+",
                           re.IGNORECASE)


def redact_secrets(text: str) -> str:
    """Replace the passwords in database URLs and ``password=`` settings by ``***``.

    Every :class:`WorkbenchError` message passes through it, so no error shows a
    password, wherever the URL appears in it.

    Examples
    --------
    >>> redact_secrets("cannot open postgresql+psycopg://ana:s3cret@db:5432/erp")
    'cannot open postgresql+psycopg://ana:***@db:5432/erp'
    >>> redact_secrets("host=db user=ana password=s3cret")
    'host=db user=ana password=***'
    """
    text = _URL_PASSWORD.sub(r"\g<head>:***@", text)
    return _KEY_PASSWORD.sub(r"\g<head>***", text)


class WorkbenchError(Exception):
    """Root of all errors raised by the workbench.

    Parameters
    ----------
    message
        Human-readable message: rule, offending value, location, fix.
    source
        File, URL or table the error refers to, if any.
    fix
        Suggested remedy, appended to the message.
    """

    def __init__(self, message: str, *, source: str | None = None, fix: str | None = None):
        self.source = redact_secrets(source) if isinstance(source, str) else source
        self.fix = fix
        parts = [message]
        if source:
            parts.append(f"Source: {self.source}.")
        if fix:
            parts.append(f"Fix: {fix}")
        super().__init__(redact_secrets(" ".join(parts)))


class SourceError(WorkbenchError):
    """A data source cannot be read at all (missing, empty, undecodable, unknown type)."""


class SourceNotFoundError(SourceError):
    """A file the caller named (data, mapping, targets, expedite options) does not exist.

    Attributes
    ----------
    path
        The path as given.
    """

    def __init__(self, message: str, *, path: str, fix: str | None = None):
        self.path = path
        super().__init__(message, source=path, fix=fix)


class NotAvailableError(WorkbenchError):
    """A computation needs optional columns that the data does not have.

    Attributes
    ----------
    what
        The computation (e.g. a KPI name).
    missing
        The data-model columns it needs and that are absent or empty.
    """

    def __init__(self, what: str, missing: Sequence[str]):
        self.what = what
        self.missing = list(missing)
        super().__init__(
            f"{what} is not available: needs column(s) {', '.join(self.missing)}.",
            fix="map these columns in the column mapping, or leave this measure out.",
        )


class MissingColumnsError(NotAvailableError):
    """Required columns of a table cannot be found in the source or input frame.

    A subclass of :class:`NotAvailableError`: code that degrades gracefully on
    missing data (``except NotAvailableError``) also catches it.

    Attributes
    ----------
    table
        Name of the data-model table being loaded (e.g. ``"order_lines"``).
    missing
        Data-model column names that could not be mapped.
    found
        Column headers present in the source.
    """

    def __init__(
        self,
        table: str,
        missing: Sequence[str],
        found: Sequence[str],
        *,
        source: str | None = None,
        hint: str | None = None,
    ):
        self.table = table
        self.what = f"table {table!r}"
        self.missing = list(missing)
        self.found = list(found)
        shown = ", ".join(repr(c) for c in self.found[:40])
        if len(self.found) > 40:
            shown += f", ... ({len(self.found)} columns)"
        message = (
            f"Table {table!r} needs the required column(s) {', '.join(self.missing)}, "
            f"but none of the source headers maps to them. Headers found: [{shown}]."
        )
        if hint:
            message += f" {hint}"
        fix = (
            "map the source headers onto the data model with a column mapping, e.g. "
            "load_orders(path, mapping={"
            + ", ".join(f"'{c}': '<your header>'" for c in self.missing[:3])
            + "}) or a YAML file under data/mappings/ (see docs/data-model.md)."
        )
        WorkbenchError.__init__(self, message, source=source, fix=fix)


class MappingError(WorkbenchError):
    """A column mapping is malformed (unknown model column, bad YAML, wrong type).

    Attributes
    ----------
    key
        The mapping key at fault.
    """

    def __init__(self, message: str, *, key: str | None = None, source: str | None = None,
                 fix: str | None = None):
        self.key = key
        super().__init__(message, source=source, fix=fix)


class DerivedColumnError(MappingError):
    """A mapping's derived-column expression cannot be parsed or computed on a source.

    Raised for an expression outside the grammar (an unknown function, an operator
    other than ``+``/``-``), a name that is neither a mapped model column nor a
    header of the source, or values of the wrong kind (a number added to a date
    without ``days()``).

    Attributes
    ----------
    key
        ``derived.<column>``.
    expression
        The expression as written in the mapping.
    found
        The source's headers, when a header was not found (else ``None``).
    """

    def __init__(self, message: str, *, key: str, expression: str, source: str | None = None,
                 fix: str | None = None, found: Sequence[str] | None = None):
        self.expression = expression
        self.found = list(found) if found is not None else None
        super().__init__(message, key=key, source=source, fix=fix)


class ConfigError(WorkbenchError):
    """A configuration value (parameter, report config) is invalid.

    Attributes
    ----------
    key
        Name of the offending parameter or configuration key.
    value
        The offending value.
    """

    def __init__(self, message: str, *, key: str | None = None, value: object = None,
                 fix: str | None = None, source: str | None = None):
        self.key = key
        self.value = value
        super().__init__(message, source=source, fix=fix)


class InvalidParameterError(ConfigError):
    """Base of the parameter checks in :mod:`workbench.validation` (one subclass per rule)."""


class FrequencyError(InvalidParameterError):
    """A period frequency (``freq``) is not one the computation supports."""


class CountError(InvalidParameterError):
    """A parameter that must be a whole number at or above a minimum is not."""


class DateParameterError(InvalidParameterError):
    """A parameter that must be a date (``as_of``, ``start``) cannot be read as one."""


class LanguageError(InvalidParameterError):
    """A language code is not one the workbench writes (``en``, ``zh``)."""


class ChoiceError(InvalidParameterError):
    """A parameter is not one of its allowed values (a chart mode, an item id, a format)."""


class RangeError(InvalidParameterError):
    """A numeric parameter lies outside its allowed range."""


class FrameTypeError(InvalidParameterError):
    """An input that must be a pandas DataFrame is something else."""


class DateColumnError(ConfigError):
    """A column that must hold dates contains values that cannot be read as dates.

    Attributes
    ----------
    table, column
        Where the column is.
    """

    def __init__(self, message: str, *, table: str, column: str, value: object = None,
                 fix: str | None = None):
        self.table = table
        self.column = column
        super().__init__(message, key=column, value=value, fix=fix)


class UnknownTableError(ConfigError):
    """A data-model table name is not one of the model's tables."""


class DuplicateKeyError(ConfigError):
    """An input frame repeats a key that must identify one row (e.g. ``customer_id``).

    Attributes
    ----------
    table, column
        Where the key is.
    """

    def __init__(self, message: str, *, table: str, column: str, value: object = None,
                 fix: str | None = None):
        self.table = table
        self.column = column
        super().__init__(message, key=column, value=value, fix=fix)


class NotAdditiveError(ConfigError):
    """A measure that does not roll up (median, percentile, deviation) would need a roll-up."""


class ArrowConversionError(SourceError):
    """An input frame cannot be converted to Arrow (e.g. mixed-type object columns)."""


class InputTypeError(InvalidParameterError):
    """An input is not the kind of object a computation needs (e.g. a ``PabResult``)."""


class InputShapeError(InvalidParameterError):
    """Arrays of an input object do not have the shape they must have (items x periods)."""


class ReadOnlyQueryError(ConfigError):
    """An SQL source's ``query=`` is not one read-only statement (DDL, DML, several statements)."""


class CorruptDatabaseError(SourceError):
    """A database file exists but is not a readable database (damaged, or another kind of file)."""


class ReportTimeoutError(WorkbenchError):
    """A report notebook ran longer than its ``timeout`` and was stopped."""


class KernelDiedError(WorkbenchError):
    """The kernel running a report notebook died (killed for lack of memory, or exited)."""


class RecordCountMismatchError(SourceError):
    """A reader's record count differs from the independent count of Python's ``csv`` module.

    Attributes
    ----------
    rows_in, expected
        Records the reader accounted for, and records ``csv`` finds in the same text.
    """

    def __init__(self, rows_in: int, expected: int, *, source: str, what: str = "records"):
        self.rows_in = rows_in
        self.expected = expected
        super().__init__(
            f"the reader found {rows_in} {what} but Python's csv module finds {expected} in "
            f"the same text: a record would be lost or invented.",
            source=source,
            fix="report this as a bug with the file; meanwhile pass delimiter='...' or "
                "re-export the file with every text field quoted.")


class FileContentError(SourceError):
    """A file's content is not what its name says (an Excel workbook named ``.csv``, ...).

    Attributes
    ----------
    actual
        What the content is (e.g. ``"legacy Excel .xls workbook"``).
    """

    def __init__(self, message: str, *, actual: str, source: str, fix: str | None = None):
        self.actual = actual
        super().__init__(message, source=source, fix=fix)


class DataSheetError(SourceError):
    """The workbook sheet asked for is empty or holds no header row; names the sheets found.

    Attributes
    ----------
    sheets
        Sheet names of the workbook, in order.
    """

    def __init__(self, message: str, *, sheets: Sequence[str], source: str,
                 fix: str | None = None):
        self.sheets = list(sheets)
        super().__init__(message, source=source, fix=fix)


class OutputExistsError(WorkbenchError):
    """A file the command would write already exists, and it never overwrites without being told."""
