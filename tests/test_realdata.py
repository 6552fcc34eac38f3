"""Both public copies of the SCMS shipment history load, with every row accounted for.

The expected counts are computed here independently of the loader (plain
``csv`` + ``datetime.strptime``) or taken from the datasets' READMEs.
"""

from __future__ import annotations

import csv
import re
from datetime import datetime

import pandas as pd
import pytest

import workbench as wb

pytestmark = pytest.mark.realdata
MAPPING = "scms_shipments"


def _rows(path, encoding):
    with open(path, encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _strict(value: str, fmts: tuple[str, ...]):
    for f in fmts:
        try:
            return datetime.strptime(value, f)
        except ValueError:
            continue
    return None


@pytest.fixture(scope="module")
def kaggle(real_kaggle):
    return wb.load_orders(real_kaggle, mapping=MAPPING)


@pytest.fixture(scope="module")
def usaid(real_usaid):
    return wb.load_orders(real_usaid, mapping=MAPPING)


def test_kaggle_copy_accounts_for_every_row(kaggle, real_kaggle):
    s = kaggle.summary
    assert s.sources[0]["encoding"] == "utf-8-sig"
    assert s.rows_in == 10_324  # README: 10,324 data rows
    assert s.rows_loaded + s.rows_quarantined == s.rows_in
    rows = _rows(real_kaggle, "utf-8-sig")
    po = [r["PO Sent to Vendor Date"] for r in rows]
    # README: "N/A - From RDC" x5404 and "Date Not Captured" x328 -> unusable, kept as missing
    text_dates = sum(v in ("N/A - From RDC", "Date Not Captured") for v in po)
    assert text_dates == 5404 + 328
    iso = sum(bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)) for v in po)
    issues = kaggle.issues[kaggle.issues["column"] == "order_date"]
    counts = issues["reason"].value_counts().to_dict()
    quarantined = set(kaggle.quarantine["source_row"])
    iso_rows = {i + 2 for i, v in enumerate(po) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)}
    assert counts["unusable_value"] == text_dates
    # the copy's ISO values are misreads of M/D/YY: each is recorded, none is used
    assert counts["date_format_inconsistent"] == iso - len(iso_rows & quarantined)
    assert kaggle.orders.set_index("source_row").loc[sorted(iso_rows - quarantined),
                                                      "order_date"].isna().all()


def test_usaid_copy_accounts_for_every_row(usaid, real_usaid):
    s = usaid.summary
    assert s.sources[0]["encoding"] == "utf-8"
    assert s.rows_in == 10_324
    rows = _rows(real_usaid, "utf-8")
    # independent oracle for "delivered before the PO was sent"
    expected_q = set()
    for i, r in enumerate(rows):
        po = _strict(r["po sent to vendor date"], ("%m/%d/%Y",))
        dl = _strict(r["delivered to client date"], ("%d-%b-%y",))
        if po and dl and dl < po:
            expected_q.add(i + 2)
    assert set(usaid.quarantine["source_row"]) == expected_q
    assert set(usaid.quarantine["reason"]) == {"delivery_date_before_order_date"}
    assert s.rows_loaded == 10_324 - len(expected_q)
    assert set(usaid.issues["reason"]) == {"unusable_value"}


def test_both_copies_agree_where_both_have_valid_dates(kaggle, usaid):
    k = kaggle.orders.set_index("line_no")
    u = usaid.orders.set_index("line_no")
    common = k.index.intersection(u.index)
    assert len(common) >= 10_300
    for col in ("order_id", "customer_id", "item_id", "qty_ordered", "unit_price",
                "promised_date", "delivery_date", "filled_from_stock"):
        assert k.loc[common, col].equals(u.loc[common, col]), col
    both = k.loc[common, "order_date"].notna() & u.loc[common, "order_date"].notna()
    assert both.sum() > 2_500
    idx = both[both].index
    assert (k.loc[idx, "order_date"] == u.loc[idx, "order_date"]).all()


def test_real_mapping_fields(usaid):
    o = usaid.orders
    assert o["customer_id"].nunique() == 43  # README: Country has 43 values
    assert set(o["filled_from_stock"].dropna().unique()) == {True, False}
    assert o["promised_date"].notna().all() and o["delivery_date"].notna().all()
    assert o["delivery_date"].min() >= pd.Timestamp("2006-01-01")
    assert {"shipment_mode", "vendor", "project_code"} <= set(o.columns)
