"""Recognise an ERP export by its headers and pick the shipped mapping that reads it.

Every mapping under ``data/mappings/`` that carries a ``detect:`` block is a
*shipped* mapping: a header fingerprint says when it applies::

    detect:
      required: [Sales Document, Sales Document Item, Sold-to Party, Material]
      any: [Goods Issue Date, Net Price]      # optional extra evidence
      language: en                            # optional label for the summary

A mapping is a candidate only when **all** its ``required`` headers are present
(matched with :func:`workbench.io.readers.normalize_header`: case, outer and
repeated spaces, BOM and full-width spaces ignored). Among candidates the one
with the highest score wins: the share of the mapping's headers (``required``,
``any`` and every source header the mapping names in ``columns``, ``extra``,
``fill_down``, ``price_unit`` and backticked names in ``derived``) found in the
file. Ties go to the mapping with more required headers, then to the name.
A mapping with a missing required header is never chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from workbench.exceptions import MappingError
from workbench.io.mapping import ColumnMapping
from workbench.io.readers import normalize_header
from workbench.paths import data_path

__all__ = [
    "Detection",
    "DetectSpec",
    "detect_mapping",
    "detection_headers",
    "fingerprints",
    "mapping_fingerprint",
    "shipped_mappings",
]

@dataclass(frozen=True)
class DetectSpec:
    """The header fingerprint of one shipped mapping (its ``detect:`` block)."""

    name: str
    """Mapping name: the YAML file name without ``.yaml``."""
    required: tuple[str, ...]
    """Headers that must all be present (as written in the mapping)."""
    headers: tuple[str, ...]
    """Every header the mapping names (required first), as written, without duplicates."""
    language: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Detection:
    """A shipped mapping recognised from a file's headers.

    Attributes
    ----------
    mapping
        The mapping, ready for :func:`workbench.io.load.load_table`.
    name
        Its name (file name without ``.yaml``), e.g. ``"sap_va05_de"``.
    score
        Share (0..1] of the mapping's headers found in the file.
    matched
        The mapping's headers found in the file (as the mapping writes them).
    missing_optional
        The mapping's headers not found (never a required one).
    language
        The ``detect.language`` label (``en``, ``de``, ``zh``, ...), if given.
    """

    mapping: ColumnMapping
    name: str
    score: float
    matched: tuple[str, ...]
    missing_optional: tuple[str, ...]
    language: str | None = None

    def describe(self) -> str:
        """One line for the load summary: name and the required headers that identified it."""
        lang = f", {self.language}" if self.language else ""
        return (f"{self.name}{lang} (recognised from headers: {', '.join(self.matched[:6])}"
                f"{', ...' if len(self.matched) > 6 else ''}; "
                f"{len(self.matched)}/{len(self.matched) + len(self.missing_optional)} "
                f"of its headers found)")


def mapping_fingerprint(mapping: ColumnMapping, name: str) -> DetectSpec | None:
    """Return the :class:`DetectSpec` of a mapping (``None`` without a ``detect:`` block).

    The mapping is already validated (its ``detect:`` block by
    :meth:`ColumnMapping.from_dict`); the fingerprint adds every source header
    the mapping names: ``columns``, ``extra``, ``fill_down``, ``price_unit`` and
    the backticked headers of ``derived`` expressions.
    """
    det = mapping.detect
    if det is None:
        return None
    names: list[str] = [*det.required, *det.any]
    for fs in mapping.columns.values():
        names += fs.columns
    names += mapping.extra.values()
    names += mapping.fill_down
    names += [mapping.price_unit] if mapping.price_unit else []
    for expr in mapping.derived.values():
        names += expr.headers
    seen: dict[str, str] = {}
    for h in names:
        seen.setdefault(normalize_header(h), h)
    return DetectSpec(name=name, required=tuple(dict.fromkeys(det.required)),
                      headers=tuple(seen.values()), language=det.language,
                      description=mapping.description)


def _mapping_files(folder: Path) -> tuple[tuple[str, int], ...]:
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return tuple((str(p), p.stat().st_mtime_ns) for p in files)


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it: the shipped mappings parse in about a tenth of
the time of the pure-Python loader (0.09 s of every process's first load)."""


