"""Sample-data generator: deterministic, schema-true, and the planted truth is really there."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.exceptions import ChoiceError, CountError, DateParameterError
from workbench.io.samples import SampleData, generate_samples, write_samples
from workbench.io.schema import TABLES

AS_OF = pd.Timestamp("2026-06-29")
H = 13
DTYPE_KIND = {"int": "Int64", "float": "float64", "bool": "boolean"}


@pytest.fixture(scope="module")
def clean() -> SampleData:
    return generate_samples(20_000, seed=7, dirty=False)


@pytest.fixture(scope="module")
def dirty() -> SampleData:
    return generate_samples(20_000, seed=7, dirty=True)


# ------------------------------------------------------------------ helpers
def _week(dates: pd.Series, as_of: pd.Timestamp = AS_OF) -> np.ndarray:
    """0-based planning week; dates before as_of fall in week 0."""
    return np.maximum(0, (dates - as_of).dt.days.to_numpy() // 7)


def _weekly(df: pd.DataFrame, date_col: str, qty_col: str, items: list[str]) -> np.ndarray:
    wk = _week(df[date_col])
    keep = wk < H
    idx = pd.Index(items).get_indexer(df["item_id"].to_numpy()[keep])
    out = np.zeros((len(items), H))
    np.add.at(out, (idx, wk[keep]), df[qty_col].to_numpy(dtype=float)[keep])
    return out


def _pab(data: SampleData, *, firm_only: bool = False, slip: dict | None = None,
         slip_weeks: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Independent projection: on hand + cumulative receipts - cumulative open demand."""
    items = data.items["item_id"].tolist()
    ol = data.order_lines
    open_ = ol[ol["status"] == "open"]
    demand = _weekly(open_, "requested_date", "qty_ordered", items)
    sp = data.supply_plan.copy()
    if firm_only:
        sp = sp[sp["firm"].astype(bool)]
    if slip:
        moved = sp["receipt_id"].isin(list(slip.values()))
        sp.loc[moved, "due_date"] += pd.Timedelta(weeks=slip_weeks)
    receipts = _weekly(sp, "due_date", "qty", items)
    on_hand = data.inventory.set_index("item_id")["on_hand"].reindex(items).to_numpy()
    pab = on_hand[:, None] + np.cumsum(receipts, axis=1) - np.cumsum(demand, axis=1)
    return items, pab, demand


def _read_csvs(folder: Path) -> SampleData:
    """Read the written CSVs back into typed frames (the clean way, not the loader)."""
    frames = {}
    for name, table in TABLES.items():
        dates = [c.name for c in table.columns if c.type == "date"]
        df = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False,
                         na_values=[""])
        for c in dates:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
        for c in table.columns:
            if c.type in ("float", "int"):
                df[c.name] = pd.to_numeric(df[c.name], errors="coerce")
            elif c.type == "bool":
                df[c.name] = df[c.name].map({"True": True, "False": False})
        frames[name] = df
    truth = json.loads((folder / "sample_truth.json").read_text(encoding="utf-8"))
    return SampleData(**frames, truth=truth)


# ------------------------------------------------------------- determinism
def test_same_seed_gives_byte_identical_files(tmp_path):
    a = write_samples(generate_samples(3_000, seed=11), tmp_path / "a")
    b = write_samples(generate_samples(3_000, seed=11), tmp_path / "b")
    assert set(a) == set(TABLES) | {"truth"}
    for name in a:
        assert a[name].read_bytes() == b[name].read_bytes(), name
    c = write_samples(generate_samples(3_000, seed=12), tmp_path / "c")
    assert a["order_lines"].read_bytes() != c["order_lines"].read_bytes()


