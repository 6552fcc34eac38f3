"""The cluster-run page, section by section, in English and Chinese.

``notebooks/cluster_run.ipynb`` computes the service KPIs and the early warning on a Dask
cluster (a local cluster on this machine or a remote scheduler) and on one machine, and
shows that both give the same numbers. These functions write its sentences and tables:
what the cluster is (:func:`cluster_sentence`), whether a result agrees cell by cell
(:func:`agreement_sentence`), the monthly service KPIs (:func:`kpi_months_table`) and the
alert counts by level (:func:`alert_counts_table`).
"""

from __future__ import annotations

import pandas as pd

from workbench.distributed.agreement import Agreement
from workbench.distributed.executor import ClusterInfo
from workbench.i18n import code_words, fmt_num, label
from workbench.reporting.pages.wording import month_text
from workbench.reporting.tables import ColumnSpec, ReportTable, report_table
from workbench.validation import check_language

__all__ = ["KPIS_SHOWN", "agreement_sentence", "alert_counts_table", "cluster_sentence",
           "kpi_months_table"]

KPIS_SHOWN = ("otif_order_rate", "on_time_promised_rate", "in_full_rate", "line_fill_rate")
"""Service KPIs shown per month, when the data has them."""


def _w(lang: str, en: str, zh: str) -> str:
    return en if lang == "en" else zh


def cluster_sentence(info: ClusterInfo, lang: str = "en") -> str:
    """Say where the analyses ran: a local cluster, or the scheduler at an address.

    Examples
    --------
    >>> cluster_sentence(ClusterInfo(local=True, workers=2, threads=2, address="tcp://x:1"))
    'Computed on a cluster of 2 worker processes (2 threads) started on this machine.'
    >>> cluster_sentence(ClusterInfo(False, 8, 32, "tcp://sched:8786"), "zh")
    '在调度器 tcp://sched:8786 管理的集群上计算：8个工作进程（32个线程）。'
    """
    check_language(lang)
    w, t = f"{info.workers:,}", f"{info.threads:,}"
    if info.local:
        return _w(lang, f"Computed on a cluster of {w} worker process"
                        f"{'es' if info.workers != 1 else ''} ({t} thread"
                        f"{'s' if info.threads != 1 else ''}) started on this machine.",
                  f"在本机启动的集群上计算：{w}个工作进程（{t}个线程）。")
    return _w(lang, f"Computed on the cluster of the scheduler at {info.address}: {w} worker "
                    f"process{'es' if info.workers != 1 else ''} ({t} thread"
                    f"{'s' if info.threads != 1 else ''}).",
              f"在调度器 {info.address} 管理的集群上计算：{w}个工作进程（{t}个线程）。")


def agreement_sentence(what_en: str, what_zh: str, agreement: Agreement,
                       lang: str = "en") -> str:
    """Say whether a cluster result agrees with the one-machine result, and where not.

    Examples
    --------
    >>> ok = Agreement(1032, 7, True, 0, 0.0, 1e-9, 1e-12, None)
    >>> agreement_sentence("The KPI table", "KPI 表", ok)
    'The KPI table computed on the cluster agrees with the one-machine result in every cell (1,032 rows, 7 columns; largest difference between two numbers: 0).'
    >>> bad = Agreement(10, 3, True, 2, 0.5, 1e-9, 1e-12, (4, "value"))
    >>> agreement_sentence("The KPI table", "KPI 表", bad, "zh")
    'KPI 表在集群上的计算结果与单机结果不一致：2个单元格不同，第一个在第5行“value”列。'
    """
    check_language(lang)
    if not agreement.same_shape:
        return _w(lang, f"{what_en} computed on the cluster does not have the shape of the "
                        "one-machine result (other columns or another number of rows).",
                  f"{what_zh}在集群上的计算结果与单机结果的形状不同（列或行数不同）。")
    if agreement.agrees:
        diff = agreement.max_abs_difference
        diff_text = "0" if diff == 0 else f"{diff:.1e}"
        return _w(lang, f"{what_en} computed on the cluster agrees with the one-machine result "
                        f"in every cell ({agreement.rows:,} rows, {agreement.columns:,} columns; "
                        f"largest difference between two numbers: {diff_text}).",
                  f"{what_zh}在集群上的计算结果与单机结果逐格一致（{agreement.rows:,}行、"
                  f"{agreement.columns:,}列；两数之间的最大差异：{diff_text}）。")
    row, col = agreement.first_mismatch or (0, "")
    return _w(lang, f"{what_en} computed on the cluster does not agree with the one-machine "
                    f"result: {agreement.mismatched_cells:,} cells differ, the first in row "
                    f"{row + 1:,}, column \u201c{col}\u201d.",
              f"{what_zh}在集群上的计算结果与单机结果不一致：{agreement.mismatched_cells:,}个"
              f"单元格不同，第一个在第{row + 1:,}行\u201c{col}\u201d列。")


