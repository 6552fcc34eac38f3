"""The live explorer in a real browser: Voila serves service_cost_tradeoff.ipynb on
localhost, Playwright drives the Debian chromium, a slider moves, the chart changes.

Skips when chromium/Playwright/Voila are absent unless WORKBENCH_REQUIRE_BROWSER=1
(set in CI), where it fails instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.paths import project_root

pytestmark = pytest.mark.notebook
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VOILA = Path(sys.prefix) / "bin" / "voila"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def voila_url():
    missing = [what for what, ok in (("chromium (apt-get install chromium)", CHROMIUM),
                                     ("voila", VOILA.exists())) if not ok]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing:
        if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail("live explorer test needs " + ", ".join(missing))
        pytest.skip("live explorer test needs " + ", ".join(missing))
    port = _free_port()
    proc = subprocess.Popen(
        [str(VOILA), "notebooks/service_cost_tradeoff.ipynb", f"--port={port}",
         "--no-browser", "--Voila.ip=127.0.0.1", "--VoilaConfiguration.file_allowlist=['.*']"],
        cwd=project_root(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:  # bounded wait for the server
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"voila exited: {proc.stdout.read()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail("voila did not start within 60 s")
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_slider_updates_the_chart_live(voila_url):
    from playwright.sync_api import sync_playwright

    artifacts = project_root() / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(voila_url, wait_until="domcontentloaded", timeout=120_000)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
            read = ("() => { const g = document.querySelector('.js-plotly-plot');"
                    " return {x: Array.from(g.data[3].x), total: Array.from(g.data[2].y)}; }")
            before = page.evaluate(read)
            assert before["x"] == [0.95]  # the target marker at the parameter value
            handle = page.locator(".widget-slider .noUi-handle").first
            handle.focus()
            for _ in range(4):  # 4 steps of 0.005: 95 % -> 97 %
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "() => document.querySelector('.js-plotly-plot').data[3].x[0] > 0.9695",
                timeout=60_000)
            after = page.evaluate(read)
            assert after["x"][0] == pytest.approx(0.97)
            page.screenshot(path=str(artifacts / "voila_explorer.png"))
            assert not [e for e in errors if "plotly" in e.lower() or "widget" in e.lower()]
        finally:
            browser.close()
