"""Report tables in a real browser: sorting, filtering and narrow screens, offline.

A notebook whose outputs are :func:`workbench.reporting.tables.report_table` tables
is rendered with the report template (:func:`workbench.reporting.reports.render_html`)
and opened in headless Debian chromium through Playwright. Clicking a header sorts
numbers as numbers (9 < 10 < 100, missing last) and dates as dates, the filter box
hides rows and says how many are shown, and at a 390 px wide viewport a wide table
scrolls inside its box while the page itself never scrolls sideways. No request
leaves the machine and no script error occurs.

Skips when chromium or Playwright is absent, unless ``WORKBENCH_REQUIRE_BROWSER=1``,
in which case it fails (CI must not hide it).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.test_browser import CHROMIUM, _need_browser
from workbench.reporting.reports import render_html
from workbench.reporting.tables import report_table

pytestmark = pytest.mark.notebook


def _alerts() -> pd.DataFrame:
    """Twelve alerts; the quantities sort differently as text (100 < 12 < 9) and as numbers."""
    qty = [100.0, 9.0, 10.0, np.nan, 12.0, 2.0, 1000.0, 35.0, 7.0, 11.0, 3.0, 50.0]
    return pd.DataFrame({
        "item_id": [f"ITM-{i:04d}" for i in range(12)],
        "customer_name": ["<script>alert(1)</script> & Co", "Acme", "Beta", "Gamma", "Delta",
                          "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda"],
        "max_shortage_qty": qty,
        "first_short_date": pd.to_datetime(["2026-10-02", "2026-09-30", "2026-01-15"] * 4),
        "kind": ["confirmed_break", "below_safety_stock", "planned_receipt_dependency"] * 4,
    })


def _wide() -> pd.DataFrame:
    cols = {f"measure_{i}_rate": [0.5, 0.75] for i in range(14)}
    return pd.DataFrame({"customer_id": ["C0001", "C0002"], **cols,
                         "recommended_action": ["Expedite by air freight and tell the customer "
                                                "the new date " * 3] * 2})


def _report(tmp_path: Path, lang: str = "en") -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    def shown(table):
        return new_code_cell("display(table)", outputs=[
            new_output("display_data", data={"text/html": table.html, "text/plain": "table"})])

    nb = new_notebook(cells=[new_markdown_cell("# Tables"),
                             shown(report_table(_alerts(), lang=lang)),
                             shown(report_table(_wide(), lang=lang))])
    path = tmp_path / "tables.ipynb"
    nbformat.write(nb, str(path))
    return render_html(path, tmp_path / "tables.html")


def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])


def _open(page, path: Path):
    external, errors, dialogs = [], [], []
    page.on("request", lambda r: external.append(r.url)
            if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(path.as_uri(), wait_until="load")
    return external, errors, dialogs


_COLUMN = """([t, c]) => [...document.querySelectorAll('table.wb-table')[t].tBodies[0].rows]
    .filter(r => !r.hidden).map(r => r.cells[c].textContent)"""


def test_headers_sort_numbers_and_dates_and_the_box_filters(tmp_path):
    _need_browser()
    from playwright.sync_api import sync_playwright

    report = _report(tmp_path)
    html = report.read_text(encoding="utf-8")
    assert html.count("function makeSortable") == 1  # the script is in the report once
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            external, errors, dialogs = _open(page, report)
            header = page.locator("table.wb-table").first.locator("th").nth(2)
            assert header.inner_text().startswith("Largest shortage (units)")
            header.locator("button").click()
            assert header.get_attribute("aria-sort") == "ascending"
            assert page.evaluate(_COLUMN, [0, 2]) == [
                "2", "3", "7", "9", "10", "11", "12", "35", "50", "100", "1,000", "–"]
            header.locator("button").click()
            assert header.get_attribute("aria-sort") == "descending"
            assert page.evaluate(_COLUMN, [0, 2]) == [
                "1,000", "100", "50", "35", "12", "11", "10", "9", "7", "3", "2", "–"]
            dates = page.locator("table.wb-table").first.locator("th").nth(3)
            dates.locator("button").click()  # by date, not by the text "15 Jan 2026" < "2 Oct"
            assert header.get_attribute("aria-sort") is None
            assert page.evaluate(_COLUMN, [0, 3])[::4] == ["15 Jan 2026", "30 Sep 2026",
                                                          "2 Oct 2026"]
            # the filter box of the 12-row table (none above the 2-row one)
            assert page.locator(".wb-filter").count() == 1
            box = page.locator(".wb-filter input")
            assert box.get_attribute("aria-label") == "Filter rows"
            assert page.locator(".wb-count").inner_text() == "12 of 12 rows"
            box.fill("below safety")
            assert page.locator(".wb-count").inner_text() == "4 of 12 rows"
            assert len(page.evaluate(_COLUMN, [0, 0])) == 4
            box.fill("<script>")  # hostile text is text: found by the filter, never run
            assert page.evaluate(_COLUMN, [0, 1]) == ["<script>alert(1)</script> & Co"]
            box.fill("")
            assert page.locator(".wb-count").inner_text() == "12 of 12 rows"
            assert external == [], external
            assert errors == [], errors
            assert dialogs == [], dialogs
        finally:
            browser.close()


def test_filter_words_follow_the_page_language(tmp_path):
    _need_browser()
    from playwright.sync_api import sync_playwright

    report = _report(tmp_path, lang="zh")
    html = report.read_text(encoding="utf-8")
    head = html[:html.index(">", html.index("<html")) + 1]
    report.write_text(html.replace(head, '<!DOCTYPE html>\n<html lang="zh">', 1), encoding="utf-8")
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page()
            _, errors, _ = _open(page, report)
            assert page.evaluate("document.documentElement.lang") == "zh"
            assert page.locator(".wb-count").inner_text() == "显示 12 / 12 行"
            assert page.locator(".wb-filter input").get_attribute("aria-label") == "筛选"
            page.locator(".wb-filter input").fill("低于安全库存")  # code words, in Chinese
            assert page.locator(".wb-count").inner_text() == "显示 4 / 12 行"
            assert errors == [], errors
        finally:
            browser.close()


def test_wide_tables_scroll_inside_their_box_at_390_px(tmp_path):
    _need_browser()
    from playwright.sync_api import sync_playwright

    report = _report(tmp_path)
    with sync_playwright() as p:
        browser = _browser(p)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            _, errors, _ = _open(page, report)
            assert page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"), "page scrolls"
            wrap = page.evaluate("""() => { const w = document.querySelectorAll('.wb-table-wrap')[1];
                return [w.scrollWidth, w.clientWidth, getComputedStyle(w).overflowX]; }""")
            assert wrap[0] > wrap[1] and wrap[2] == "auto", wrap  # the table scrolls inside
            # IDs (ITM-0025) stay on one line; long text wraps onto several, never cut
            lines = page.evaluate("""() => [...document.querySelectorAll('td.wb-id, td.wb-text')]
                .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                  const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                  return [td.className, tops.size, td.scrollWidth <= td.clientWidth]; })""")
            assert all(n == 1 for cls, n, _ in lines if cls == "wb-id"), lines
            assert max(n for cls, n, _ in lines if cls == "wb-text") > 1, lines
            assert all(fits for _, _, fits in lines), lines
            assert errors == [], errors
        finally:
            browser.close()
