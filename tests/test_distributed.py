"""The Dask backend (workbench.distributed) gives the single-machine results, on a LocalCluster
with two worker processes (issue 14). Dask is an optional extra: without it these tests skip,
except in CI (WORKBENCH_REQUIRE_DASK=1, set by .ci/run), where they fail."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import workbench
from workbench.exceptions import InputTypeError
from workbench.inventory import service_cost_curve as single_curve
from workbench.kpis import kpi_table as single_kpi_table
from workbench.planning.alerts import run_early_warning
from workbench.planning.pab import pab_table as single_pab_table

try:
    import dask
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster
except ImportError:  # pragma: no cover - exercised only without the extra
    msg = 'dask is not installed: pip install ".[dask]"'
    if os.environ.get("WORKBENCH_REQUIRE_DASK") == "1":
        pytest.fail(msg + " (WORKBENCH_REQUIRE_DASK=1: CI must run the Dask tests)",
                    pytrace=False)
    pytest.skip(msg, allow_module_level=True)

from workbench.distributed import items as ditems
from workbench.distributed import kpis as dkpis
from workbench.distributed.executor import check_executor, map_chunks

TOL = {"check_exact": False, "rtol": 1e-9, "atol": 1e-9}


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def samples():
    return workbench.open_dataset("samples")


def _dask(frame: pd.DataFrame, n: int) -> dd.DataFrame:
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_pandas(frame, npartitions=n, sort=False)


def test_cluster_has_two_worker_processes(client):
    assert len(client.scheduler_info()["workers"]) == 2


def test_executor_checks():
    assert check_executor(None) is None
    with pytest.raises(InputTypeError, match="dask.distributed.Client"):
        check_executor("tcp://scheduler:8786")
    assert map_chunks(len, [[1, 2], [3]], None) == [2, 1]


def test_map_chunks_on_the_cluster(client):
    assert map_chunks(sum, [[1, 2], [3, 4, 5]], client) == [3, 12]


# ------------------------------------------------------------------------------ KPIs

@pytest.mark.parametrize(("by", "period"), [(["customer_id"], "M"), (None, None),
                                            (["item_id", "site"], "Q")])
def test_kpi_table_equals_single_machine_on_samples(client, samples, by, period):
    orders, complaints = samples.orders, samples.table("complaints")
    want = single_kpi_table(orders, by, period=period, complaints=complaints, engine="pandas")
    got = dkpis.kpi_table(orders, by, period=period, complaints=complaints, executor=client,
                          npartitions=3)
    pd.testing.assert_frame_equal(got, want, **TOL)
    assert got.attrs == want.attrs


def test_kpi_table_by_customer_attribute_and_as_of(client, samples):
    kw = {"by": "tier", "period": "M", "customers": samples.customers, "as_of": "2025-06-30",
          "on_time_tolerance_days": 1, "in_full_tolerance_pct": 0.02}
    want = single_kpi_table(samples.orders, engine="pandas", **kw)
    got = dkpis.kpi_table(_dask(samples.orders, 4), executor=client, **kw)
    pd.testing.assert_frame_equal(got, want, **TOL)


def _hand_frame() -> pd.DataFrame:
    """Two orders split over partitions, a cancelled line, a missing customer, a column
    (qty_damaged) present in one partition only."""
    d = pd.to_datetime
    return pd.DataFrame({
        "order_id": ["o1", "o2", "o1", "o3", "o2", "o4"],
        "customer_id": ["A", "B", "A", None, "B", "A"],
        "item_id": ["x", "y", "y", "x", "x", "y"],
        "order_date": d(["2025-01-02", "2025-01-03", "2025-01-02", "2025-01-05",
                         "2025-01-03", "2025-02-01"]),
        "requested_date": d(["2025-01-10"] * 6),
        "delivery_date": d(["2025-01-09", "2025-01-12", "2025-01-20", None, "2025-01-10",
                            "2025-02-08"]),
        "qty_ordered": [10.0, 5.0, 4.0, 3.0, 2.0, 1.0],
        "qty_delivered": [10.0, 5.0, 3.0, np.nan, 2.0, 1.0],
        "qty_damaged": [np.nan, np.nan, np.nan, np.nan, 1.0, np.nan],
        "status": ["delivered", "delivered", "delivered", "cancelled", "delivered",
                   "delivered"],
    })


def test_kpi_table_hand_made_frame(client):
    orders = _hand_frame()
    for by in ("customer_id", None):
        want = single_kpi_table(orders, by, engine="pandas")
        got = dkpis.kpi_table(_dask(orders, 3), by, executor=client)
        pd.testing.assert_frame_equal(got, want, **TOL)
        assert got.attrs == want.attrs
    t = dkpis.kpi_table(_dask(orders, 3), "customer_id", executor=client).set_index(
        ["customer_id", "kpi"])
    # hand-worked: customer A has orders o1 (lines 10/10 on time, 4/3 late and short) and o4
    # (1/1, delivered 2025-02-08 after the requested 2025-01-10): OTIF orders 0 of 2
    assert t.loc[("A", "otif_order_rate"), ["numerator", "denominator"]].tolist() == [0, 2]
    assert t.loc[("A", "lines"), "value"] == 3
    # cycle-time median of A: 7, 18 and 7 days -> 7; of B: 9 and 7 -> 8 (exact, not sketched)
    assert t.loc[("A", "cycle_time_median"), "value"] == 7
    assert t.loc[("B", "cycle_time_median"), "value"] == 8
    # damage is recorded in one partition only: B's 2 delivered lines, 1 damaged
    assert t.loc[("B", "damage_rate"), ["numerator", "denominator"]].tolist() == [1, 2]


def test_kpi_table_without_executor_is_the_single_machine_engine(samples):
    want = single_kpi_table(samples.orders, "customer_id", engine="pandas")
    pd.testing.assert_frame_equal(dkpis.kpi_table(samples.orders, "customer_id"), want)


# ------------------------------------------------------------------------------ per item

def test_pab_table_equals_single_machine(client, samples):
    frames = (samples.orders, samples.forecast, samples.supply_plan, samples.inventory,
              samples.items)
    as_of = samples.inventory["snapshot_date"].max()
    want = single_pab_table(*frames, as_of=as_of, horizon=13)
    got = ditems.pab_table(*frames, as_of=as_of, horizon=13, executor=client, n_chunks=3)
    pd.testing.assert_frame_equal(got, want, **TOL)


def test_early_warning_equals_single_machine(client, samples):
    want = run_early_warning(samples)
    got = ditems.early_warning(samples, executor=client, n_chunks=3)
    assert got.as_of == want.as_of
    assert len(want.alerts) > 0
    pd.testing.assert_frame_equal(got.alerts, want.alerts, **TOL)
    pd.testing.assert_frame_equal(got.lines, want.lines, **TOL)
    long = want.result.long
    pd.testing.assert_frame_equal(got.pab, long.assign(item_id=long["item_id"].astype(str)),
                                  **TOL)


def _curve_items() -> pd.DataFrame:
    return pd.DataFrame({"item_id": [f"I{i}" for i in range(7)],
                         "mean_demand": [10.0, 20, 5, 40, 8, 12, 30],
                         "sd_demand": [3.0, 6, 2, 10, 2, 4, 9], "lead_time": [2, 1, 3, 2, 1, 2, 4],
                         "unit_cost": [5.0, 2, 9, 1, 4, 6, 3]})


def test_analytic_curve_equals_single_machine(client):
    items = _curve_items()
    want = single_curve(items, [0.9, 0.95, 0.99])
    got = ditems.service_cost_curve(items, [0.9, 0.95, 0.99], executor=client, n_chunks=3)
    pd.testing.assert_frame_equal(got, want, **TOL)


def test_simulated_curve_matches_in_distribution(client):
    items = _curve_items()
    kw = {"method": "simulate", "n_reps": 200, "n_periods": 104}
    want = single_curve(items, [0.95], **kw)
    got = ditems.service_cost_curve(items, [0.95], executor=client, n_chunks=3, **kw)
    assert list(got.columns) == list(want.columns)
    assert got["item_id"].tolist() == want["item_id"].tolist()
    w, g = want.iloc[:-1], got.iloc[:-1]  # item rows
    # policies are analytic: identical; simulated means: within the two CIs' half widths
    pd.testing.assert_frame_equal(g[["order_up_to", "safety_stock"]],
                                  w[["order_up_to", "safety_stock"]], **TOL)
    assert not np.allclose(g["total_cost"], w["total_cost"], rtol=1e-12)  # other streams
    for c in ("total_cost", "achieved_fill_rate"):
        half = ((w[f"{c}_ci_high"] - w[f"{c}_ci_low"]) / 2
                + (g[f"{c}_ci_high"] - g[f"{c}_ci_low"]) / 2).to_numpy()
        assert (np.abs(g[c].to_numpy() - w[c].to_numpy()) <= 2 * half + 1e-12).all()
    # one chunk: the single-machine numbers exactly
    one = ditems.service_cost_curve(items, [0.95], executor=client, n_chunks=1, **kw)
    pd.testing.assert_frame_equal(one, want)


def test_connect_to_a_running_scheduler_by_address(client):
    """What a notebook does with a remote scheduler: connect by address, see its workers."""
    from workbench.distributed.executor import cluster_info, connect, disconnect

    local = cluster_info(client)
    assert (local.local, local.workers, local.threads) == (True, 2, 2)
    remote = connect(client.scheduler.address)
    try:
        info = cluster_info(remote)
        assert (info.local, info.workers, info.address) == (False, 2, client.scheduler.address)
    finally:
        disconnect(remote)
    # the scheduler and its workers keep running for the other client
    assert len(client.scheduler_info()["workers"]) == 2