def test_csv_is_utf8_iso_dates_no_bom_no_index(tmp_path):
    paths = write_samples(generate_samples(2_000, seed=3), tmp_path)
    raw = paths["order_lines"].read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    header = raw.split(b"\n", 1)[0].decode()
    assert header.split(",") == TABLES["order_lines"].names
    first = raw.split(b"\n")[1].decode().split(",")
    assert pd.Timestamp(first[4]).strftime("%Y-%m-%d") == first[4]  # order_date ISO
    assert first[9].isdigit()  # qty_ordered written as a whole number, no ".0"
    text = paths["customers"].read_text(encoding="utf-8")
    assert "Smith & Sons <Trading>" in text


def test_parquet_keeps_types(tmp_path, clean):
    paths = write_samples(clean, tmp_path, fmt="parquet")
    back = pd.read_parquet(paths["order_lines"])
    assert len(back) == len(clean.order_lines)
    assert str(back["line_no"].dtype) == "Int64"
    assert back["order_date"].dtype.kind == "M"
    assert str(back["filled_from_stock"].dtype) == "boolean"
    with pytest.raises(ChoiceError, match="fmt"):
        write_samples(clean, tmp_path, fmt="xlsx")


def test_too_small_sizes_are_refused():
    with pytest.raises(CountError, match="n_lines"):
        generate_samples(10)
    with pytest.raises(CountError, match="n_items"):
        generate_samples(5_000, n_items=5)
    with pytest.raises(DateParameterError, match="as_of"):
        generate_samples(5_000, as_of="soon")


# ----------------------------------------------------------------- schema
def test_columns_and_types_follow_the_schema(clean):
    for name, table in TABLES.items():
        df = getattr(clean, name)
        assert list(df.columns) == table.names, name
        assert len(df) > 0, name
        for col in table.columns:
            s = df[col.name]
            if col.type == "date":
                assert s.dtype.kind == "M", (name, col.name)
            elif col.type == "string":
                assert pd.api.types.is_string_dtype(s.dtype), (name, col.name)
            else:
                assert str(s.dtype) == DTYPE_KIND[col.type], (name, col.name, s.dtype)
            if col.required:
                assert s.notna().all(), (name, col.name)
            if col.nonnegative:
                assert (s.dropna() >= 0).all(), (name, col.name)


def test_clean_keys_are_unique_and_references_resolve(clean):
    for name, table in TABLES.items():
        df = getattr(clean, name)
        assert not df.duplicated(list(table.key)).any(), name
    ol = clean.order_lines
    assert ol["customer_id"].isin(clean.customers["customer_id"]).all()
    assert ol["item_id"].isin(clean.items["item_id"]).all()
    assert ol["substituted_item"].dropna().isin(clean.items["item_id"]).all()
    for a, b in TABLES["order_lines"].date_order:
        assert not (ol[b] < ol[a]).any()
    keys = clean.order_changes.merge(ol, on=["order_id", "line_no"], how="left",
                                     suffixes=("", "_line"))
    assert keys["order_date"].notna().all()
    assert (keys["customer_id"] == keys["customer_id_line"]).all()


def test_row_counts_near_n_lines(clean, dirty):
    n = clean.truth["n_lines_requested"]
    assert n == 20_000
    assert n <= len(clean.order_lines) <= n + 40  # + a few planted large orders
    assert len(clean.order_lines) == clean.truth["n_lines"]
    assert len(dirty.order_lines) == len(clean.order_lines) + 3  # + exact duplicates
    orders = clean.order_lines.groupby("order_id")["line_no"]
    assert orders.max().between(1, 5).all()
    assert (orders.max() == orders.size()).all()  # lines are 1..k
    n_orders = clean.order_lines["order_id"].nunique()
    assert 0.5 * n_orders / 100 <= len(clean.complaints) <= 1.5 * n_orders / 100


