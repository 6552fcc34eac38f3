"""Reading sources into the data model: schema, readers, parsing, mapping, load, dataset, samples.

Modules
-------
scan
    Lazy scan of Parquet order-line folders: streamed validation, DuckDB settings.
schema
    The workbench data model: tables, columns, types, units.
readers
    Read raw tables from files, keeping every record.
sql_source
    Read a table or a query result from an SQL database through SQLAlchemy, read-only.
sources
    Read any supported source (file, database URL, DataFrame) into a :class:`RawTable`.
parsing
    Vectorized parsing of raw text values into typed columns.
mapping
    Column mappings: how a source's headers map onto the data model.
derive
    Derived columns: expressions a mapping computes from model columns and source headers.
matching
    Header matching: rank a source's headers for each data-model column by evidence.
detect
    Recognise an ERP export by its headers and pick the shipped mapping that reads it.
load
    Load order histories (and the other data-model tables) without losing a row.
config
    Dataset descriptions (YAML): where each table is, its mapping, options and settings.
init
    Write a first dataset description (``dataset.yaml``) for a folder of exports.
dataset
    Load a folder of data-model tables (e.g. ``data/samples/``) in one call.
samples
    Seeded, deterministic sample data for every data-model table.
content
    Tell what a file really is from its first bytes, whatever its name says.
csv_records
    Split delimited text into records with Python's ``csv`` module, the loader's independent count.
encoding
    Choose the text encoding of a file by how plausible each decoding reads, and say how sure.
workbook
    Look inside an ``.xlsx`` workbook: its sheet names and the formulas that have no stored value.
"""

