"""Packaging facts that conda cannot check here: environment.yml agrees with pyproject.toml,
the generated docs are in sync with the code, and the layout is as documented."""

from __future__ import annotations

import re
import tomllib

import yaml

from workbench.io.schema import data_model_markdown

CONDA_NAMES = {"python-duckdb": "duckdb"}
"""conda-forge package names that differ from the PyPI names."""

CONDA_EXTRAS = {"dask[distributed]": ("dask", "distributed")}
"""PyPI requirements with extras that are several conda-forge packages (same lower bound)."""


def _req(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(>=\s*[\d.]+)?", spec)
    assert m, spec
    return m.group(1).lower().replace("_", "-"), (m.group(3) or "").replace(" ", "")


def _wanted(specs: list[str]) -> dict[str, str]:
    out = {}
    for spec in specs:
        name, bound = _req(spec)
        extra = re.match(r"^\s*[A-Za-z0-9_.\-]+\[[^\]]*\]", spec)
        for conda_name in CONDA_EXTRAS.get(extra.group(0).strip() if extra else "", (name,)):
            out[conda_name] = bound
    return out


def test_environment_yml_matches_pyproject(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    wanted = _wanted(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((root / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    conda = {}
    pip_section = None
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_section = dep["pip"]
            continue
        name, bound = _req(dep)
        if name not in ("python", "pip"):
            conda[CONDA_NAMES.get(name, name)] = bound
    pip_reqs = dict(_req(r) for r in pip_section if r != "-e .")
    assert "-e ." in pip_section
    assert not set(conda) & set(pip_reqs), "a package is listed twice"
    assert {**conda, **pip_reqs} == wanted
    assert project["requires-python"] == ">=3.11"


def test_extras_and_console_script(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["workbench"] == "workbench.cli:main"
    assert project["optional-dependencies"]["dev"] == project["optional-dependencies"]["test"]
    # the Dask backend is an extra of its own, and the tests (CI) install it
    for dep in project["optional-dependencies"]["dask"]:
        assert dep in project["optional-dependencies"]["test"]


def test_data_model_doc_in_sync(root):
    doc = (root / "docs" / "data-model.md").read_text(encoding="utf-8")
    assert doc == data_model_markdown(), "run `workbench docs` to regenerate docs/data-model.md"


def test_layout(root):
    for p in ("notebooks", "workbench", "data/samples", "data/mappings", "tests",
              "environment.yml", "README.md", "Makefile", ".ci/run"):
        assert (root / p).exists(), p


def test_ci_calls_the_readme_test_command(root):
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "make test" in readme and "make demo" in readme
    assert re.search(r"^make test$", (root / ".ci" / "run").read_text(), re.M)


def test_ruff_clean(root):
    """The code base is ruff clean (the project's lint rules are in pyproject.toml)."""
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff") or str(root / ".venv" / "bin" / "ruff")
    proc = subprocess.run([ruff, "check", "workbench", "tests", "benchmarks"], cwd=root,
                          capture_output=True, text=True, env={"PATH": sys.prefix + "/bin"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
