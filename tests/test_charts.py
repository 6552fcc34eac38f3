"""Charts draw the numbers they are given (checked on the figure data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.exceptions import ChoiceError
from workbench.reporting import charts


@pytest.fixture
def long() -> pd.DataFrame:
    weeks = pd.date_range("2026-06-29", periods=4, freq="W-MON")
    rows = []
    # item A: on hand 14; orders 0, 15, 15, 0; receipt 50 firm in week 3 (index 2)
    pab_a = [14, -1, 34, 34]
    for i, w in enumerate(weeks):
        rows.append(dict(item_id="A", period_start=w, customer_orders=[0, 15, 15, 0][i],
                         forecast=[5, 10, 20, 5][i], supply_firm=[0, 0, 50, 0][i],
                         supply_planned=0.0, pab=pab_a[i], safety_stock=5.0,
                         shortage=pab_a[i] < 0, weeks_of_cover=1.0))
        rows.append(dict(item_id="B", period_start=w, customer_orders=1.0, forecast=1.0,
                         supply_firm=0.0, supply_planned=0.0, pab=100 - i, safety_stock=0.0,
                         shortage=False, weeks_of_cover=99.0))
    return pd.DataFrame(rows)


def test_pab_chart_traces_and_shading(long):
    fig = charts.pab_chart(long, "A", stressed=long.assign(pab=long["pab"] - 50))
    names = [t.name for t in fig.data]
    assert names[:6] == ["customer orders", "forecast beyond orders", "firm receipts",
                         "planned receipts", "PAB", "safety stock"]
    pab = next(t for t in fig.data if t.name == "PAB")
    assert list(pab.y) == [14, -1, 34, 34]
    orders = fig.data[0]
    assert list(orders.y) == [0, -15, -15, 0]  # demand drawn below zero
    beyond = fig.data[1]
    assert list(beyond.y) == [-5, 0, -5, -5]  # forecast above orders only
    stressed = fig.data[-1]
    assert stressed.line.dash == "dash" and list(stressed.y) == [-36, -51, -16, -16]
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(shaded) == 1  # one shortage week


def test_pab_chart_unknown_item(long):
    with pytest.raises(ChoiceError, match="not in the PAB table"):
        charts.pab_chart(long, "Z")


def test_heatmap_riskiest_first_and_cover_capped(long):
    fig = charts.pab_heatmap(long, value="pab")
    hm = fig.data[0]
    assert list(hm.y) == ["A", "B"]  # A is short in week 2
    assert np.array(hm.z)[0].tolist() == [14, -1, 34, 34]
    cover = charts.pab_heatmap(long, value="weeks_of_cover").data[0]
    assert np.nanmax(np.array(cover.z, dtype=float)) == 13
    with pytest.raises(ChoiceError, match="weeks_of_cover"):
        charts.pab_heatmap(long, value="cover")


def test_heatmap_status_is_scaled_per_item_so_every_short_item_shows(long):
    # C: a big item (PAB in thousands) that dips below its safety stock of 2,000 in week 4;
    # D: a small item short by 1 unit in week 3; on one absolute scale both look white.
    weeks = pd.date_range("2026-06-29", periods=4, freq="W-MON")
    extra = pd.DataFrame({"item_id": ["C"] * 4 + ["D"] * 4, "period_start": list(weeks) * 2,
                          "pab": [5000, 4000, 3000, 1500, 3, 2, -1, 4],
                          "safety_stock": [2000.0] * 4 + [0.0] * 4})
    data = pd.concat([long, extra], ignore_index=True)
    fig = charts.pab_heatmap(data, lang="en")
    hm = fig.data[0]
    # short items first, earliest shortage first; then below safety stock; then the rest
    assert list(hm.y) == ["A", "D", "C", "B"]
    z = np.array(hm.z)
    assert z[0].tolist() == [2, 0, 2, 2]      # A: 14, -1, 34, 34 against safety stock 5
    assert z[1].tolist() == [2, 2, 0, 2]      # D: short by 1 unit shows red
    assert z[2].tolist() == [2, 2, 2, 1]      # C: 1,500 below its 2,000 shows amber
    assert z[3].tolist() == [2, 2, 2, 2]      # B: covered throughout
    assert list(hm.colorbar.ticktext) == ["short", "below safety stock", "covered"]
    assert "29 Jun 2026 – 20 Jul 2026" in fig.layout.title.text
    zh = charts.pab_heatmap(data, lang="zh")
    assert list(zh.data[0].colorbar.ticktext) == ["缺货", "低于安全库存", "充足"]
    assert "2026年6月29日" in zh.layout.title.text


def test_scorecard_chart_colours_follow_status():
    card = pd.DataFrame({"tier": ["A", "B"], "kpi": ["otif_order_rate"] * 2,
                         "value": [0.99, 0.80], "target": [0.98, 0.95],
                         "status": pd.Categorical(["green", "red"],
                                                  categories=["green", "amber", "red", "n/a"])})
    fig = charts.scorecard_chart(card)
    hm = fig.data[0]
    assert np.array(hm.z).ravel().tolist() == [0.0, 2.0]  # green, red codes
    assert hm.text[0][0] == "99.0%<br>target 98%"
    assert fig.layout.yaxis.showticklabels and "%{y}" in hm.hovertemplate


def test_single_row_scorecard_has_no_row_label():
    """One customer's card (by=None): no "all" tick or hover word on the page."""
    card = pd.DataFrame({"kpi": ["otif_order_rate", "fill_rate_line"], "value": [0.99, 0.80],
                         "target": [0.98, 0.95],
                         "status": pd.Categorical(["green", "red"],
                                                  categories=["green", "amber", "red", "n/a"])})
    fig = charts.scorecard_chart(card, None, axis_label="")
    hm = fig.data[0]
    assert fig.layout.yaxis.showticklabels is False
    assert "%{y}" not in hm.hovertemplate and hm.hovertemplate.startswith("%{x}")
    assert np.array(hm.z).ravel().tolist() == [0.0, 2.0]


