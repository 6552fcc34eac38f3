"""The cluster-run page: cell-by-cell agreement of two results, and its sentences and tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.distributed.agreement import Agreement, compare_results
from workbench.distributed.executor import ClusterInfo, connect, disconnect
from workbench.exceptions import ConfigError, FrameTypeError
from workbench.reporting.pages import cluster_run as page


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"item_id": ["A", "B", "C"],
                         "date": pd.to_datetime(["2026-01-05", None, "2026-01-19"]),
                         "qty": [3138572.41, np.nan, 2.0], "n": [1, 2, 3]})


def test_identical_frames_agree_with_zero_difference():
    r = compare_results(_frame(), _frame())
    assert r == Agreement(rows=3, columns=4, same_shape=True, mismatched_cells=0,
                          max_abs_difference=0.0, tolerance=1e-9, relative=1e-12,
                          first_mismatch=None)
    assert r.agrees


def test_last_bits_of_a_large_sum_agree_but_a_cent_does_not():
    # 3,138,572.41 carries about 4.7e-10 per last bit: 6e-10 is within 1e-9 + 1e-12 x 3.1e6
    near = _frame().assign(qty=[3138572.41 + 6e-10, np.nan, 2.0])
    assert compare_results(_frame(), near).agrees
    off = _frame().assign(qty=[3138572.42, np.nan, 2.0])
    r = compare_results(_frame(), off)
    assert (r.agrees, r.mismatched_cells, r.first_mismatch) == (False, 1, (0, "qty"))
    assert r.max_abs_difference == pytest.approx(0.01, abs=1e-6)


def test_missing_on_one_side_text_and_dates_are_mismatches():
    other = _frame().assign(qty=[3138572.41, 5.0, 2.0], item_id=["A", "B", "X"],
                            date=pd.to_datetime(["2026-01-05", None, "2026-01-20"]))
    r = compare_results(_frame(), other)
    # row 1 qty (missing on one side), row 2 item_id and date
    assert (r.mismatched_cells, r.first_mismatch) == (3, (1, "qty"))


def test_other_shape_is_reported_not_compared():
    r = compare_results(_frame(), _frame().iloc[:2])
    assert (r.same_shape, r.agrees, r.mismatched_cells) == (False, False, 0)
    r = compare_results(_frame(), _frame()[["qty", "item_id", "date", "n"]])
    assert not r.same_shape
    with pytest.raises(FrameTypeError):
        compare_results(_frame(), [1, 2])


def test_agreement_sentences_en_zh():
    ok = compare_results(_frame(), _frame())
    assert page.agreement_sentence("The alert list", "预警清单", ok) == (
        "The alert list computed on the cluster agrees with the one-machine result in every "
        "cell (3 rows, 4 columns; largest difference between two numbers: 0).")
    bad = compare_results(_frame(), _frame().assign(n=[1, 2, 4]))
    assert page.agreement_sentence("The alert list", "预警清单", bad, "zh") == (
        "预警清单在集群上的计算结果与单机结果不一致：1个单元格不同，第一个在第3行“n”列。")
    shape = compare_results(_frame(), _frame().iloc[:1])
    assert "does not have the shape" in page.agreement_sentence("X", "X", shape)


def test_cluster_sentence_local_and_remote():
    assert page.cluster_sentence(ClusterInfo(True, 1, 1, "tcp://127.0.0.1:1")) == (
        "Computed on a cluster of 1 worker process (1 thread) started on this machine.")
    assert page.cluster_sentence(ClusterInfo(False, 4, 16, "tcp://s:8786")) == (
        "Computed on the cluster of the scheduler at tcp://s:8786: 4 worker processes "
        "(16 threads).")


def test_kpi_months_table_last_months_as_percentages():
    months = pd.date_range("2025-09-01", periods=8, freq="MS")
    t = pd.DataFrame({"period_start": np.repeat(months, 2),
                      "kpi": ["otif_order_rate", "line_fill_rate"] * 8,
                      "value": np.tile([0.5, 0.95], 8)})
    en = page.kpi_months_table(t, "en", months=6)
    assert en.headers == ("Month", "OTIF (orders)", "Line fill rate")
    assert en.rows == 6 and ">Nov 2025<" in en.html and ">Oct 2025<" not in en.html
    assert ">50.0%<" in en.html and ">95.0%<" in en.html and "nan" not in en.html.lower()
    zh = page.kpi_months_table(t, "zh")
    assert ">2026年4月<" in zh.html and "最近6个月的服务指标" in zh.html


def test_alert_counts_table_every_level_in_words():
    alerts = pd.DataFrame({"alert_level": [3, 3, 1], "item_id": ["A", "A", "B"]})
    en = page.alert_counts_table(alerts)
    assert en.headers == ("Level", "Alerts", "Items")
    body = en.html.split("<tbody>")[1]
    assert body.index("3 - confirmed break") < body.index("2 - potential customer risk") \
        < body.index("1 - internal alert")
    assert "3 alerts in all" in en.html
    assert "确认断供" in page.alert_counts_table(alerts, "zh").html


def test_connect_refuses_an_address_without_protocol():
    with pytest.raises(ConfigError, match="tcp://host:8786"):
        connect("scheduler:8786")
    disconnect(None)  # nothing to close