@lru_cache(maxsize=8)
def _load_shipped(files: tuple[tuple[str, int], ...]
                  ) -> tuple[tuple[DetectSpec, ColumnMapping], ...]:
    out: list[tuple[DetectSpec, ColumnMapping]] = []
    for path_s, _mtime in files:
        path = Path(path_s)
        try:
            spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except yaml.YAMLError as exc:
            raise MappingError(f"the mapping is not valid YAML: {exc}", source=str(path),
                               fix="check indentation and quote headers with ':' or '#'.") from exc
        if not isinstance(spec, dict) or "detect" not in spec:
            continue
        mapping = ColumnMapping.from_dict(spec, spec.get("table", "order_lines"),
                                          origin=str(path))
        fp = mapping_fingerprint(mapping, path.stem)
        if fp is not None:
            out.append((fp, mapping))
    return tuple(out)


def _shipped(folder: Path | None = None) -> tuple[tuple[DetectSpec, ColumnMapping], ...]:
    folder = Path(folder) if folder is not None else data_path("mappings")
    if not folder.is_dir():
        return ()
    return _load_shipped(_mapping_files(folder))


def shipped_mappings(folder: Path | None = None) -> list[ColumnMapping]:
    """Return the mappings under ``data/mappings/`` that have a ``detect:`` block.

    Parameters
    ----------
    folder
        Where to look; default ``data/mappings`` in the project root.

    Returns
    -------
    list of ColumnMapping
        In file-name order. Files are re-read when they change.

    Raises
    ------
    MappingError
        When a shipped mapping is not valid YAML or not a valid mapping.
    """
    return [m for _, m in _shipped(folder)]


def detect_mapping(headers: Iterable[object], folder: Path | None = None,
                   table: str | None = None) -> Detection | None:
    """Return the best shipped mapping for these headers, or ``None``.

    Parameters
    ----------
    headers
        The source's header row (any spelling; matched after
        :func:`~workbench.io.readers.normalize_header`).
    folder
        Where the shipped mappings are; default ``data/mappings``.
    table
        Only consider mappings onto this data-model table (default: any).

    Returns
    -------
    Detection or None
        ``None`` when no shipped mapping has all its required headers present.

    Examples
    --------
    >>> d = detect_mapping(["Verkaufsbeleg", "Position", "Auftraggeber", "Material",
    ...                     "Belegdatum", "Auftragsmenge"])
    >>> d.name if d else None
    'sap_va05_de'
    """
    present = {normalize_header(h) for h in headers if h is not None}
    best: tuple[tuple[float, int], Detection] | None = None
    for fp, mapping in _shipped(folder):
        if table is not None and mapping.table != table:
            continue
        if not all(normalize_header(h) in present for h in fp.required):
            continue
        matched = tuple(h for h in fp.headers if normalize_header(h) in present)
        missing = tuple(h for h in fp.headers if normalize_header(h) not in present)
        score = len(matched) / len(fp.headers)
        # higher score, then more required headers; files come in name order and a
        # later mapping must beat the earlier strictly, so equal keys go to the first name
        key = (score, len(fp.required))
        if best is None or key > best[0]:
            best = (key, Detection(mapping=mapping, name=fp.name, score=score, matched=matched,
                                   missing_optional=missing, language=fp.language))
    return best[1] if best else None


def detection_headers(folder: Path | None = None) -> set[str]:
    """Return the normalised headers of every shipped mapping (to find a header row).

    Returns
    -------
    set of str
        Union over shipped mappings of the headers they name, normalised.
    """
    return {normalize_header(h) for fp, _ in _shipped(folder) for h in fp.headers}


def fingerprints(folder: Path | None = None) -> list[DetectSpec]:
    """Return the :class:`DetectSpec` of every shipped mapping (for docs and tests)."""
    return [fp for fp, _ in _shipped(folder)]