def test_control_chart_marks_deterioration():
    lim = pd.DataFrame({"period_start": pd.date_range("2024-01-01", periods=3, freq="MS"),
                        "value": [0.9, 0.7, 0.95], "center": 0.88, "lcl": 0.8, "ucl": 0.94,
                        "signal": [False, True, True], "deteriorated": [False, True, False]})
    fig = charts.control_chart(lim, kpi_label="OTIF")
    names = [t.name for t in fig.data]
    assert "significant deterioration" in names and "significant improvement" in names
    bad = fig.data[names.index("significant deterioration")]
    assert list(bad.y) == [0.7]


def test_pareto_and_histogram():
    p = pd.DataFrame({"reason": ["late", "short"], "lines": [3, 1], "cum_share": [0.75, 1.0]})
    fig = charts.pareto_chart(p)
    assert list(fig.data[0].y) == [3, 1] and list(fig.data[1].y) == [0.75, 1.0]
    h = charts.cycle_time_histogram(pd.Series([1, 2, 3, 10]))
    assert list(h.data[0].x) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]  # one bar per whole day
    assert list(h.data[0].y) == [1, 1, 1, 0, 0, 0, 0, 0, 0, 1]
    # 0..119 days: 120 whole days in bins of 2 days (at most about 60 bins)
    wide = charts.cycle_time_histogram(pd.Series(list(range(120)) + [0.0, 1.5, None]))
    assert len(wide.data[0].x) == 60 and wide.data[0].width == 2
    assert list(wide.data[0].y[:2]) == [4, 2]  # 0, 1, 0.0, 1.5 | 2, 3
    assert sum(wide.data[0].y) == 122 and wide.data[0].x[0] == 0.5


def test_pareto_curve_bands_and_churn_timeline():
    curve = pd.DataFrame({"share_of_customers": [0, 0.5, 1.0], "share_of_value": [0, 0.8, 1.0]})
    abc = pd.DataFrame({"customer_id": ["a", "b"], "abc": ["A", "C"]})
    fig = charts.pareto_curve_chart(curve, abc)
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert [(r.x0, r.x1) for r in rects] == [(0.0, 0.5), (0.5, 1.0)]
    assert list(fig.data[0].y) == [0, 0.8, 1.0]

    orders = pd.DataFrame({"customer_id": ["x", "x", "y"], "qty_ordered": 1.0,
                           "order_date": pd.to_datetime(["2024-01-01", "2024-02-01",
                                                         "2024-03-01"])})
    warn = pd.DataFrame({"customer_id": ["x", "y"], "churn_risk": [True, False],
                         "revenue_at_risk": [10.0, 5.0], "reason": ["silent", "-"],
                         "last_order_date": pd.to_datetime(["2024-02-01", "2024-03-01"])})
    tl = charts.churn_timeline(warn, orders, as_of=pd.Timestamp("2024-04-01"),
                               names={"x": "X <Co>"})
    # only the flagged customer; its name escaped for plotly, which shows "X <Co> (x)"
    assert list(tl.data[0].y) == ["X &lt;Co&gt; (x)", "X &lt;Co&gt; (x)"]
    assert list(tl.data[1].x) == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-01")]


def test_change_heatmap_counts():
    per = pd.DataFrame({"customer_id": ["a", "a", "b"], "bucket": ["<1", "<1", ">8"]})
    hm = charts.change_heatmap(per).data[0]
    assert list(hm.y) == ["a", "b"]
    assert np.array(hm.z).tolist() == [[2, 0, 0, 0, 0], [0, 0, 0, 0, 1]]


def test_forecast_fan_bands():
    hist = pd.DataFrame({"item_id": "i", "period_start": pd.date_range("2024-01-01", periods=3,
                                                                      freq="W-MON"),
                         "qty": [1.0, 2.0, 3.0]})
    fc = pd.DataFrame({"item_id": "i", "period_start": pd.date_range("2024-01-22", periods=2,
                                                                    freq="W-MON"),
                       "forecast_qty": [2.0, 2.0], "lower": [1.0, 0.5], "upper": [3.0, 3.5],
                       "lower_95": [0.0, 0.0], "upper_95": [4.0, 5.0], "method": "ses"})
    fig = charts.forecast_fan(hist, fc, "i")
    names = [t.name for t in fig.data]
    assert names == ["95 % interval", "80 % interval", "demand", "forecast (ses)"]
    assert list(fig.data[1].y) == [3.0, 3.5, 0.5, 1.0]  # upper forward, lower back
    with pytest.raises(ChoiceError, match="has no forecast"):
        charts.forecast_fan(hist, fc, "other")
