"""Tests for the notice export (workbench.reporting.notice_files): real files in tmp_path."""

from __future__ import annotations

import csv
from html.parser import HTMLParser

import pandas as pd
import pytest

from workbench.exceptions import MissingColumnsError, OutputExistsError
from workbench.io.dataset import Sender
from workbench.planning.notices import draft_notices
from workbench.reporting.notice_files import CSV_COLUMNS, export_notices, safe_file_stem

T = pd.Timestamp
EVIL = "<script>alert(1)</script> & Co"


def drafted(customer_ids=("C3", "C4"), names=(EVIL, "北方机械"), languages=("en", "zh")):
    """A level-3 alert for the first customer, a level-2 one (air freight) for the second."""
    alerts = pd.DataFrame({
        "alert_id": ["X2|2025-01-06", "X1|2025-01-27"], "item_id": ["X2", "X1"],
        "alert_level": [3, 2], "expedite_mode": [None, "air freight"],
        "expedite_arrival": [pd.NaT, T("2025-01-27")]})
    lines = pd.DataFrame({
        "alert_id": ["X2|2025-01-06", "X1|2025-01-27"], "item_id": ["X2", "X1"],
        "order_id": ["SO-3", "=HYPERLINK(\"http://x\")"], "line_no": [1, 2],
        "customer_id": list(customer_ids), "due_date": [T("2025-01-08"), T("2025-01-29")],
        "qty_short": [7.0, 5.0], "short_from": [T("2025-01-06"), T("2025-01-27")],
        "covered_by_date": [pd.NaT, T("2025-02-03")]})
    customers = pd.DataFrame({"customer_id": list(customer_ids), "customer_name": list(names),
                              "language": list(languages),
                              "contact_email": ["c3@x.example", "+cmd|' /C calc'!A0"]})
    orders = pd.DataFrame({"order_id": ["SO-3"], "line_no": [1], "unit_price": [12.5]})
    return draft_notices(alerts, lines, customers, language="auto", currency="EUR",
                         orders=orders, sender=Sender("CS Team", "cs@x.example", "+49 40 1"))


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.title, self._in_title = [], {}, "", False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.setdefault(tag, dict(attrs))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_one_html_page_and_one_text_file_per_notice_and_the_list(tmp_path):
    notices = drafted()
    out = export_notices(notices, tmp_path / "notices")
    assert out == tmp_path / "notices"
    assert sorted(p.name for p in out.iterdir()) == [
        "001_C3_confirmed_break.html", "001_C3_confirmed_break.txt",
        "002_C4_potential_risk.html", "002_C4_potential_risk.txt", "notices.csv"]

    html = (out / "001_C3_confirmed_break.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    page = _Page()
    page.feed(html)
    assert page.tags[:4] == ["html", "head", "meta", "meta"]
    assert page.attrs["meta"] == {"charset": "utf-8"}
    assert page.title == f"Confirmed supply shortage for your orders ({EVIL})"
    assert "script" not in page.tags  # the hostile name is text, not a tag
    assert "E-mail: cs@x.example" in html and "Phone: +49 40 1" in html
    zh = (out / "002_C4_potential_risk.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in zh and "<title>潜在供货风险提示：北方机械</title>" in zh

    text = (out / "002_C4_potential_risk.txt").read_text(encoding="utf-8")
    assert text == notices["text"].iloc[1]
    assert text.startswith("主题：潜在供货风险提示：北方机械\n")


def test_the_list_for_customer_service_is_complete_and_formula_safe(tmp_path):
    notices = drafted()
    out = export_notices(notices, tmp_path, run_id="2025-01-06 run")
    assert out == tmp_path / "2025-01-06_run"
    raw = (out / "notices.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read the Chinese names
    rows = read_csv(out / "notices.csv")
    assert list(rows[0]) == list(CSV_COLUMNS)
    first, second = rows
    assert (first["Customer ID"], first["Notice"], first["Level"], first["Order lines"]) == (
        "C3", "Confirmed break", "3", "1")
    assert first["Subject"] == f"Confirmed supply shortage for your orders ({EVIL})"
    # 7 x 12.50 = 87.50 in EUR; the second customer's line has no price: blank, counted.
    assert (first["Value at risk"], first["Currency"], first["Lines without price"]) == (
        "87.5", "EUR", "0")
    assert (second["Value at risk"], second["Lines without price"]) == ("", "1")
    assert (first["HTML file"], first["Text file"]) == ("001_C3_confirmed_break.html",
                                                         "001_C3_confirmed_break.txt")
    assert first["Run"] == "2025-01-06 run"
    # Formula injection from data is neutralised.
    assert second["Contact e-mail"] == "'+cmd|' /C calc'!A0"
    assert second["Orders"] == "'=HYPERLINK(\"http://x\")"
    assert (out / first["HTML file"]).is_file() and (out / second["Text file"]).is_file()


def test_hostile_customer_ids_cannot_leave_the_folder_or_collide(tmp_path):
    notices = drafted(customer_ids=("../../evil", "..\\..\\evil"), names=("A", "B"))
    target = tmp_path / "a" / "b"
    out = export_notices(notices, target, run_id="../../up")
    assert out == target / "up"
    written = sorted(p.name for p in out.iterdir())
    assert written == ["001_evil_confirmed_break.html", "001_evil_confirmed_break.txt",
                       "002_evil_potential_risk.html", "002_evil_potential_risk.txt",
                       "notices.csv"]
    everything = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert all(p.startswith("a/b/up") or p in ("a", "a/b") for p in everything)


def test_safe_file_stem():
    assert safe_file_stem("../../etc/passwd") == "etc_passwd"
    assert safe_file_stem("Müller GmbH & Co.") == "Muller_GmbH_Co"
    assert safe_file_stem("a\nb\x00c") == "a_b_c"
    assert safe_file_stem("...") == "customer" and safe_file_stem("宁波") == "customer"
    assert len(safe_file_stem("x" * 200)) == 40


def test_refuses_to_overwrite_when_told_and_checks_its_input(tmp_path):
    notices = drafted()
    export_notices(notices, tmp_path)
    with pytest.raises(OutputExistsError, match="notices.csv"):
        export_notices(notices, tmp_path, overwrite=False)
    with pytest.raises(MissingColumnsError, match="text"):
        export_notices(notices.drop(columns="text"), tmp_path)
    empty = export_notices(notices.iloc[:0], tmp_path / "none")
    assert [p.name for p in empty.iterdir()] == ["notices.csv"]
    assert read_csv(empty / "notices.csv") == []
