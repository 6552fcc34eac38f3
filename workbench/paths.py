"""Project-root-anchored paths.

papermill runs a notebook's kernel in the caller's working directory, while
JupyterLab and nbval run it in the notebook's folder. Notebooks therefore never
use relative paths directly; they call :func:`data_path` / :func:`project_path`,
which resolve against the project root whatever the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from workbench.exceptions import SourceError

__all__ = [
    "data_path",
    "project_path",
    "project_root",
    "resolve_source",
    "shared_data_path",
]

_MARKERS = ("pyproject.toml", "workbench")


def _is_root(path: Path) -> bool:
    return all((path / m).exists() for m in _MARKERS) and (path / "data").is_dir()


def project_root() -> Path:
    """Return the project root directory.

    Resolution order: the ``WORKBENCH_ROOT`` environment variable; the folder
    that holds this package (editable install or checkout); the current
    directory or one of its parents.

    Raises
    ------
    SourceError
        If no folder with ``pyproject.toml``, ``workbench/`` and ``data/`` is found.
    """
    env = os.environ.get("WORKBENCH_ROOT")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve().parent.parent
    if _is_root(here):
        return here
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _is_root(candidate):
            return candidate
    raise SourceError(
        "cannot find the workbench project root (a folder holding pyproject.toml, "
        "workbench/ and data/)",
        fix="run from inside the project checkout or set WORKBENCH_ROOT=/path/to/project.",
    )


def project_path(*parts: str | os.PathLike[str]) -> Path:
    """Path below the project root; absolute parts are returned unchanged."""
    if parts and Path(parts[0]).is_absolute():
        return Path(*parts)
    return project_root().joinpath(*parts)


def data_path(*parts: str | os.PathLike[str]) -> Path:
    """Path below ``data/`` in the project root (absolute paths pass through).

    A path that already starts with ``data/`` is taken relative to the root,
    so ``data_path("data/samples/x.csv")`` and ``data_path("samples/x.csv")``
    name the same file.
    """
    if parts and Path(parts[0]).is_absolute():
        return Path(*parts)
    if parts and Path(parts[0]).parts[:1] == ("data",):
        return project_root().joinpath(*parts)
    return project_root().joinpath("data", *parts)


def shared_data_path(*parts: str) -> Path:
    """Path below ``../shared/data/real`` beside the project root (may not exist)."""
    env = os.environ.get("WORKBENCH_SHARED")
    base = Path(env) if env else project_root().parent / "shared"
    return base.joinpath("data", "real", *parts)


def resolve_source(source: str | os.PathLike[str]) -> str | Path:
    """Resolve a data source as given in a notebook parameter.

    SQLAlchemy URLs pass through, absolute paths stay, relative paths are taken
    below ``data/`` in the project root.
    """
    text = str(source)
    if "://" in text:
        return text
    return data_path(text)