def kpi_months_table(table: pd.DataFrame, lang: str = "en", months: int = 6) -> ReportTable:
    """Tabulate the service KPIs of the last ``months`` periods of a long KPI table, by month.

    ``table`` is the long output of a KPI table by period (``period_start, kpi, value``).

    Examples
    --------
    >>> t = pd.DataFrame({"period_start": pd.to_datetime(["2026-01-01"] * 2 + ["2026-02-01"] * 2),
    ...                   "kpi": ["otif_order_rate", "lines"] * 2, "value": [0.9, 10, 0.8, 12]})
    >>> r = kpi_months_table(t)
    >>> r.headers, ">Feb 2026<" in r.html, ">80.0%<" in r.html
    (('Month', 'OTIF (orders)'), True, True)
    """
    check_language(lang)
    shown = [k for k in KPIS_SHOWN if k in set(table["kpi"])]
    wide = (table[table["kpi"].isin(shown)]
            .pivot_table(index="period_start", columns="kpi", values="value", aggfunc="first")
            .sort_index().tail(months))
    wide = wide.reindex(columns=shown)
    frame = wide.reset_index()
    frame.insert(0, "month", [month_text(d, lang) for d in frame.pop("period_start")])
    cols: dict[str, ColumnSpec | None] = {"month": ColumnSpec(label=_w(lang, "Month", "月份"),
                                                               kind="text")}
    cols.update({k: ColumnSpec(label=label(k, lang), kind="percent") for k in shown})
    caption = _w(lang, f"Service KPIs of the last {len(frame):,} months, computed on the cluster.",
                 f"最近{len(frame):,}个月的服务指标，在集群上计算。")
    return report_table(frame, cols, lang=lang, caption=caption, sortable=False, filter=False)


def alert_counts_table(alerts: pd.DataFrame, lang: str = "en") -> ReportTable:
    """Alerts by escalation level (level 3 first), with the items concerned.

    Examples
    --------
    >>> a = pd.DataFrame({"alert_level": [1, 3, 3], "item_id": ["A", "B", "C"]})
    >>> r = alert_counts_table(a)
    >>> ">3 - confirmed break<" in r.html, ">2<" in r.html
    (True, True)
    """
    check_language(lang)
    counts = (alerts.groupby("alert_level")["item_id"].agg(["size", "nunique"])
              .reindex([3, 2, 1], fill_value=0).reset_index())
    frame = pd.DataFrame({
        "level": [code_words(int(v), lang, "alert_level") for v in counts["alert_level"]],
        "alerts": counts["size"].astype(int), "items": counts["nunique"].astype(int)})
    total = len(alerts)
    caption = _w(lang, f"{fmt_num(total)} alerts in all, computed on the cluster.",
                 f"共{fmt_num(total)}条预警，在集群上计算。")
    return report_table(frame, {
        "level": ColumnSpec(label=_w(lang, "Level", "级别"), kind="text"),
        "alerts": ColumnSpec(label=_w(lang, "Alerts", "预警数"), kind="integer"),
        "items": ColumnSpec(label=_w(lang, "Items", "物料数"), kind="integer")},
        lang=lang, caption=caption, sortable=False, filter=False)
