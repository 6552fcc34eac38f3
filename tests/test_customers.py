"""Customer analytics: hand-worked segmentation, tiers, churn and order-change cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import ConfigError, NotAvailableError
from workbench.customers import (
    DEFAULT_SERVICE_TARGETS,
    TIMING_BUCKETS,
    ChurnEvaluation,
    abc_classify,
    assign_tiers,
    change_magnitude,
    change_shortage_impact,
    change_summary,
    change_timing,
    churn_warnings,
    concentration,
    customer_profile,
    customer_tiers,
    evaluate_churn,
    nervousness,
    orders_before_changes,
    pareto_curve,
    rfm_scores,
    service_targets,
    xyz_classify,
)
from workbench.exceptions import (
    ChoiceError,
    CountError,
    DateParameterError,
    FrameTypeError,
    FrequencyError,
    LanguageError,
    MissingColumnsError,
    RangeError,
    SourceNotFoundError,
)


def lines(rows: list[tuple], status: list[str] | None = None) -> pd.DataFrame:
    """Order lines from (order_id, customer_id, item_id, order_date, qty, price) tuples."""
    df = pd.DataFrame(rows, columns=["order_id", "customer_id", "item_id", "order_date",
                                     "qty_ordered", "unit_price"])
    df["order_date"] = pd.to_datetime(df["order_date"])
    df["line_no"] = df.groupby("order_id").cumcount() + 1
    df["status"] = status if status is not None else "delivered"
    for c in ("order_id", "customer_id", "item_id", "status"):
        df[c] = df[c].astype("str")
    return df


# ======================================================================== ABC
REVENUE = {"c01": 40.0, "c02": 25.0, "c03": 20.0, "c04": 6.0, "c05": 4.0, "c06": 2.0,
           "c07": 1.5, "c08": 1.0, "c09": 0.5, "c10": 0.0}


@pytest.fixture
def abc_orders() -> pd.DataFrame:
    # one line per customer with qty 1 at price = revenue; c01 is split over two lines
    # (30 + 10); a cancelled line of 1000 for c10 must be ignored.
    rows = [(f"O{c}", c, "i1", "2024-01-02", 1.0, v) for c, v in REVENUE.items() if c != "c01"]
    rows += [("Oc01a", "c01", "i1", "2024-01-02", 1.0, 30.0),
             ("Oc01b", "c01", "i2", "2024-01-03", 1.0, 10.0),
             ("Ox", "c10", "i1", "2024-01-04", 10.0, 100.0)]
    return lines(rows, status=["delivered"] * (len(rows) - 1) + ["Cancelled"])


def test_abc_hand_worked_boundary_rule(abc_orders):
    t = abc_classify(abc_orders)
    # total 100; cumulative: 40, 65, 85, 91, 95, 97, 98.5, 99.5, 100, 100 (%)
    # A: cum share *before* the customer < 80 %: c01 (0), c02 (40), c03 (65) -> c03 crosses
    #    80 % and is A. B: before < 95 %: c04 (85), c05 (91, reaches exactly 95) -> B.
    #    c06 starts at exactly 95 % -> C. c10 has zero value -> C.
    assert t.columns.tolist() == ["customer_id", "value", "share", "cum_share", "rank", "abc"]
    assert t["customer_id"].tolist() == list(REVENUE)
    assert t["value"].tolist() == list(REVENUE.values())
    assert t["abc"].tolist() == ["A", "A", "A", "B", "B", "C", "C", "C", "C", "C"]
    assert t["rank"].tolist() == list(range(1, 11))
    assert t["cum_share"].tolist() == pytest.approx(
        [0.40, 0.65, 0.85, 0.91, 0.95, 0.97, 0.985, 0.995, 1.0, 1.0])
    assert t["share"].iloc[0] == pytest.approx(0.40)


def test_abc_item_volume_and_custom_cutoffs(abc_orders):
    t = abc_classify(abc_orders, "item_id", measure="volume", cutoffs=(0.5, 0.9))
    # volume: i1 has 10 non-cancelled lines of qty 1 (c02..c10, c01a), i2 one (c01b):
    # 10 and 1 of 11. i1: before 0 < 50 % -> A; i2: before 10/11 = 90.9 % >= 90 % -> C
    assert t["item_id"].tolist() == ["i1", "i2"]
    assert t["value"].tolist() == [10.0, 1.0]
    assert t["abc"].tolist() == ["A", "C"]


def test_abc_margin_needs_unit_cost():
    o = lines([("1", "k1", "i1", "2024-01-01", 10.0, 5.0),
               ("2", "k2", "i2", "2024-01-01", 10.0, 5.0),
               ("3", "k3", "i1", "2024-01-01", 1.0, 100.0)])
    items = pd.DataFrame({"item_id": ["i1", "i2"], "unit_cost": [3.0, 5.0]})
    t = abc_classify(o, measure="margin", items=items)
    # margins: k1 10*(5-3) = 20, k2 10*(5-5) = 0, k3 1*(100-3) = 97; total 117
    # k3 A (before 0); k1 before 97/117 = 0.829 -> B; k2 zero -> C
    assert t["customer_id"].tolist() == ["k3", "k1", "k2"]
    assert t["value"].tolist() == [97.0, 20.0, 0.0]
    assert t["abc"].tolist() == ["A", "B", "C"]
    with pytest.raises(NotAvailableError, match="unit_cost"):
        abc_classify(o, measure="margin")
    with pytest.raises(NotAvailableError, match="unit_price"):
        abc_classify(o.drop(columns="unit_price"))
    with pytest.raises(RangeError, match="cutoffs"):
        abc_classify(o, cutoffs=(0.95, 0.8))
    with pytest.raises(ChoiceError, match="ABC measure 'profit'"):
        abc_classify(o, measure="profit")
    with pytest.raises(ChoiceError, match="cannot classify by 'region'"):
        abc_classify(o, "region")
    with pytest.raises(MissingColumnsError, match="qty_ordered"):
        abc_classify(o.drop(columns="qty_ordered"))


def test_pareto_curve_and_concentration(abc_orders):
    t = abc_classify(abc_orders)
    curve = pareto_curve(t)
    assert curve.columns.tolist() == ["share_of_customers", "share_of_value"]
    assert len(curve) == 11
    assert curve.iloc[0].tolist() == [0.0, 0.0]
    assert curve.iloc[3].tolist() == pytest.approx([0.3, 0.85])
    assert curve.iloc[-1].tolist() == pytest.approx([1.0, 1.0])
    c = concentration(t, top_share=0.2)
    # top 20 % of 10 customers = 2 (c01 + c02) = 65 % of revenue
    assert (c.top_count, c.count) == (2, 10)
    assert c.value_share == pytest.approx(0.65)
    assert str(c) == "top 20 % of customers (2 of 10) carry 65 % of value"
    # 25 % of 10 -> ceil(2.5) = 3 customers -> 85 %
    assert concentration(t, 0.25).value_share == pytest.approx(0.85)
    with pytest.raises(RangeError, match="top_share"):
        concentration(t, 1.5)


# ======================================================================== XYZ
WEEKLY = {
    "i1": [10] * 8,
    "i2": [0, 20] * 4,
    "i3": [5, 15] * 4,
    "i4": [0, 0, 0, 40, 0, 0, 0, 120],
    "i5": [0, 0, 0, 10, 0, 0, 0, 70],
    "i6": [2, 18] * 4,
}


@pytest.fixture
def xyz_orders() -> pd.DataFrame:
    # weeks start Monday 2024-01-01 .. 2024-02-19 (8 weeks); orders on Wednesdays.
    rows = []
    for item, qtys in WEEKLY.items():
        for w, q in enumerate(qtys):
            if q == 0:
                continue
            day = pd.Timestamp("2024-01-03") + pd.Timedelta(days=7 * w)
            if item == "i3" and w == 0:  # 5 split over two lines of one week
                rows += [(f"{item}-{w}a", "k", item, day, 2.0, 1.0),
                         (f"{item}-{w}b", "k", item, day, 3.0, 1.0)]
            else:
                rows.append((f"{item}-{w}", "k", item, day, float(q), 1.0))
    rows.append(("late", "k", "i1", pd.Timestamp("2024-02-26"), 500.0, 1.0))  # on as_of
    rows.append(("canc", "k", "i1", pd.Timestamp("2024-01-17"), 1000.0, 1.0))
    status = ["delivered"] * (len(rows) - 1) + ["cancelled"]
    return lines(rows, status=status)


def test_xyz_and_syntetos_boylan_hand_worked(xyz_orders):
    t = xyz_classify(xyz_orders, as_of="2024-02-26").set_index("item_id")
    # i1: 10 every week -> mean 10, std 0, cv 0 -> X; ADI 8/8 = 1, CV2 0 -> smooth
    # i2: 0,20 x4 -> mean 10, std 10, cv 1.0 (<= 1.0) -> Y; ADI 8/4 = 2, sizes all 20
    #     -> CV2 0 -> intermittent
    # i3: 5,15 x4 -> mean 10, std 5, cv 0.5 (<= 0.5) -> X; ADI 1; sizes 5/15: cv 0.5,
    #     CV2 0.25 -> smooth
    # i4: mean 160/8 = 20; var = (6*400 + 400 + 10000)/8 = 1600 -> std 40, cv 2 -> Z;
    #     ADI 8/2 = 4; sizes 40, 120: mean 80, std 40, CV2 0.25 -> intermittent
    # i5: mean 10; var = (6*100 + 0 + 3600)/8 = 525 -> cv sqrt(525)/10 = 2.2913 -> Z;
    #     ADI 4; sizes 10, 70: mean 40, std 30, CV2 0.5625 >= 0.49 -> lumpy
    # i6: 2,18 x4 -> mean 10, std 8, cv 0.8 -> Y; ADI 1; CV2 0.64 -> erratic
    assert t["periods"].tolist() == [8] * 6
    assert t["demand_periods"].tolist() == [8, 4, 8, 2, 2, 8]
    assert t["mean"].tolist() == pytest.approx([10, 10, 10, 20, 10, 10])
    assert t["cv"].tolist() == pytest.approx([0, 1.0, 0.5, 2.0, math.sqrt(525) / 10, 0.8])
    assert t["xyz"].tolist() == ["X", "Y", "X", "Z", "Z", "Y"]
    assert t["adi"].tolist() == pytest.approx([1, 2, 1, 4, 4, 1])
    assert t["cv2"].tolist() == pytest.approx([0, 0, 0.25, 0.25, 0.5625, 0.64], abs=1e-12)
    assert t["pattern"].tolist() == ["smooth", "intermittent", "smooth", "intermittent",
                                     "lumpy", "erratic"]
    # the line on as_of (and the cancelled one) are ignored: i1 total is 8 x 10
    assert t.loc["i1", "total"] == 80.0
    # default as_of = day after the last order (27 Feb): its week is incomplete -> same window
    assert xyz_classify(xyz_orders)["periods"].iloc[0] == 8


def test_xyz_last_periods_and_cutoffs(xyz_orders):
    t = xyz_classify(xyz_orders, as_of="2024-02-26", periods=4).set_index("item_id")
    # last 4 weeks: i4 = 0,0,0,120 -> mean 30, var (3*900 + 8100)/4 = 2700,
    # cv = sqrt(2700)/30 = sqrt(3) = 1.732; ADI 4/1 = 4
    assert t.loc["i4", "periods"] == 4
    assert t.loc["i4", "mean"] == pytest.approx(30.0)
    assert t.loc["i4", "cv"] == pytest.approx(math.sqrt(3))
    assert t.loc["i4", "adi"] == pytest.approx(4.0)
    wide = xyz_classify(xyz_orders, as_of="2024-02-26", cutoffs=(0.9, 2.5)).set_index("item_id")
    assert wide["xyz"].tolist() == ["X", "Y", "X", "Y", "Y", "X"]
    with pytest.raises(FrequencyError, match="unknown period"):
        xyz_classify(xyz_orders, freq="Y")
    with pytest.raises(CountError, match="periods"):
        xyz_classify(xyz_orders, periods=0)


# ======================================================================== RFM
def test_rfm_scores_hand_worked():
    a = pd.Timestamp("2024-07-01")
    r1 = [a - pd.Timedelta(days=1 + 73 * k) for k in range(6)]  # 30 Jun 2024 back to 1 Jul 2023
    rows = [(f"r1-{k}", "r1", "i", d, 1.0, 100.0) for k, d in enumerate(r1)]
    rows += [("r2-1", "r2", "i", "2024-05-01", 1.0, 100.0), ("r2-2", "r2", "i", "2024-06-11", 1.0,
                                                              100.0),
             ("r2-3", "r2", "i", "2024-06-21", 1.0, 100.0)]
    rows += [("r3-A", "r3", "i", "2024-04-01", 1.0, 500.0), ("r3-A", "r3", "j", "2024-04-01", 1.0,
                                                             400.0),
             ("r3-B", "r3", "i", "2024-05-01", 1.0, 50.0), ("r3-C", "r3", "i", "2024-06-01", 1.0,
                                                            50.0)]
    rows += [("r4-1", "r4", "i", "2024-03-23", 1.0, 50.0),
             ("r4-x", "r4", "i", "2024-04-01", 1.0, 10_000.0)]  # cancelled
    rows += [("r5-1", "r5", "i", "2023-11-14", 1.0, 60.0), ("r5-2", "r5", "i", "2023-12-14", 1.0,
                                                            60.0)]
    rows += [("after", "r5", "i", "2024-07-01", 1.0, 9_999.0)]  # on as_of: ignored
    status = ["delivered"] * len(rows)
    status[[r[0] for r in rows].index("r4-x")] = "canceled"
    t = rfm_scores(lines(rows, status), as_of=a).set_index("customer_id")
    # recency (days to 1 Jul): r1 1, r2 10, r3 30, r4 100, r5 200
    # frequency (distinct orders): 6, 3, 3, 1, 2; monetary: 600, 300, 1000, 50, 120
    # score = 1 + floor(5 * (customers strictly worse) / 5):
    #   R: worse = 4, 3, 2, 1, 0 -> 5, 4, 3, 2, 1
    #   F: worse = 4, 2, 2, 0, 1 -> 5, 3, 3, 1, 2 (r2/r3 tie share 3)
    #   M: worse = 3, 2, 4, 0, 1 -> 4, 3, 5, 1, 2
    assert t["recency_days"].tolist() == [1, 10, 30, 100, 200]
    assert t["frequency"].tolist() == [6, 3, 3, 1, 2]
    assert t["monetary"].tolist() == [600.0, 300.0, 1000.0, 50.0, 120.0]
    assert t["R"].tolist() == [5, 4, 3, 2, 1]
    assert t["F"].tolist() == [5, 3, 3, 1, 2]
    assert t["M"].tolist() == [4, 3, 5, 1, 2]
    assert t["rfm"].tolist() == ["554", "433", "335", "211", "122"]
    # r1: intervals all 73 -> regularity 1, tenure 365, 6 orders -> loyal
    # r2: intervals 41, 10 -> mean 25.5, std 15.5 -> 1 - 0.6078 = 0.3922
    # r3: intervals 30, 31 -> 1 - 0.5/30.5 = 0.9836 (but tenure 61, 3 orders)
    # r4 (no interval) and r5 (one interval): regularity undefined
    assert t["tenure_days"].tolist() == [365, 51, 61, 0, 30]
    assert t["regularity"].iloc[:3].tolist() == pytest.approx([1.0, 1 - 15.5 / 25.5,
                                                               1 - 0.5 / 30.5])
    assert t["regularity"].iloc[3:].isna().all()
    assert t["loyal"].tolist() == [True, False, False, False, False]
    assert t.loc["r1", "first_order_date"] == pd.Timestamp("2023-07-01")


def test_rfm_ties_do_not_depend_on_row_order():
    rows = [(f"o{i}", c, "i", "2024-01-01", 1.0, 10.0) for i, c in enumerate("abcd")]
    t1 = rfm_scores(lines(rows), as_of="2024-02-01")
    t2 = rfm_scores(lines(rows[::-1]), as_of="2024-02-01")
    # all equal: nobody is strictly worse -> every score is 1
    assert t1["rfm"].tolist() == t2["rfm"].tolist() == ["111"] * 4
    with pytest.raises(CountError, match="bins"):
        rfm_scores(lines(rows), bins=1)


# ============================================================== service tiers
def test_default_service_targets():
    t = service_targets()
    assert t.equals(DEFAULT_SERVICE_TARGETS)
    otif = t[t["kpi"] == "otif_order_rate"]
    assert dict(zip(otif["tier"], otif["target"], strict=True)) == {"A": 0.98, "B": 0.95,
                                                                      "C": 0.90}
    assert set(t["kpi"]) == {"otif_order_rate", "on_time_promised_rate", "line_fill_rate"}


@pytest.mark.parametrize("table, error, match", [
    (pd.DataFrame({"tier": ["A", "B"], "kpi": ["otif"] * 2, "target": [0.98, 0.95]}),
     ConfigError, r"no target for tier\(s\) C"),
    (pd.DataFrame({"tier": ["A", "B", "C"], "kpi": ["otif"] * 3, "target": [98, 0.95, 0.9]}),
     ConfigError, r"in \(0, 1\].*target 98(\.0)? for tier A"),
    (pd.DataFrame({"tier": ["A", "B", "C"], "kpi": ["otif"] * 3, "target": [0.98, 0.95, 0]}),
     ConfigError, r"in \(0, 1\]"),
    (pd.DataFrame({"tier": ["A", "B", "C"], "kpi": ["otif"] * 3, "target": ["x", 0.95, 0.9]}),
     ConfigError, r"in \(0, 1\]"),
    (pd.DataFrame({"tier": ["A", "B", "C"], "target": [0.98, 0.95, 0.9]}),
     MissingColumnsError, "service_targets.*column\\(s\\) kpi"),
    (pd.DataFrame({"tier": ["A", "a", "B", "C"], "kpi": ["otif"] * 4,
                   "target": [0.98, 0.97, 0.95, 0.9]}), ConfigError, "more than once: A/otif"),
    ("not-there.csv", SourceNotFoundError, "not found"),
    (42, FrameTypeError, "DataFrame or a CSV/YAML path"),
])
def test_service_target_validation_errors(table, error, match):
    with pytest.raises(error, match=match):
        service_targets(table)


def test_service_targets_from_csv_and_yaml(tmp_path):
    csv = tmp_path / "targets.csv"
    csv.write_text("tier,kpi,target\nA,otif,0.99\nB,otif,0.96\nC,otif,0.9\n"
                   " a ,fill_rate,0.995\nB,fill_rate,0.98\nC,fill_rate,0.95\n", encoding="utf-8")
    t = service_targets(csv)
    assert t["kpi"].tolist() == ["fill_rate"] * 3 + ["otif"] * 3
    assert t["tier"].tolist() == ["A", "B", "C"] * 2
    assert t["target"].tolist() == [0.995, 0.98, 0.95, 0.99, 0.96, 0.9]
    yml = tmp_path / "targets.yaml"
    yml.write_text("otif: {A: 0.97, B: 0.93, C: 0.85}\n", encoding="utf-8")
    assert service_targets(yml)["target"].tolist() == [0.97, 0.93, 0.85]
    bad = tmp_path / "bad.yaml"
    bad.write_text("otif: {A: 0.97, B: 1.5, C: 0.85}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml"):
        service_targets(bad)


def test_assign_tiers_master_overrides_abc(abc_orders):
    abc = abc_classify(abc_orders)
    master = pd.DataFrame({"customer_id": ["c01", "c02", "c04", "c10"],
                           "tier": ["", None, "C", " a "]})
    t = assign_tiers(abc, master).set_index("customer_id")
    # c10 is C by revenue but the master says A; c04 is B by revenue, master C;
    # empty / missing master tiers keep the ABC class.
    assert t.loc["c10", ["abc", "tier", "tier_source"]].tolist() == ["C", "A", "master"]
    assert t.loc["c04", ["abc", "tier", "tier_source"]].tolist() == ["B", "C", "master"]
    assert t.loc["c01", ["tier", "tier_source"]].tolist() == ["A", "abc"]
    assert t.loc["c02", ["tier", "tier_source"]].tolist() == ["A", "abc"]
    assert t.loc["c10", "target_otif_order_rate"] == 0.98
    assert t.loc["c04", "target_otif_order_rate"] == 0.90
    assert t.loc["c05", "target_otif_order_rate"] == 0.95
    assert assign_tiers(abc)["tier"].tolist() == abc["abc"].tolist()
    with pytest.raises(ConfigError, match="tier.*S.*no service target"):
        assign_tiers(abc, pd.DataFrame({"customer_id": ["c03"], "tier": ["S"]}))


# ============================================================ customer tiers
@pytest.fixture
def tier_orders() -> pd.DataFrame:
    # revenue x 60, y 25, z 10, w 5 (total 100); w's cancelled line of 500 is left out.
    # cumulative share before: x 0, y 0.60 -> A (< 0.8); z 0.85 -> B (< 0.95); w 0.95 -> C
    rows = [("1", "x", "i", "2024-01-02", 1.0, 60.0), ("2", "y", "i", "2024-01-02", 1.0, 25.0),
            ("3", "z", "i", "2024-01-02", 2.0, 5.0), ("4", "w", "i", "2024-01-02", 1.0, 5.0),
            ("5", "w", "i", "2024-01-03", 1.0, 500.0)]
    return lines(rows, status=["delivered"] * 4 + ["cancelled"])


def test_customer_tiers_from_abc_without_master_tier(tier_orders):
    ct = customer_tiers(tier_orders, pd.DataFrame({"customer_id": ["x", "w"],
                                                   "customer_name": ["X", "W"]}))
    assert ct.abc["customer_id"].tolist() == ["x", "y", "z", "w"]
    assert ct.abc["value"].tolist() == [60.0, 25.0, 10.0, 5.0]
    assert ct.tier_of.to_dict() == {"x": "A", "y": "A", "z": "B", "w": "C"}
    assert ct.tier_of.index.name == "customer_id" and ct.tier_of.name == "tier"
    assert ct.tiers["tier_source"].tolist() == ["abc"] * 4
    assert ct.tiers["target_otif_order_rate"].tolist() == [0.98, 0.98, 0.95, 0.90]
    assert ct.targets.equals(DEFAULT_SERVICE_TARGETS)
    assert ct.by_value("A") == ["x", "y"]
    assert ct.by_value(" b ") == ["z"]
    # the same as the three calls it replaces
    abc = abc_classify(tier_orders, "customer_id", measure="revenue")
    assert ct.abc.equals(abc)
    assert ct.tiers.equals(assign_tiers(abc, None))
    assert customer_tiers(tier_orders).tiers.equals(ct.tiers)


def test_customer_tiers_master_tier_wins(tier_orders):
    master = pd.DataFrame({"customer_id": ["x", "y", "z", "w"], "tier": ["c", "", None, "A"]})
    ct = customer_tiers(tier_orders, master)
    # x: master C over ABC A; w: master A over ABC C; y, z: no master tier -> ABC
    assert ct.tier_of.to_dict() == {"x": "C", "y": "A", "z": "B", "w": "A"}
    assert ct.tiers["tier_source"].tolist() == ["master", "abc", "abc", "master"]
    assert ct.tiers["abc"].tolist() == ["A", "A", "B", "C"]
    # biggest value first within the tier: y (25) before w (5); x (60) alone in C
    assert ct.by_value("A") == ["y", "w"]
    assert ct.by_value("C") == ["x"]
    assert ct.by_value("B") == ["z"]


def test_customer_tiers_by_value_ties_targets_and_options(tier_orders):
    # a tie at 25 (y, v): key ascending; tiers of a custom target table
    extra = lines([("6", "v", "i", "2024-01-04", 1.0, 25.0)])
    orders = pd.concat([tier_orders, extra], ignore_index=True)
    targets = pd.DataFrame({"tier": ["A", "B", "C"], "kpi": ["otif"] * 3,
                            "target": [0.99, 0.9, 0.8]})
    ct = customer_tiers(orders, None, targets, cutoffs=(0.9, 0.99))
    # total 125: x 0, v 0.48, y 0.68, z 0.88 -> A (< 0.9); w 0.96 -> B
    assert ct.by_value("A") == ["x", "v", "y", "z"]
    assert ct.by_value("B") == ["w"] and ct.by_value("C") == []
    assert ct.tiers.columns.tolist() == ["customer_id", "abc", "tier", "tier_source",
                                         "target_otif"]
    assert ct.targets["target"].tolist() == [0.99, 0.9, 0.8]
    vol = customer_tiers(orders, measure="volume")
    assert vol.abc["value"].tolist() == [2.0, 1.0, 1.0, 1.0, 1.0]  # z ordered 2 units
    assert vol.abc["customer_id"].tolist() == ["z", "v", "w", "x", "y"]
    with pytest.raises(ChoiceError, match="tier"):
        ct.by_value("S")
    with pytest.raises(SourceNotFoundError):
        customer_tiers(orders, targets="no-such-targets.csv")


# ====================================================================== churn
AS_OF = pd.Timestamp("2025-03-17")  # a Monday


def _orders_on(customer: str, dates, qty: float = 10.0) -> list[tuple]:
    return [(f"{customer}-{i}", customer, "i1", d, qty, 1.0) for i, d in enumerate(dates)]


@pytest.fixture
def churn_orders() -> pd.DataFrame:
    mondays = pd.date_range("2023-01-02", "2025-03-10", freq="W-MON")
    # S: steady, every Monday up to 10 Mar 2025
    steady = mondays
    # D: every 14 days to 4 Nov 2024, then drifting: +21 (25 Nov), +28 (23 Dec), then silence
    drift = pd.date_range("2023-01-02", "2024-11-04", freq="14D").append(
        pd.DatetimeIndex(["2024-11-25", "2024-12-23"]))
    # V: Mon, Tue, Thu, Fri up to 16 Dec 2024, then Mondays and Thursdays (volume halves)
    week = pd.date_range("2023-01-02", "2025-03-16", freq="D")
    halves = week[np.where(week <= "2024-12-16", week.day_of_week.isin([0, 1, 3, 4]),
                           week.day_of_week.isin([0, 3]))]
    # N: seasonal, Mon/Wed/Fri in November, December and January only (2022-11 .. 2025-01)
    days = pd.date_range("2022-11-01", "2025-03-16", freq="D")
    seasonal = days[days.month.isin([11, 12, 1]) & days.day_of_week.isin([0, 2, 4])]
    # T: too few orders to judge
    few = pd.DatetimeIndex(["2024-01-10", "2024-05-10", "2024-09-10"])
    rows = (_orders_on("S", steady) + _orders_on("D", drift) + _orders_on("V", halves)
            + _orders_on("N", seasonal) + _orders_on("T", few))
    return lines(rows)


def test_churn_constructed_customers(churn_orders):
    w = churn_warnings(churn_orders, as_of=AS_OF)
    assert set(w["customer_id"]) == {"S", "D", "V", "N"}  # T has 3 < 4 orders
    # flagged first by trailing-12-month revenue (qty 10 x price 1 per order, orders in
    # [17 Mar 2024, 17 Mar 2025)): V 182 orders -> 1820, D 19 -> 190; then S 52 -> 520,
    # N 40 -> 400 (not flagged)
    assert w["customer_id"].tolist() == ["V", "D", "S", "N"]
    assert w["revenue_at_risk"].tolist() == [1820.0, 190.0, 520.0, 400.0]
    assert w["churn_risk"].tolist() == [True, True, False, False]
    r = w.set_index("customer_id")

    # S: intervals all 7; bound = max(7, 2 x 7) = 14; 7 days since 10 Mar -> fine;
    # 12 Mondays in [17 Dec 2024, 17 Mar 2025) and 12 in [19 Dec 2023, 18 Mar 2024)
    assert r.loc["S", ["days_since_last", "gap_bound", "orders_recent", "orders_baseline"]
                 ].tolist() == [7, 14.0, 12, 12]
    assert not r.loc["S", "flag_gap"] and not r.loc["S", "flag_volume"]

    # D: 50 intervals: 48 x 14, 21, 28. Linear p95 (position 46.55) = 14, median 14.
    # Rank bound k = ceil(51 x 0.95) = 49 -> 49th smallest = 21; gap_bound = max(21, 28) = 28.
    # Silent 84 days (23 Dec -> 17 Mar) > 28; mean interval 721/50 = 14.42,
    # p_gap = exp(-84 / 14.42) = 0.0030 < 0.005. A year ago (alarm window 23 Jan - 18 Mar
    # 2024) it ordered -> not seasonal. Volume: 1 order vs 6 a year ago, ratio 1/6 but
    # binom.cdf(1, 7, 0.5) = 8/128 = 0.0625 >= 0.01 -> not significant: only the gap flag.
    d = r.loc["D"]
    assert (d["days_since_last"], d["interval_p95"], d["interval_median"], d["gap_bound"]) == (
        84, 14.0, 14.0, 28.0)
    assert d["p_gap"] == pytest.approx(math.exp(-84 / 14.42))
    assert d["flag_gap"] and not d["flag_volume"]
    assert (d["orders_recent"], d["orders_baseline"]) == (1, 6)
    assert d["p_volume"] == pytest.approx(8 / 128)
    assert d["reason"].startswith("no order for 84 days; usually orders every 14 days "
                                  "(95 % within 14; alarm after 28); Poisson p = 0.003")

    # V: 433 intervals (204 x 1, 102 x 2, 115 x 3, 12 x 4): k = ceil(434 x 0.95) = 413
    # -> 3, median 2 -> bound 4; 4 days since Thu 13 Mar is not > 4 -> no gap flag.
    # Volume: [17 Dec 2024, 17 Mar 2025) has 12 Mondays + 13 Thursdays = 25 orders (250
    # units); [19 Dec 2023, 18 Mar 2024) has 12 Mon + 13 Tue + 13 Thu + 13 Fri = 51 (510):
    # ratio 25/51 = 0.49 <= 0.5; binom.cdf(25, 76, 0.5): z = (25.5 - 38) / sqrt(19)
    # = -2.87 -> about 0.002 < 0.01 -> flagged.
    v = r.loc["V"]
    assert (v["gap_bound"], v["flag_gap"]) == (4.0, False)
    assert (v["orders_recent"], v["orders_baseline"], v["baseline"]) == (25, 51, "year_ago")
    assert (v["volume_recent"], v["volume_baseline"]) == (250.0, 510.0)
    assert v["volume_ratio"] == pytest.approx(25 / 51)
    assert 0.001 < v["p_volume"] < 0.003
    assert v["flag_volume"]
    assert v["reason"].startswith("ordered 250 units in the last 90 days vs 510 in the same "
                                  "90 days a year before (−51 %); 25 orders vs 51 (p = 0.002)")

    # N: last order Fri 31 Jan 2025, silent 45 days > bound max(3, 2 x 2) = 4 and
    # p_gap = exp(-45 / (821/118)) = 0.0016, but a year ago it was silent from
    # 7 Feb to 18 Mar 2024 too -> its season, not churn. Volume 20 vs 19 orders.
    n = r.loc["N"]
    assert (n["days_since_last"], n["gap_bound"]) == (45, 4.0)
    assert (n["orders_recent"], n["orders_baseline"]) == (20, 19)
    assert not n["flag_gap"] and not n["flag_volume"] and n["reason"] == ""


def test_churn_without_seasonal_comparison(churn_orders):
    w = churn_warnings(churn_orders, as_of=AS_OF, seasonal=False).set_index("customer_id")
    # without the year-ago view the seasonal customer's 45-day silence is an alarm
    assert w.loc["N", "flag_gap"]
    # V is compared with the preceding 90 days [18 Sep, 17 Dec 2024): 13 Mon (23 Sep -
    # 16 Dec) + 12 Tue (24 Sep - 10 Dec) + 13 Thu + 13 Fri = 51 orders (510 units)
    assert w.loc["V", "baseline"] == "preceding"
    assert (w.loc["V", "orders_baseline"], w.loc["V", "volume_baseline"]) == (51, 510.0)
    assert w.loc["V", "flag_volume"]


def test_churn_parameter_errors(churn_orders):
    with pytest.raises(RangeError, match="quantile"):
        churn_warnings(churn_orders, quantile=95)
    with pytest.raises(CountError, match="min_orders"):
        churn_warnings(churn_orders, min_orders=1)
    with pytest.raises(DateParameterError, match="as_of"):
        churn_warnings(churn_orders, as_of="not a date")
    with pytest.raises(MissingColumnsError, match="order_date"):
        churn_warnings(churn_orders.drop(columns="order_date"))


def test_evaluate_churn_arithmetic():
    w = pd.DataFrame({"customer_id": ["a", "b", "c", "x", "y"],
                      "churn_risk": [True, True, True, False, False]})
    ev = evaluate_churn(w, ["b", "c", "d", "e"])
    # TP = {b, c} = 2, FP = {a} = 1, FN = {d, e} = 2 -> precision 2/3, recall 2/4
    assert ev == ChurnEvaluation(2 / 3, 0.5, 2, 1, 2)
    assert evaluate_churn(["a"], ["a"]) == ChurnEvaluation(1.0, 1.0, 1, 0, 0)
    nothing = evaluate_churn([], ["a"])
    assert math.isnan(nothing.precision) and nothing.recall == 0.0


def test_churn_on_sample_data_meets_floor():
    from workbench.io import samples

    data = samples.generate_samples(20_000, seed=42)
    truth = data.truth.get("churned_customers")
    assert truth, "the sample generator must plant churned customers and record them"
    ol = data.order_lines.copy()
    # dirty sample rows carry text in order_date; the loader would quarantine them
    ol["order_date"] = pd.to_datetime(ol["order_date"].astype("str"), format="%Y-%m-%d",
                                      errors="coerce")
    w = churn_warnings(ol, as_of=data.truth["as_of"])
    ev = evaluate_churn(w, truth)
    assert ev.precision >= 0.6, ev
    assert ev.recall >= 0.6, ev
    seasonal = set(data.truth.get("seasonal_customers", []))
    assert not (seasonal & set(w.loc[w["churn_risk"], "customer_id"]))


# ============================================================= order changes
@pytest.fixture
def change_log() -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = pd.DataFrame({
        "order_id": ["X1", "X1", "X2", "X2", "Y1", "Y1", "Z1", "Z1"],
        "line_no": [1, 2, 1, 2, 1, 2, 1, 2],
        "customer_id": ["x"] * 4 + ["y"] * 2 + ["z"] * 2,
        "item_id": ["i"] * 8,
        "order_date": pd.to_datetime(["2023-12-20"] * 8),
        # requested dates after all changes: X1/1 moved out to 15 Mar, Y1/2 in to 26 Feb
        "requested_date": pd.to_datetime(["2024-03-15"] + ["2024-03-01"] * 4
                                         + ["2024-02-26"] + ["2024-03-01"] * 2),
        "qty_ordered": [50.0, 5, 0, 5, 15, 5, 5, 5],
    })
    changes = pd.DataFrame({
        "order_id": ["X1", "X1", "X2", "Y1", "Y1", "Y1"],
        "line_no": [1, 1, 1, 1, 2, 2],
        "change_seq": [1, 2, 1, 1, 1, 2],
        "change_date": pd.to_datetime(["2024-02-28", "2024-02-29", "2024-01-02", "2024-02-09",
                                       "2024-02-20", "2024-02-22"]),
        "change_type": ["qty_down", "date_out", "cancel", "qty_up", "spec", "date_in"],
        "old_qty": [100.0, np.nan, 10, 10, np.nan, np.nan],
        "new_qty": [50.0, np.nan, 0, 15, np.nan, np.nan],
        "old_date": pd.to_datetime([None, "2024-03-01", None, None, None, "2024-03-01"]),
        "new_date": pd.to_datetime([None, "2024-03-15", None, None, None, "2024-02-26"]),
    })
    return changes, orders


def test_change_summary_rates_by_type(change_log):
    changes, orders = change_log
    s = change_summary(changes, orders).set_index("customer_id")
    # x: 4 lines, 2 changed (X1/1, X2/1), 3 changes -> rate 0.5
    # y: 2 lines, both changed, 3 changes -> rate 1.0; z: 2 lines, none
    assert s["lines"].tolist() == [4, 2, 2]
    assert s["changed_lines"].tolist() == [2, 2, 0]
    assert s["changes"].tolist() == [3, 3, 0]
    assert s["change_rate"].tolist() == [0.5, 1.0, 0.0]
    assert s.loc["x", ["qty_up", "qty_down", "date_in", "date_out", "spec", "cancel"]
                 ].tolist() == [0, 1, 0, 1, 0, 1]
    assert s.loc["y", ["qty_up", "qty_down", "date_in", "date_out", "spec", "cancel"]
                 ].tolist() == [1, 0, 1, 0, 1, 0]
    by_item = change_summary(changes, orders, by="item_id")
    assert by_item[["lines", "changed_lines", "changes"]].iloc[0].tolist() == [8, 4, 6]


def test_change_timing_due_before_change(change_log):
    changes, orders = change_log
    tm = change_timing(changes, orders)
    # due = requested date in force before the change:
    #   X1/1 qty_down 28 Feb: next date change's old date 1 Mar -> 2 days -> <1
    #   X1/1 date_out 29 Feb: own old date 1 Mar -> 1 day -> <1
    #   X2/1 cancel 2 Jan: line's 1 Mar -> 59 days -> >8 (>= 56)
    #   Y1/1 qty_up 9 Feb: 1 Mar -> 21 days -> 2-4
    #   Y1/2 spec 20 Feb: next date change's old date 1 Mar -> 10 days -> 1-2
    #   Y1/2 date_in 22 Feb: own old date 1 Mar -> 8 days -> 1-2
    assert tm.per_change["days_before_due"].tolist() == [2, 1, 59, 21, 10, 8]
    assert tm.per_change["bucket"].astype("str").tolist() == ["<1", "<1", ">8", "2-4", "1-2",
                                                              "1-2"]
    assert (tm.per_change["due_date"] == pd.Timestamp("2024-03-01")).all()
    d = tm.distribution
    assert d["bucket"].astype("str").tolist() == list(TIMING_BUCKETS)
    assert d["changes"].tolist() == [2, 2, 1, 0, 1]
    assert d["share"].tolist() == pytest.approx([2 / 6, 2 / 6, 1 / 6, 0, 1 / 6])


def test_change_magnitude(change_log):
    changes, _ = change_log
    m = change_magnitude(changes)
    # qty_down 100 -> 50: -0.5; cancel 10 -> 0: -1; qty_up 10 -> 15: +0.5
    assert m["qty_change_rel"].tolist()[0] == -0.5
    assert m["qty_change_rel"].tolist()[2:4] == [-1.0, 0.5]
    # date_out 1 -> 15 Mar: +14 days; date_in 1 Mar -> 26 Feb: -4 days
    assert m["days_moved"].tolist()[1] == 14.0
    assert m["days_moved"].tolist()[5] == -4.0
    # magnitude: 0.5, 14/28, 1 (cancel), 0.5, 0.5 (spec), 4/28
    assert m["magnitude"].tolist() == pytest.approx([0.5, 0.5, 1.0, 0.5, 0.5, 4 / 28])


def test_nervousness_ordering(change_log):
    changes, orders = change_log
    n = nervousness(changes, orders)
    # weight = magnitude / (1 + weeks before due):
    #   x: 0.5/(1+2/7) = 7/18, 0.5/(1+1/7) = 7/16, 1/(1+59/7) = 7/66 -> 0.932449; / 4 lines
    #      = 0.233112
    #   y: 0.5/(1+3) = 1/8, 0.5/(1+10/7) = 7/34, (1/7)/(1+8/7) = 1/15 -> 0.397549; / 2 lines
    #      = 0.198775
    #   z: no change -> 0.  Scaled to the most nervous: x 100, y 85.27, z 0
    assert n["customer_id"].tolist() == ["x", "y", "z"]
    assert n["nervousness_raw"].tolist() == pytest.approx([0.233112, 0.198775, 0.0], rel=1e-5)
    assert n["nervousness"].tolist() == pytest.approx([100.0, 85.27, 0.0], abs=0.01)
    assert n["changes"].tolist() == [3, 3, 0]


def test_customer_profile_facts_and_unknown_id():
    orders = pd.DataFrame({
        "order_id": ["o1", "o2", "o3"], "customer_id": ["big", "big", "small"],
        "item_id": "i", "qty_ordered": [10.0, 10.0, 1.0], "unit_price": [5.0, 5.0, 100.0],
        "order_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-15"])})
    master = pd.DataFrame({"customer_id": ["big"], "customer_name": ["Big <Co>"],
                           "segment": ["OEM"], "region": [None]})
    abc = abc_classify(orders)
    p = customer_profile("big", orders, master, abc, assign_tiers(abc, master))
    # revenue big = 100, small = 100 -> tie broken by key: "big" first, share 0.5
    assert (p.name, p.rank, p.customers, p.orders, p.lines) == ("Big <Co>", 1, 2, 2, 2)
    assert p.share == 0.5 and p.segment == "OEM" and p.region == "-"
    assert p.first_order == pd.Timestamp("2024-01-01")
    with pytest.raises(ChoiceError, match="did you mean big"):
        customer_profile("bigg", orders, master, abc, assign_tiers(abc, master))


def test_change_impact_on_pab_hand_worked():
    # on hand 10, no supply, no forecast. Open lines: X's line now 12 (was 8: qty_up),
    # Y's line 3 pulled in from week 20 (outside the 13-week horizon) to week 2.
    # With changes: demand 12 + 3 = 15 -> short 5. Before: 8 -> PAB 2, not short.
    orders = pd.DataFrame({
        "order_id": ["o1", "o2"], "line_no": [1, 1], "customer_id": ["X", "Y"],
        "item_id": ["I", "I"], "qty_ordered": [12.0, 3.0], "status": ["open", "open"],
        "order_date": pd.to_datetime(["2026-06-01", "2026-06-01"]),
        "requested_date": pd.to_datetime(["2026-07-06", "2026-07-13"])})
    changes = pd.DataFrame({
        "order_id": ["o1", "o2"], "line_no": [1, 1], "change_seq": [1, 1],
        "change_date": pd.to_datetime(["2026-06-10", "2026-06-12"]),
        "change_type": ["qty_up", "date_in"], "customer_id": ["X", "Y"],
        "old_qty": [8.0, None], "new_qty": [12.0, None],
        "old_date": pd.to_datetime([None, "2026-11-16"]),
        "new_date": pd.to_datetime([None, "2026-07-13"])})
    before = orders_before_changes(orders, changes)
    assert before["qty_ordered"].tolist() == [8.0, 3.0]
    assert before["requested_date"].tolist() == [pd.Timestamp("2026-07-06"),
                                                 pd.Timestamp("2026-11-16")]
    inventory = pd.DataFrame({"item_id": ["I"], "snapshot_date": pd.to_datetime(["2026-06-29"]),
                              "on_hand": [10.0]})
    imp = change_shortage_impact(orders, changes, forecast=None, supply=None,
                                 inventory=inventory, as_of="2026-06-29").set_index(
                                     "customer_id")
    # extra shortage 5; X added 4 units in the horizon, Y added 3 -> 5*4/7 and 5*3/7
    assert imp.loc["X", "shortage_caused"] == pytest.approx(5 * 4 / 7)
    assert imp.loc["Y", "shortage_caused"] == pytest.approx(5 * 3 / 7)
    assert imp["short_only_with_changes"].all()


def test_churn_reasons_in_chinese():
    from workbench.io.dataset import load_dataset

    orders = load_dataset("samples", tables=("order_lines",)).orders
    en = churn_warnings(orders)
    zh = churn_warnings(orders, language="zh")
    flagged = en["churn_risk"].to_numpy()
    assert (en["customer_id"] == zh["customer_id"]).all()
    assert en.drop(columns="reason").equals(zh.drop(columns="reason"))
    assert zh.loc[flagged, "reason"].str.contains("天").all()
    assert not zh.loc[flagged, "reason"].str.contains("days").any()
    with pytest.raises(LanguageError, match="language"):
        churn_warnings(orders, language="fr")
