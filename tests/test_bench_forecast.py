"""The forecast benchmark's SCMS panel matches an independent count of the CSV (issue 16).

The expected values are computed here with the ``csv`` module and
``datetime.strptime``, not with the benchmark's pandas code.
"""

from __future__ import annotations

import csv
import importlib.util
from collections import defaultdict
from datetime import datetime

import pytest

from workbench.paths import project_root

pytestmark = pytest.mark.realdata


def _bench():
    path = project_root() / "benchmarks" / "bench_forecast.py"
    spec = importlib.util.spec_from_file_location("bench_forecast", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _month_index(d: datetime) -> int:
    return d.year * 12 + d.month - 1


def test_panel_matches_csv_count(real_kaggle):
    bench = _bench()
    panel, origins, info = bench.build_panel(real_kaggle)

    with open(real_kaggle, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    last = 2015 * 12 + 7                                   # August 2015
    qty: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    dropped = 0
    for r in rows:
        m = _month_index(datetime.strptime(r["Scheduled Delivery Date"], "%d-%b-%y"))
        if m > last:
            dropped += 1
            continue
        qty[r["Item Description"]][m] += float(r["Line Item Quantity"])
    first_month = min(m for per in qty.values() for m in per)
    first_origin = last - 4                                # 3 origins, step 1, horizon 3
    expected = sorted(
        item for item, per in qty.items()
        if first_origin - min(per) >= 36
        and sum(1 for m, q in per.items() if m < first_origin and q > 0) >= 12)

    assert len(rows) == 10324 and info["lines"] == 10324
    assert info["lines_after_last_month"] == dropped
    assert info["months"] == last - first_month + 1
    assert list(panel.index) == expected
    assert [str(o.date()) for o in origins] == ["2015-04-01", "2015-05-01", "2015-06-01"]
    assert panel.to_numpy().sum() == pytest.approx(sum(sum(qty[i].values()) for i in expected))
    some = expected[0]
    for m, q in qty[some].items():
        month = f"{m // 12}-{m % 12 + 1:02d}-01"
        assert panel.loc[some, month] == pytest.approx(q)
