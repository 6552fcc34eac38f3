"""The package layout keeps its promises: one-way layers, no import cycles, no private
names across modules, every error under WorkbenchError, one definition per validator."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import workbench
from workbench.paths import project_root

PACKAGE = Path(workbench.__file__).parent
# Lower layers never import higher ones (base < io < compute < distributed < reporting < cli).
LAYERS = {
    "exceptions": 0, "validation": 0, "paths": 0, "i18n": 0, "text": 0,
    "io": 1,
    "kpis": 2, "planning": 2, "customers": 2, "inventory": 2,
    "distributed": 2.5,  # the Dask backend wraps compute; compute never imports it
    "reporting": 3,
    "cli": 4,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def _imports(name: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in ``name``, lazy ones too."""
    out = []
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name}:{node.lineno}: use absolute imports"
            if node.module and node.module.split(".")[0] == "workbench":
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    if sub in MODULES:  # `from workbench.kpis import engine`: the submodule
                        out.append((sub, [], node.lineno))
                    else:
                        out.append((node.module, [alias.name], node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names
                    if a.name.split(".")[0] == "workbench"]
    return out


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_area_is_assigned_a_layer():
    areas = {name.split(".")[1] for name in MODULES if "." in name}
    assert areas <= set(LAYERS), f"new top-level module(s) without a layer: {areas - set(LAYERS)}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_and_never_at_private_names(name):
    mine = _layer(name)
    for target, names, line in _imports(name):
        private = [n for n in names if n.startswith("_")]
        assert not private, f"{name}:{line} imports private {private} from {target}"
        theirs = _layer(target)
        if mine is not None and theirs is not None and target.split(".")[1] != name.split(".")[1]:
            assert theirs <= mine, f"{name}:{line} imports {target}, a higher layer"


def test_no_import_cycles():
    graph = {name: {t for t, _, _ in _imports(name) if t in MODULES} for name in MODULES}
    # Tarjan's strongly connected components
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph[v]:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


BUILTIN_ERRORS = {"ValueError", "KeyError", "TypeError", "IndexError", "RuntimeError",
                  "Exception", "AssertionError"}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_errors_raised_on_purpose_derive_from_workbench_error(name):
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(exc, ast.Name):
                assert exc.id not in BUILTIN_ERRORS, f"{name}:{node.lineno} raises {exc.id}"
        if isinstance(node, ast.ClassDef) and node.name != "WorkbenchError":
            bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
            assert not bases & BUILTIN_ERRORS, f"{name}: class {node.name} derives from {bases}"


VALIDATORS = ("_check_freq", "_check_int", "_check_count", "_check_language", "_check_as_of",
              "_check_date", "_day_numbers", "_date_array", "_check_frame", "check_date",
              "check_language", "day_numbers")


def test_each_validator_is_defined_once_in_the_validation_module():
    where: dict[str, list[str]] = {}
    for name, tree in TREES.items():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in VALIDATORS:
                where.setdefault(node.name, []).append(name)
    assert where == {n: ["workbench.validation"] for n in ("check_date", "check_language",
                                                             "day_numbers")}


def test_every_module_says_what_it_is_for_and_lists_its_public_names():
    for name, tree in TREES.items():
        doc = ast.get_docstring(tree)
        assert doc and doc.splitlines()[0].strip(), f"{name}: module docstring missing"
        if not name.endswith("__init__") and name != "workbench" and name not in {
                "workbench." + p for p in ("io", "kpis", "planning", "customers", "inventory",
                                           "reporting")}:
            has_all = any(isinstance(n, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "__all__" for t in n.targets)
                for n in tree.body)
            assert has_all, f"{name}: no __all__"


def test_readme_module_map_names_every_module():
    readme = (project_root() / "README.md").read_text(encoding="utf-8")
    missing = [n for n in MODULES if n.count(".") == 2 and f"`{n.split('.')[2]}`" not in readme]
    assert not missing, f"README module map misses {missing}"


def test_import_workbench_leaves_plotting_to_the_reporting_package():
    """``import workbench`` (loading data, the command line, Dask workers) does not import
    plotly's renderers, nbformat or IPython (about a second and 30 MB); importing the
    reporting package sets the renderer that draws in JupyterLab and in offline HTML."""
    import subprocess
    import sys

    code = ("import sys, workbench; print(sorted(m for m in ('plotly', 'nbformat', 'IPython') "
            "if m in sys.modules)); import workbench.reporting, plotly.io as pio; "
            "print(pio.renderers.default)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "plotly_mimetype+notebook"