# --------------------------------------------------------------- realism
def test_pareto_top_fifth_of_customers_carries_most_revenue(clean):
    ol = clean.order_lines
    rev = (ol["qty_ordered"] * ol["unit_price"]).groupby(ol["customer_id"]).sum()
    rev = rev.reindex(clean.customers["customer_id"], fill_value=0).sort_values(ascending=False)
    top = rev.iloc[: len(rev) // 5].sum() / rev.sum()
    assert 0.6 <= top <= 0.9


def test_customer_and_item_masters(clean):
    cu, it = clean.customers, clean.items
    assert len(cu) == 200 and len(it) == 100
    assert cu["tier"].isna().all()  # tiers are computed by the workbench
    assert set(cu["language"]) == {"en", "zh"}
    assert set(cu["segment"]) == {"distributor", "OEM", "retail", "project"}
    names = cu["customer_name"]
    assert names.str.contains("&").any() and names.str.contains("<").any()
    assert names.str.contains(r"[\u4e00-\u9fff]", regex=True).sum() >= 20
    assert names.is_unique
    assert set(it["demand_pattern"]) == {"smooth", "seasonal", "intermittent"}
    assert it["lead_time_days"].between(7, 70).all()
    assert (it["unit_price"] > it["unit_cost"]).all()
    assert (it["lot_size"] >= 1).all() and (it["safety_stock"] >= 0).all()


def test_order_line_rates_are_realistic(clean):
    ol = clean.order_lines
    done = ol[ol["status"] == "delivered"]
    assert 0.9 <= len(done) / len(ol) <= 0.98
    assert (ol["status"] == "cancelled").mean() < 0.02
    short = (done["qty_shipped"] < done["qty_ordered"]).mean()
    assert 0.02 <= short <= 0.06
    assert 0.005 <= done["invoice_error"].mean() <= 0.03
    assert 0.005 <= (done["qty_damaged"] > 0).mean() <= 0.02
    assert 0.01 <= done["route_changed"].mean() <= 0.04
    assert done["substituted_item"].notna().mean() < 0.012
    late = done["delivery_date"] > done["promised_date"]
    assert 0.05 <= late.mean() <= 0.25  # most on time, a tail late
    ffs = done["filled_from_stock"].astype(bool)
    assert 0.85 <= ffs.mean() <= 0.95
    assert (~ffs[late]).mean() > 1.5 * (~ffs[~late]).mean()  # not from stock -> late more
    assert (ol["promised_date"] >= ol["requested_date"]).all()
    assert (ol["promised_date"] == ol["requested_date"]).mean() > 0.8
    # open lines: no ship/delivery yet, requested mostly inside the next 13 weeks
    op = ol[ol["status"] == "open"]
    assert op["ship_date"].isna().all() and op["delivery_date"].isna().all()
    assert op["qty_shipped"].isna().all()
    ahead = (op["requested_date"] - AS_OF).dt.days
    assert (ahead < 7 * H).mean() > 0.9
    assert (ol.loc[ol["status"] != "open", "order_date"] < AS_OF).all()
    assert ol["order_date"].min() >= AS_OF - pd.Timedelta(days=728)
    assert ol["site"].nunique() == 3


def test_lateness_is_worse_for_planted_customers_items_and_months(clean):
    ol, tr = clean.order_lines, clean.truth
    done = ol[ol["status"] == "delivered"]
    late = done["delivery_date"] > done["promised_date"]
    by_cust = done["customer_id"].isin(tr["late_prone_customers"])
    assert late[by_cust].mean() > 1.3 * late[~by_cust].mean()
    by_item = done["item_id"].isin(tr["late_prone_items"])
    assert late[by_item].mean() > 1.3 * late[~by_item].mean()
    month = done["promised_date"].dt.strftime("%Y-%m")
    by_month = month.isin(tr["late_months"])
    assert late[by_month].mean() > 1.3 * late[~by_month].mean()


def test_churned_customers_go_quiet_in_the_last_90_days(clean):
    ol, tr = clean.order_lines, clean.truth
    assert len(tr["churned_customers"]) == 8
    age = (AS_OF - ol["order_date"]).dt.days
    recent = ol[age <= 90].groupby("customer_id")["order_id"].nunique()
    base = ol[(age > 90) & (age <= 455)].groupby("customer_id")["order_id"].nunique() * 90 / 365
    for c in tr["churned_customers"]:
        assert base.get(c, 0) >= 3, c  # they were real customers before
        assert recent.get(c, 0) <= 0.35 * base[c], c
    # the active majority keeps ordering at its usual pace
    others = base.drop(tr["churned_customers"] + tr["seasonal_customers"], errors="ignore")
    others = others[others >= 5]
    ratio = recent.reindex(others.index, fill_value=0) / others
    assert ratio.median() > 0.8


def test_seasonal_customer_orders_only_in_season_and_is_not_churned(clean):
    ol, tr = clean.order_lines, clean.truth
    assert tr["seasonal_customers"]
    assert not set(tr["seasonal_customers"]) & set(tr["churned_customers"])
    for c in tr["seasonal_customers"]:
        months = set(ol.loc[ol["customer_id"] == c, "order_date"].dt.month)
        assert months <= set(tr["seasonal_months"][c])
        assert len(months) >= 3
    # at least one is silent now although it ordered in both past seasons (a churn trap)
    silent = [c for c in tr["seasonal_customers"]
              if not ((ol["customer_id"] == c) & (ol["order_date"] > AS_OF - pd.Timedelta(
                  days=90))).any()]
    assert silent


def test_order_changes_are_consistent_and_nervous_customers_change_more(clean):
    ch, ol, tr = clean.order_changes, clean.order_lines, clean.truth
    lines_changed = ch[["order_id", "line_no"]].drop_duplicates()
    assert 0.05 <= len(lines_changed) / len(ol) <= 0.12
    assert set(ch["change_type"]) == {"qty_up", "qty_down", "date_in", "date_out", "spec",
                                      "cancel"}
    m = ch.merge(ol[["order_id", "line_no", "order_date", "requested_date", "status"]],
                 on=["order_id", "line_no"])
    assert (m["change_date"] >= m["order_date"]).all()
    assert (m["change_date"] <= m["requested_date"]).all()
    assert (m["change_date"] < AS_OF).all()
    assert ((m["requested_date"] - m["change_date"]).dt.days <= 2).sum() > 10  # close to due
    assert (m.loc[m["change_type"] == "cancel", "status"] == "cancelled").all()
    up = ch[ch["change_type"] == "qty_up"]
    assert (up["new_qty"] > up["old_qty"]).all()
    down = ch[ch["change_type"] == "qty_down"]
    assert (down["new_qty"] < down["old_qty"]).all()
    later = ch[ch["change_type"] == "date_out"]
    assert (later["new_date"] > later["old_date"]).all()
    seq = ch.groupby(["order_id", "line_no"])["change_seq"]
    assert (seq.max() == seq.size()).all()
    assert ch.groupby(["order_id", "line_no"])["change_date"].is_monotonic_increasing.all()
    rate = (lines_changed.merge(ol[["order_id", "line_no", "customer_id"]])
            .groupby("customer_id").size() / ol.groupby("customer_id").size()).fillna(0)
    nervous = rate[tr["nervous_customers"]]
    assert nervous.min() > 2 * rate.drop(tr["nervous_customers"]).median()


def test_complaints_point_at_failing_orders(clean):
    cp, ol = clean.complaints, clean.order_lines
    assert set(cp["category"]) <= {"late", "short", "damaged", "invoice", "wrong_item",
                                   "service", "other"}
    assert {"late", "short", "damaged"} <= set(cp["category"])
    assert cp["order_id"].dropna().isin(ol["order_id"]).all()
    assert (cp["complaint_date"] < AS_OF).all()
    res = cp.dropna(subset=["resolved_date"])
    assert (res["resolved_date"] >= res["complaint_date"]).all()
    assert 0.7 <= cp["resolved_date"].notna().mean() < 1.0  # most resolved, some open
    # a "short" complaint is about an order with a short-shipped line
    short_orders = set(ol.loc[ol["qty_shipped"] < ol["qty_ordered"], "order_id"])
    assert cp.loc[cp["category"] == "short", "order_id"].isin(short_orders).all()
    late_orders = set(ol.loc[ol["delivery_date"] > ol["promised_date"], "order_id"])
    assert cp.loc[cp["category"] == "late", "order_id"].isin(late_orders).all()
    owner = ol.drop_duplicates("order_id").set_index("order_id")["customer_id"]
    linked = cp.dropna(subset=["order_id"])
    assert (owner[linked["order_id"]].to_numpy() == linked["customer_id"].to_numpy()).all()


# ----------------------------------------------------------- supply side
def test_supply_plan_inventory_and_forecast_shapes(clean):
    sp, inv, fc = clean.supply_plan, clean.inventory, clean.forecast
    wk = (sp["due_date"] - AS_OF).dt.days // 7
    assert wk.between(0, H - 1).all()
    assert sp.loc[wk < 4, "firm"].mean() > 0.7
    assert sp.loc[wk >= 4, "firm"].mean() < 0.4
    assert set(sp["source"]) == {"MPS", "PO"}
    assert sp["receipt_id"].str.fullmatch(r"(MPS|PO)-\d{5}").all()
    lots = clean.items.set_index("item_id")["lot_size"]
    assert (sp["qty"] % lots[sp["item_id"]].to_numpy() == 0).all()
    assert len(inv) == len(clean.items) and inv["item_id"].is_unique
    assert (inv["snapshot_date"] == AS_OF).all()
    assert (inv["allocated"] <= inv["on_hand"]).all()
    assert len(fc) == 26 * len(clean.items)
    assert (fc["period_start"].dt.day_of_week == 0).all()
    assert fc["period_start"].nunique() == 26 and fc["period_start"].min() == AS_OF
    assert (fc["lower"] <= fc["forecast_qty"]).all() and (fc["forecast_qty"] <= fc["upper"]).all()
    assert set(fc["method"]) == {"sample"}


def test_short_items_really_go_short(clean):
    tr = clean.truth
    items, pab, demand = _pab(clean)
    short_now = {it for it, row in zip(items, pab, strict=True) if (row < 0).any()}
    assert 10 <= len(tr["short_items"]) <= 15
    assert short_now == set(tr["short_items"])  # exactly the planted ones, nothing else
    # confirmed breaks: short within the first 2 weeks even counting firm receipts only
    _, pab_firm, _ = _pab(clean, firm_only=True)
    pos = {it: k for k, it in enumerate(items)}
    assert tr["confirmed_break_items"]
    for it in tr["confirmed_break_items"]:
        assert (pab_firm[pos[it], :2] < 0).any(), it
    for it, d in tr["shortage_detail"].items():
        if d["kind"] in ("short", "confirmed_break"):
            assert np.flatnonzero(pab[pos[it]] < 0)[0] + 1 == d["first_week"], it


def test_slip_and_safety_stock_risks(clean):
    tr = clean.truth
    items, pab, demand = _pab(clean)
    pos = {it: k for k, it in enumerate(items)}
    assert tr["slip_risk_items"] and tr["below_safety_items"]
    sp = clean.supply_plan.set_index("receipt_id")
    _, slipped, _ = _pab(clean, slip=tr["slip_risk_items"], slip_weeks=tr["slip_weeks"])
    for it, rid in tr["slip_risk_items"].items():
        assert sp.loc[rid, "item_id"] == it and not sp.loc[rid, "firm"]
        assert (pab[pos[it]] >= 0).all(), it         # fine as planned ...
        assert (slipped[pos[it]] < 0).any(), it      # ... short if the planned receipt slips
    # below safety stock against max(forecast, orders), but never negative
    fc = clean.forecast
    f = np.zeros((len(items), H))
    wk = ((fc["period_start"] - AS_OF).dt.days // 7).to_numpy()
    keep = wk < H
    np.add.at(f, (pd.Index(items).get_indexer(fc["item_id"][keep]), wk[keep]),
              fc["forecast_qty"].to_numpy()[keep])
    drive = np.maximum(demand, f)
    pab_f = pab + np.cumsum(demand, axis=1) - np.cumsum(drive, axis=1)
    ss = clean.items.set_index("item_id")["safety_stock"].reindex(items).to_numpy()
    for it in tr["below_safety_items"]:
        k = pos[it]
        assert pab_f[k].min() >= 0 and pab_f[k].min() < ss[k], it
    # items not at risk stay above safety stock even against the forecast
    risky = set(tr["shortage_detail"])
    healthy = [pos[it] for it in items if it not in risky]
    assert (pab_f[healthy] >= ss[healthy, None]).all()


# ----------------------------------------------------------------- dirty
def test_dirty_rows_match_truth(dirty, clean):
    ol, counts = dirty.order_lines, dirty.truth["dirty_rows"]
    assert 20 <= sum(counts.values()) <= 40
    assert clean.truth["dirty_rows"] == {}
    assert ol.duplicated().sum() == counts["duplicate_line"]
    assert ol.duplicated(["order_id", "line_no"]).sum() == counts["duplicate_line"]
    assert (ol["qty_ordered"] < 0).sum() == counts["negative_qty_ordered"]
    assert ol["customer_id"].isna().sum() == counts["missing_customer_id"]
    od = pd.to_datetime(ol["order_date"], format="%Y-%m-%d", errors="coerce")
    assert od.isna().sum() == counts["text_in_order_date"] + counts["impossible_order_date"]
    assert (ol["delivery_date"] < od).sum() == counts["delivery_before_order"]
    qs = pd.to_numeric(ol["qty_shipped"], errors="coerce")
    assert (qs.isna() & ol["qty_shipped"].notna()).sum() == counts["text_in_qty_shipped"]
    unknown = ~ol["item_id"].isin(dirty.items["item_id"])
    assert unknown.sum() == counts["unknown_item_id"]
    for kind, keys in dirty.truth["dirty_keys"].items():
        assert len(keys) == counts[kind]
        for order_id, line_no in keys:
            assert ((ol["order_id"] == order_id) & (ol["line_no"] == line_no)).any(), kind
    # apart from the planted rows the dirty data is the clean data
    bad = {tuple(k) for keys in dirty.truth["dirty_keys"].values() for k in keys}
    key = list(zip(ol["order_id"], ol["line_no"], strict=True))
    keep = ~pd.Series([k in bad for k in key]) & ~ol.duplicated().to_numpy()
    same = ol[keep.to_numpy()].reset_index(drop=True)
    ref = clean.order_lines
    ref = ref[~pd.Series(list(zip(ref["order_id"], ref["line_no"], strict=True))).isin(bad)
              .to_numpy()].reset_index(drop=True)
    pd.testing.assert_series_equal(same["qty_ordered"], ref["qty_ordered"])
    assert (same["order_date"] == ref["order_date"].dt.strftime("%Y-%m-%d")).all()


# --------------------------------------------------------- committed files
def test_committed_samples_are_small_and_consistent(samples_dir):
    files = {p.name: p for p in samples_dir.iterdir() if p.is_file()}
    expected = {f"{t}.csv" for t in TABLES} | {"sample_truth.json"}
    assert expected <= set(files)
    assert sum(p.stat().st_size for p in samples_dir.rglob("*") if p.is_file()) < 10_000_000
    data = _read_csvs(samples_dir)
    tr = data.truth
    assert tr["as_of"] == "2026-06-29" and tr["seed"] == 42
    assert len(data.order_lines) == tr["n_lines"]
    assert tr["n_lines_requested"] == 50_000
    items, pab, _ = _pab(data)
    short_now = {it for it, row in zip(items, pab, strict=True) if (row < 0).any()}
    assert short_now == set(tr["short_items"])
    raw = files["order_lines.csv"].read_text(encoding="utf-8")
    for text in ("N/A", "待定", "部分发货"):
        assert f",{text}," in raw
    assert "华东精密机械有限公司" in files["customers.csv"].read_text(encoding="utf-8")
    for name in TABLES:
        assert list(getattr(data, name).columns) == TABLES[name].names
