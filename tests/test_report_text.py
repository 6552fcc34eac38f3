"""No developer text in reports: commands and tool names stay in the README, not in what a report shows.

Rendered reports exclude inputs, so what a reader sees is the Markdown cells and
what code cells print or display. This scans every notebook's Markdown cells and
the string literals of its code cells (the parameters cell is not rendered and
is skipped) for words that only make sense to whoever runs the notebook.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))

FORBIDDEN = ("papermill", "voila", "nbconvert", ".venv", "reports.yaml", "-p ", "interactive=")
"""Developer words: tools, commands, the batch file, command-line and keyword-argument syntax."""


def _literals(source: str) -> list[str]:
    """String literals of a code cell (IPython magics turned into Python first)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        from IPython.core.inputtransformer2 import TransformerManager
        tree = ast.parse(TransformerManager().transform_cell(source))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def developer_text(path: Path) -> list[str]:
    """Return one line per forbidden word found: ``notebook cell N (kind): word in '...'``."""
    found = []
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if "parameters" in cell.metadata.get("tags", []) or cell.cell_type == "raw":
            continue
        texts = [cell.source] if cell.cell_type == "markdown" else _literals(cell.source)
        for text in texts:
            for word in FORBIDDEN:
                at = text.lower().find(word)
                if at >= 0:
                    excerpt = re.sub(r"\s+", " ", text[max(0, at - 40):at + len(word) + 40])
                    found.append(f"{path.name} cell {index} ({cell.cell_type}): {word!r} in '...{excerpt}...'")
    return found


def test_every_notebook_is_scanned():
    assert {p.stem for p in NOTEBOOKS} >= {"order_history", "service_kpis", "customer_review", "customer_segments",
                                          "pab_early_warning", "service_cost_tradeoff", "manager_summary"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_developer_text(path):
    found = developer_text(path)
    assert not found, "developer text in a report (move it to the README):\n" + "\n".join(found)


def test_scanner_finds_what_it_should(tmp_path):
    """Known answer: a made-up notebook with one hit per kind of cell, and the places that must not count."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data = "samples"  # papermill -p data x.csv')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,                                                                         # 0: not rendered
        nbformat.v4.new_markdown_cell("# Title\n\nRun `papermill -p customer_id C1`."),  # 1: two words
        nbformat.v4.new_code_cell("# served with voila (a comment is not shown)\nx = 1"),  # 2: comment only
        nbformat.v4.new_code_cell('%matplotlib inline\nprint(f"set it in {cfg} reports.yaml")'),  # 3: magic + f-string
        nbformat.v4.new_code_cell("build(items, interactive=True)"),                    # 4: code, not text
        nbformat.v4.new_markdown_cell("The sliders move the chart."),                   # 5: clean
    ]
    path = tmp_path / "made_up.ipynb"
    nbformat.write(nb, path)
    found = developer_text(path)
    assert [line.split(":")[0] for line in found] == ["made_up.ipynb cell 1 (markdown)",
                                                      "made_up.ipynb cell 1 (markdown)",
                                                      "made_up.ipynb cell 3 (code)"]
    assert "'papermill'" in found[0] and "'-p '" in found[1] and "'reports.yaml'" in found[2]