from workbench.io.config import (
    CONFIG_NAMES,
    DatasetConfig,
    TableSource,
    config_from_dict,
    dataset_config,
    open_dataset,
    read_config,
)
from workbench.io.content import (
    CONTENT_NAMES,
    sniff_bytes,
    sniff_file,
)
from workbench.io.csv_records import (
    BrokenRecord,
    RecordScan,
    check_record_count,
    count_records,
    iter_records,
    record_offset,
    scan_offset,
    scan_records,
)
from workbench.io.dataset import (
    TABLE_ORDER,
    Dataset,
    DatasetSettings,
    Sender,
    find_table_file,
    load_dataset,
)
from workbench.io.derive import (
    FUNCTIONS,
    ISSUE_PLANNED_DATE,
    Derivation,
    DeriveContext,
    Expression,
    Flag,
    evaluate,
    parse_expression,
    typed_result,
)
from workbench.io.detect import (
    Detection,
    DetectSpec,
    detect_mapping,
    detection_headers,
    fingerprints,
    mapping_fingerprint,
    shipped_mappings,
)
from workbench.io.encoding import (
    CANDIDATES,
    EncodingChoice,
    detect_text_encoding,
    plausibility,
    utf16_without_bom,
)
from workbench.io.init import (
    init_dataset,
    plan_dataset,
)
from workbench.io.load import (
    ISSUE_COLUMNS,
    QUARANTINE_COLUMNS,
    LoadResult,
    LoadSummary,
    digest,
    load_orders,
    load_table,
)
from workbench.io.mapping import (
    LINEAGE_RENAMES,
    ColumnMapping,
    DetectBlock,
    DropRule,
    FieldSource,
    Resolved,
    value_lookup,
)
from workbench.io.matching import (
    Candidate,
    ColumnMatch,
    MappingGuess,
    header_tokens,
    match_columns,
    suggest_mapping,
)
from workbench.io.parsing import (
    FALSE_WORDS,
    ISSUE_DATE_AMBIGUOUS,
    ISSUE_DATE_EXCEL_SERIAL,
    ISSUE_DATE_INCONSISTENT,
    ISSUE_DATE_OUT_OF_RANGE,
    ISSUE_NUMBER_AMBIGUOUS,
    ISSUE_NUMBER_INCONSISTENT,
    NA_MARKERS,
    TRUE_WORDS,
    DateOptions,
    NumberContext,
    Parsed,
    decimal_evidence,
    infer_number_context,
    na_mask,
    parse_bool,
    parse_column,
    parse_date,
    parse_number,
    parse_string,
)
from workbench.io.readers import (
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    PARQUET_SUFFIXES,
    SQLITE_SUFFIXES,
    RawTable,
    detect_encoding,
    find_header_row,
    is_url,
    normalize_header,
    read_csv_raw,
    read_excel_raw,
    read_parquet_raw,
    sniff_delimiter,
    unique_headers,
)
from workbench.io.samples import (
    TABLE_NAMES,
    SampleData,
    generate_samples,
    write_samples,
)
from workbench.io.scan import (
    DEFAULT_MEMORY_LIMIT,
    SCAN_QUARANTINE_COLUMNS,
    OrderScan,
    ScanValidation,
    parquet_files,
    scan_orders,
)
from workbench.io.schema import (
    CANCELLED_STATUSES,
    COLUMN_TYPES,
    COMPLAINTS,
    CUSTOMERS,
    DELIVERED_STATUSES,
    FORECAST,
    INVENTORY,
    ITEMS,
    LINEAGE_COLUMNS,
    OPEN_STATUSES,
    ORDER_CHANGES,
    ORDER_LINES,
    SHIPPED_STATUSES,
    SUPPLY_PLAN,
    TABLES,
    Column,
    Table,
    data_model_markdown,
    get_table,
)
from workbench.io.sources import (
    read_raw,
)
from workbench.io.sql_source import (
    check_read_only_query,
    corrupt_database_error,
    read_sql_raw,
    sqlite_file,
)
from workbench.io.workbook import (
    cell_position,
    formulas_without_values,
    sheet_names,
)

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "SCAN_QUARANTINE_COLUMNS",
    "OrderScan",
    "ScanValidation",
    "parquet_files",
    "scan_orders",
    "BrokenRecord",
    "CANCELLED_STATUSES",
    "CANDIDATES",
    "COLUMN_TYPES",
    "COMPLAINTS",
    "CONFIG_NAMES",
    "CONTENT_NAMES",
    "CSV_SUFFIXES",
    "CUSTOMERS",
    "Candidate",
    "Column",
    "ColumnMapping",
    "ColumnMatch",
    "DELIVERED_STATUSES",
    "Dataset",
    "DropRule",
    "DatasetConfig",
    "DatasetSettings",
    "DateOptions",
    "Derivation",
    "DeriveContext",
    "DetectBlock",
    "DetectSpec",
    "Detection",
    "EXCEL_SUFFIXES",
    "EncodingChoice",
    "Expression",
    "FALSE_WORDS",
    "FORECAST",
    "FUNCTIONS",
    "FieldSource",
    "Flag",
    "INVENTORY",
    "ISSUE_COLUMNS",
    "ISSUE_DATE_AMBIGUOUS",
    "ISSUE_DATE_EXCEL_SERIAL",
    "ISSUE_DATE_INCONSISTENT",
    "ISSUE_DATE_OUT_OF_RANGE",
    "ISSUE_NUMBER_AMBIGUOUS",
    "ISSUE_NUMBER_INCONSISTENT",
    "ISSUE_PLANNED_DATE",
    "ITEMS",
    "LINEAGE_COLUMNS",
    "LINEAGE_RENAMES",
    "LoadResult",
    "LoadSummary",
    "MappingGuess",
    "NA_MARKERS",
    "NumberContext",
    "OPEN_STATUSES",
    "ORDER_CHANGES",
    "ORDER_LINES",
    "PARQUET_SUFFIXES",
    "Parsed",
    "QUARANTINE_COLUMNS",
    "RawTable",
    "RecordScan",
    "Resolved",
    "SHIPPED_STATUSES",
    "SQLITE_SUFFIXES",
    "SUPPLY_PLAN",
    "SampleData",
    "Sender",
    "TABLES",
    "TABLE_NAMES",
    "TABLE_ORDER",
    "TRUE_WORDS",
    "Table",
    "TableSource",
    "cell_position",
    "check_read_only_query",
    "check_record_count",
    "config_from_dict",
    "corrupt_database_error",
    "count_records",
    "data_model_markdown",
    "dataset_config",
    "decimal_evidence",
    "detect_encoding",
    "detect_mapping",
    "detect_text_encoding",
    "detection_headers",
    "digest",
    "evaluate",
    "find_header_row",
    "find_table_file",
    "fingerprints",
    "formulas_without_values",
    "generate_samples",
    "get_table",
    "header_tokens",
    "infer_number_context",
    "init_dataset",
    "is_url",
    "iter_records",
    "load_dataset",
    "load_orders",
    "load_table",
    "mapping_fingerprint",
    "match_columns",
    "na_mask",
    "normalize_header",
    "open_dataset",
    "plan_dataset",
    "parse_bool",
    "parse_expression",
    "parse_column",
    "parse_date",
    "parse_number",
    "parse_string",
    "plausibility",
    "read_config",
    "typed_result",
    "value_lookup",
    "read_csv_raw",
    "read_excel_raw",
    "read_parquet_raw",
    "read_raw",
    "read_sql_raw",
    "record_offset",
    "scan_offset",
    "scan_records",
    "sheet_names",
    "shipped_mappings",
    "sniff_bytes",
    "sniff_delimiter",
    "sniff_file",
    "sqlite_file",
    "suggest_mapping",
    "unique_headers",
    "utf16_without_bom",
    "write_samples",
]
