"""Seeded, deterministic sample data for every data-model table.

:func:`generate_samples` builds a realistic, internally consistent data set --
customers, items, two years of order history plus the open order book, the
order change log, the supply plan, an inventory snapshot, a forecast and the
complaints -- together with the *truth* that was planted in it (churning,
seasonal and nervous customers, items that run short, the dirty rows), so that
the workbench's analyses can be checked against known answers.
:func:`write_samples` writes the tables as CSV (what the loader reads) or
Parquet (for large benchmark sets) plus ``sample_truth.json``.

Everything is vectorised with NumPy; only the ~100 items, ~200 customers and
the 13 planning weeks are looped over. The same ``seed`` gives byte-identical
files.

Planning conventions (also stored in ``truth["conventions"]``)
---------------------------------------------------------------
* Week *k* (1-based) of the planning horizon covers
  ``[as_of + 7 (k-1), as_of + 7 k)``; the horizon is 13 weeks.
* Demand is the open order lines (``status == "open"``), ``qty_ordered`` in the
  week of ``requested_date``; requested dates before ``as_of`` (backlog) count
  in week 1.
* Supply is ``inventory.on_hand`` at ``as_of`` (one row per item at the main
  site) plus every ``supply_plan`` receipt in the week of its ``due_date``.
  ``inventory.allocated`` is the part of ``on_hand`` already picked for open
  lines that are still in the order book: do not subtract it twice.
* An item is *short* when on hand + cumulative receipts - cumulative open
  demand < 0 in some week. Items not listed as at risk stay at or above their
  safety stock even against ``max(forecast, open orders)`` per week.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.exceptions import WorkbenchError
from workbench.io.schema import TABLES
from workbench.validation import check_choice, check_count, check_date, day_numbers

__all__ = ["TABLE_NAMES", "SampleData", "generate_samples", "write_samples"]

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
"""The tables of a :class:`SampleData`, in data-model order (also the file stems)."""

HORIZON_WEEKS = 13
FORECAST_WEEKS = 26
HISTORY_DAYS = 728  # 104 weeks of order history before as_of
SLIP_WEEKS = 2
MAIN_SITE = "SH01"
_CHUNK = 1 << 20  # order lines generated per chunk

_NAT = np.iinfo(np.int64).min  # int64 view of NaT
_STATUS = ("delivered", "shipped", "open", "cancelled")
_DELIVERED, _SHIPPED, _OPEN, _CANCELLED = range(4)

# ------------------------------------------------------------------ customers
_SEGMENTS = ("distributor", "OEM", "retail", "project")
_SEG_P = np.array([0.35, 0.25, 0.25, 0.15])
_SEG_WEIGHT = np.array([1.3, 1.6, 0.5, 1.0])
_SEG_LEAD = np.array([14.0, 30.0, 7.0, 45.0])  # days the customer orders ahead
_SEG_DISC = np.array([[0.08, 0.15], [0.05, 0.12], [0.0, 0.05], [0.03, 0.10]])
_REGIONS = ("East China", "South China", "North China", "Southeast Asia", "Europe",
            "North America")
_REGION_P = np.array([0.30, 0.20, 0.15, 0.10, 0.15, 0.10])
_REGION_ZH = np.array([0.9, 0.9, 0.9, 0.3, 0.0, 0.0])
_SITES = ("SH01", "SZ01", "RT01")
_REGION_SITE = np.array([0, 1, 0, 1, 2, 1])
_REGION_TRANSIT = np.array([1, 1, 2, 4, 2, 6])
# order intake by calendar month (Chinese New Year dip, Golden Week, year-end peak)
_MONTH_INTAKE = np.array([1.0, 0.6, 1.05, 1.0, 1.0, 0.95, 0.9, 0.9, 1.05, 0.85, 1.1, 1.15])

_ZH_CITY = ("华东", "上海", "苏州", "宁波", "杭州", "无锡", "南京", "深圳", "东莞", "佛山", "广州",
            "天津", "青岛", "北京", "重庆", "武汉", "成都", "厦门")
_ZH_CORE = ("精密", "机电", "自动化", "五金", "电气", "智能装备", "流体", "传动", "工业", "重工",
            "液压", "轴承", "电子", "模具", "新能源")
_ZH_SUFFIX = ("机械有限公司", "设备有限公司", "科技有限公司", "贸易有限公司", "制造有限公司",
              "实业有限公司")
_EN_A = ("Atlas", "Northwind", "Bluewater", "Keystone", "Summit", "Pioneer", "Harbor", "Redwood",
         "Ironbridge", "Crestline", "Lakeside", "Meridian", "Vanguard", "Evergreen", "Silverline",
         "Granite", "Westfield", "Oakridge", "Brightway", "Sterling", "Nordic", "Rhein", "Alpine",
         "Delta", "Orion")
_EN_B = ("Industrial", "Supply", "Components", "Automation", "Engineering", "Equipment",
         "Fluid Power", "Motion", "Distribution", "Technologies", "Hydraulics", "Controls")
_EN_SUFFIX = ("Ltd", "Inc.", "GmbH", "B.V.", "LLC", "S.A.", "Pte Ltd", "Co.")
_ZH_SPECIAL = ("华东精密机械有限公司",)
_EN_SPECIAL = ("Smith & Sons <Trading>", "O'Brien Pumps Ltd", "Müller Antriebstechnik GmbH",
               'Café "Le Moulin" S.A.')

# ---------------------------------------------------------------------- items
# name, source, median unit cost, description template, Chinese name, template values
_GROUPS = (
    ("Bearings", "PO", 6.0, "Deep groove ball bearing 62{a:02d}-2RS", "深沟球轴承",
     tuple(range(0, 20))),
    ("Fasteners", "PO", 0.35, "Hex bolt M{a} x {b} mm, 8.8 zinc", "外六角螺栓",
     (6, 8, 10, 12, 16)),
    ("Cables", "PO", 4.0, "Control cable {a} x 1.5 mm² PVC", "控制电缆", tuple(range(2, 13))),
    ("Sensors", "PO", 45.0, "Inductive proximity sensor M{a}, PNP", "电感式接近开关",
     (8, 12, 18, 30)),
    ("Valves", "MPS", 80.0, "Ball valve DN{a} PN40 stainless", "不锈钢球阀",
     (15, 20, 25, 32, 40, 50)),
    ("Motors", "MPS", 260.0, "Servo motor {a} kW, 3000 rpm", "伺服电机",
     (0.4, 0.75, 1.5, 2.2, 3.0, 5.5)),
    ("Pumps", "MPS", 620.0, "Centrifugal pump {a} m³/h", "离心泵", (10, 25, 50, 80, 120)),
    ("Controllers", "MPS", 380.0, "PLC controller, {a} I/O", "PLC控制器", (16, 32, 64, 128)),
)
_GROUP_P = np.array([0.18, 0.15, 0.12, 0.12, 0.12, 0.12, 0.08, 0.11])
_PATTERNS = ("smooth", "seasonal", "intermittent")
_PATTERN_SIGMA = np.array([0.45, 0.5, 0.9])  # line-quantity spread
_INTERMITTENT_LINES_PER_WEEK = 0.4

# -------------------------------------------------------------------- changes
_CHANGE_TYPES = ("qty_up", "qty_down", "date_in", "date_out", "spec", "cancel")
_QTY_UP, _QTY_DOWN, _DATE_IN, _DATE_OUT, _SPEC, _CANCEL = range(6)
_CHANGE_P = np.array([0.20, 0.25, 0.15, 0.30, 0.10])
_REASONS = {
    _QTY_UP: (("Customer demand increased", "Extra project requirement", "Stock build-up"),
              ("客户需求增加", "项目追加", "备库存")),
    _QTY_DOWN: (("Forecast reduced", "Over-ordered", "End customer cut volume"),
                ("预测下调", "下单过多", "终端客户减量")),
    _DATE_IN: (("Line stop risk, need earlier", "Project pulled in"),
               ("产线缺料，要求提前", "项目提前")),
    _DATE_OUT: (("Warehouse full", "Project delayed", "Customer holiday shutdown"),
                ("仓库已满", "项目延期", "客户放假停产")),
    _SPEC: (("Packaging change", "Different colour/finish", "Label change requested"),
            ("包装变更", "颜色/表面处理变更", "标签变更")),
    _CANCEL: (("Order cancelled by customer", "Duplicate order", "Project cancelled"),
              ("客户取消订单", "重复下单", "项目取消")),
}

# ----------------------------------------------------------------- complaints
_COMPLAINT_CATS = ("late", "short", "damaged", "invoice", "wrong_item", "service", "other")
_TEMPLATES = {
    "late": (("Order {order} arrived {days} days after the promised date.",
              "Line stopped waiting for {item} on {order}; delivery {days} days late."),
             ("订单{order}比承诺日期晚到{days}天。", "客户催货：{order}延迟{days}天，产线等料。")),
    "short": (("Received {got} of {qty} units of {item} on {order}.",
               "Short delivery on {order}: {item} missing {miss} units."),
              ("订单{order}少发：{item}实收{got}/{qty}。", "{order}到货数量不足，缺{miss}件。")),
    "damaged": (('Carton crushed, {dmg} units of {item} damaged; label said "fragile" & '
                 '<handle with care>.',
                 "{dmg} units of {item} on {order} arrived damaged."),
                ("{item}到货破损{dmg}件，外箱压坏。", "订单{order}有{dmg}件货物损坏。")),
    "invoice": (("Invoice for {order} shows the wrong price; credit note requested.",
                 "Invoice quantity on {order} does not match delivery."),
                ("订单{order}发票单价错误，要求红冲重开。", "{order}发票数量与实收不符。")),
    "wrong_item": (("Received {sub} instead of {item} on {order}.",
                    "Wrong part shipped on {order} ({sub} for {item})."),
                   ("订单{order}发错货：收到{sub}，应为{item}。", "{order}错发物料{sub}。")),
    "service": (("No reply from customer service about {order} for two days.",
                 "Delivery date for {order} changed without notice."),
                ("客服未及时回复{order}的交期查询。", "{order}交期变更未通知客户。")),
    "other": (("Requests certificates of conformity for {order}.",
               "Packaging for {order} not as agreed."),
              ("要求提供{order}的合格证。", "{order}包装与约定不符。")),
}
_TEMPLATES_NO_ORDER = {
    "service": (("Could not reach the sales desk for two days.",),
                ("销售热线两天无人接听。",)),
    "other": (("Asks for an updated price list.",), ("要求提供最新价格表。",)),
}


@dataclass(frozen=True)
class SampleData:
    """A generated data set: one DataFrame per data-model table, plus the truth.

    Attributes
    ----------
    order_lines, order_changes, customers, items, supply_plan, inventory, forecast, complaints
        The tables, with exactly the columns of :data:`workbench.schema.TABLES`.
        Clean tables are typed (``string``, ``Int64``, ``float64``,
        ``datetime64``, ``boolean``). With ``dirty=True`` the ``order_date`` and
        ``qty_shipped`` columns of ``order_lines`` are strings, because some
        rows carry text there, as an ERP extract would.
    truth : dict
        What was planted, JSON-serialisable: ``as_of``, ``seed``, ``n_lines``,
        ``churned_customers``, ``seasonal_customers``, ``nervous_customers``,
        ``short_items``, ``confirmed_break_items``, ``slip_risk_items``,
        ``below_safety_items``, ``shortage_detail``, ``dirty_rows`` and more.
    """

    order_lines: pd.DataFrame
    order_changes: pd.DataFrame
    customers: pd.DataFrame
    items: pd.DataFrame
    supply_plan: pd.DataFrame
    inventory: pd.DataFrame
    forecast: pd.DataFrame
    complaints: pd.DataFrame
    truth: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return ``{table name: DataFrame}`` in data-model order."""
        return {name: getattr(self, name) for name in TABLE_NAMES}


# ======================================================================= helpers
def _day(date: object) -> int:
    """Day number (days since 1970-01-01) of a date."""
    return int(day_numbers([date], missing="sentinel", table="samples", column="as_of")[0])


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _dow(days):
    """Day of week, Monday = 0 (1970-01-01 was a Thursday)."""
    return (days + 3) % 7


def _weekday(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to the following Monday."""
    d = _dow(days)
    return days + np.where(d == 5, 2, np.where(d == 6, 1, 0))


def _month_ordinal(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 (calendar month is ``ordinal % 12``, 0 = January)."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype(
        "datetime64[M]").astype(np.int64)


def _nice_ceil(x: float) -> float:
    """Smallest 1/2/5 x 10^k number >= x (lot sizes people actually use)."""
    x = max(float(x), 1.0)
    k = 10.0 ** math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * k >= x - 1e-9:
            return float(m * k)
    return float(10 * k)  # pragma: no cover


def _ids(prefix: str, n: int, width: int) -> pa.Array:
    nums = pa.array(np.arange(1, n + 1, dtype=np.int64)).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(nums, max(width, len(str(n))), "0"),
                                       "")


def _str_col(codes: np.ndarray, labels) -> pd.arrays.ArrowStringArray:
    """Strings from integer codes into ``labels`` (code < 0 is missing)."""
    codes = np.asarray(codes)
    idx = pa.array(codes.astype(np.int32), mask=codes < 0)
    if not isinstance(labels, pa.Array):
        labels = pa.array(list(labels), pa.string())
    return pd.arrays.ArrowStringArray(
        pa.DictionaryArray.from_arrays(idx, labels).dictionary_decode())


def _date_col(days: np.ndarray) -> np.ndarray:
    """int64 day numbers (``_NAT`` = missing) -> ``datetime64[us]``."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[us]")


def _bool_col(flags: np.ndarray) -> pd.arrays.BooleanArray:
    """int8 flags (1 true, 0 false, -1 missing) -> nullable boolean."""
    flags = np.asarray(flags)
    return pd.arrays.BooleanArray(flags == 1, flags < 0)


def _project(on_hand: float, receipts: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Projected available balance at the end of each week."""
    return on_hand + np.cumsum(receipts) - np.cumsum(demand)


# ===================================================================== customers
@dataclass
class _Customers:
    ids: list[str]
    names: list[str]
    w: np.ndarray          # value weight (mean 1)
    freq: np.ndarray       # order-frequency weight
    qscale: np.ndarray     # quantity-per-line scale
    seg: np.ndarray
    region: np.ndarray
    zh: np.ndarray
    since: np.ndarray      # day number
    lead: np.ndarray       # mean order lead time, days
    disc: np.ndarray
    late: np.ndarray       # lateness multiplier
    nerv: np.ndarray       # change-rate multiplier
    complain: np.ndarray   # complaint propensity
    churn_day: np.ndarray
    churn_factor: np.ndarray
    month_mask: np.ndarray  # (n, 12) bool: months the customer orders in
    churned: np.ndarray
    seasonal: np.ndarray
    nervous: np.ndarray
    late_prone: np.ndarray
    key_accounts: np.ndarray


def _make_customers(rng: np.random.Generator, n: int, as_of: int) -> _Customers:
    seg = rng.choice(4, n, p=_SEG_P)
    w = rng.lognormal(0.0, 1.35, n) * _SEG_WEIGHT[seg]
    w /= w.mean()
    rank = np.argsort(-w, kind="stable")  # rank[0] = most valuable customer
    region = rng.choice(6, n, p=_REGION_P)
    zh = rng.random(n) < _REGION_ZH[region]
    if zh.all():  # keep both languages (and the special names) in tiny sets
        zh[rank[-1]] = False
        region[rank[-1]] = 4
    if not zh.any():
        zh[rank[-2]] = True
        region[rank[-2]] = 0

    # special customers, chosen by value rank (old customers only)
    new = rng.random(n) < 0.08
    new[rank[: max(5, n // 20)]] = False
    old_ranked = np.array([c for c in rank if not new[c]])
    n_churn = max(2, round(0.04 * n))
    pool = old_ranked[4: max(4 + 2 * n_churn, int(0.25 * n))]
    churned = np.sort(rng.choice(pool, n_churn, replace=False))
    rest = np.array([c for c in old_ranked[5: max(12, int(0.5 * n))] if c not in churned])
    seasonal = rest[np.sort(rng.choice(len(rest), 2, replace=False))]
    rest = np.array([c for c in old_ranked[2: max(10, int(0.4 * n))]
                     if c not in churned and c not in seasonal])
    n_nerv = max(2, round(0.02 * n))
    nervous = np.sort(rng.choice(rest, n_nerv, replace=False))
    late_prone = np.sort(rng.choice(n, max(2, round(0.1 * n)), replace=False))
    key_accounts = np.array([c for c in rank[:12] if c not in churned and c not in seasonal])

    since = as_of - rng.integers(800, 4400, n)
    since[new] = as_of - rng.integers(150, 650, new.sum())

    churn_day = np.full(n, np.iinfo(np.int64).max // 4, dtype=np.int64)
    churn_day[churned] = as_of - rng.integers(95, 126, n_churn)
    churn_factor = np.ones(n)
    churn_factor[churned] = np.where(np.arange(n_churn) % 2 == 0, 0.0,
                                     rng.uniform(0.03, 0.1, n_churn))
    month_mask = np.ones((n, 12), dtype=bool)
    # one customer ordering only Aug-Dec (silent for months before as_of, not churning),
    # one ordering only Mar-Jul.
    month_mask[seasonal[0]] = np.isin(np.arange(12), [7, 8, 9, 10, 11])
    month_mask[seasonal[1]] = np.isin(np.arange(12), [2, 3, 4, 5, 6])

    late = rng.lognormal(0.0, 0.35, n)
    late[late_prone] *= 3.0
    nerv = rng.lognormal(0.0, 0.3, n)
    nerv[nervous] *= 6.0
    complain = rng.lognormal(0.0, 0.4, n)
    complain[nervous] *= 1.5
    lead = _SEG_LEAD[seg] * rng.lognormal(0.0, 0.3, n)
    lo, hi = _SEG_DISC[seg, 0], _SEG_DISC[seg, 1]
    vr = np.empty(n)
    vr[rank] = np.linspace(1.0, 0.0, n)  # 1 for the most valuable
    disc = np.round(lo + (hi - lo) * (0.5 * rng.random(n) + 0.5 * vr), 3)

    freq = w ** 0.7
    qscale = w ** 0.3
    qscale /= qscale.mean()
    width = max(4, len(str(n)))
    ids = [f"C{i + 1:0{width}d}" for i in range(n)]
    names = _customer_names(rng, zh)
    return _Customers(ids, names, w, freq, qscale, seg, region, zh, since, lead, disc, late,
                      nerv, complain, churn_day, churn_factor, month_mask, churned, seasonal,
                      nervous, late_prone, key_accounts)


def _customer_names(rng: np.random.Generator, zh: np.ndarray) -> list[str]:
    zh_pool = [a + b + c for a in _ZH_CITY for b in _ZH_CORE for c in _ZH_SUFFIX]
    en_pool = [f"{a} {b} {c}" for a in _EN_A for b in _EN_B for c in _EN_SUFFIX]
    zh_seq = list(_ZH_SPECIAL) + [zh_pool[j] for j in rng.permutation(len(zh_pool))
                                  if zh_pool[j] not in _ZH_SPECIAL]
    en_seq = list(_EN_SPECIAL) + [en_pool[j] for j in rng.permutation(len(en_pool))]
    # specials go to the 3rd+ customer of each language, so they are not always C0001
    zh_idx = np.flatnonzero(zh)
    en_idx = np.flatnonzero(~zh)
    names = [""] * len(zh)
    for seq, idx in ((zh_seq, zh_idx), (en_seq, en_idx)):
        order = np.roll(np.arange(len(idx)), 2) if len(idx) > 2 else np.arange(len(idx))
        for pos, k in zip(order, range(len(idx)), strict=True):
            names[idx[pos]] = seq[k]
    return names


def _intensity(days: np.ndarray, cust: _Customers, as_of: int) -> np.ndarray:
    """Return the expected order intake (relative) per customer (rows) and day (columns)."""
    month = _month_ordinal(days) % 12
    dow = _dow(days)
    daily = np.where(dow < 5, 1.0, np.where(dow == 5, 0.08, 0.02))
    daily = daily * _MONTH_INTAKE[month] * (1.0 + 0.08 * (days - as_of) / 365.0)
    lam = cust.freq[:, None] * daily[None, :]
    lam *= days[None, :] >= cust.since[:, None]
    lam *= cust.month_mask[:, month]
    lam *= np.where(days[None, :] >= cust.churn_day[:, None], cust.churn_factor[:, None], 1.0)
    return lam


# ========================================================================= items
@dataclass
class _Items:
    ids: list[str]
    desc: list[str]
    group: np.ndarray
    pattern: np.ndarray
    cost: np.ndarray
    price: np.ndarray
    lt: np.ndarray
    base_qty: np.ndarray
    pack: np.ndarray
    pop: np.ndarray
    accept: np.ndarray     # (n, 12) acceptance probability by month (seasonality)
    late: np.ndarray
    late_prone: np.ndarray
    ss: np.ndarray = field(default_factory=lambda: np.zeros(0))   # set by _plan_params
    lot: np.ndarray = field(default_factory=lambda: np.zeros(0))
    mu: np.ndarray = field(default_factory=lambda: np.zeros(0))   # mean weekly demand
    sd: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _make_items(rng: np.random.Generator, n: int) -> _Items:
    group = rng.choice(len(_GROUPS), n, p=_GROUP_P)
    n_seas, n_int = round(0.2 * n), round(0.2 * n)
    pattern = np.zeros(n, dtype=np.int64)
    perm = rng.permutation(n)
    pattern[perm[:n_seas]] = 1
    pattern[perm[n_seas:n_seas + n_int]] = 2
    med = np.array([g[2] for g in _GROUPS])[group]
    cost = np.round(np.maximum(med * rng.lognormal(0.0, 0.5, n), 0.05), 2)
    price = np.round(cost * rng.uniform(1.25, 1.9, n), 2)
    mps = np.array([g[1] == "MPS" for g in _GROUPS])[group]
    lt = np.where(mps, rng.integers(14, 71, n), rng.integers(7, 50, n)).astype(float)
    base = np.clip(np.round(120.0 / cost ** 0.6), 1, 2000)
    base = np.where(pattern == 2, base * 3, base)
    pack = np.select([base < 10, base < 40, base < 150], [1.0, 5.0, 10.0], 50.0)
    pop = np.where(pattern == 1, 1.2 * rng.lognormal(0, 0.5, n), rng.lognormal(0, 0.5, n))
    pop[pattern == 2] = 0.0  # intermittent items get explicit buyers later
    peak = rng.integers(0, 12, n)
    amp = rng.uniform(0.5, 0.85, n)
    s = 1 + amp[:, None] * np.cos(2 * np.pi * (np.arange(12)[None, :] - peak[:, None]) / 12)
    accept = np.where((pattern == 1)[:, None], s / (1 + amp[:, None]), 1.0)
    late = rng.lognormal(0.0, 0.25, n)
    cand = np.flatnonzero(lt >= 35)
    if len(cand) < 2:
        cand = np.arange(n)
    late_prone = np.sort(rng.choice(cand, min(len(cand), max(2, round(0.08 * n))),
                                    replace=False))
    late[late_prone] *= 2.5
    width = max(4, len(str(n)))
    ids = [f"ITM-{i + 1:0{width}d}" for i in range(n)]
    desc = []
    zh_desc = rng.random(n) < 0.3
    for i in range(n):
        name, _, _, tmpl, zh_name, vals = _GROUPS[group[i]]
        a = vals[rng.integers(len(vals))]
        b = int(rng.integers(2, 13)) * 10
        d = tmpl.format(a=a, b=b)
        desc.append(f"{d} / {zh_name}" if zh_desc[i] else d)
    return _Items(ids, desc, group, pattern, cost, price, lt, base, pack, pop, accept, late,
                  late_prone)


def _preferences(rng: np.random.Generator, cust: _Customers, items: _Items,
                 lines_per_week: np.ndarray) -> np.ndarray:
    """Row-stochastic matrix P[c, i]: share of customer c's lines that are item i."""
    n_c, n_i = len(cust.ids), len(items.ids)
    regular = np.flatnonzero(items.pattern != 2)
    inter = np.flatnonzero(items.pattern == 2)
    p_pop = items.pop[regular] / items.pop[regular].sum()
    P = np.zeros((n_c, n_i))
    m = np.clip(np.round(rng.lognormal(np.log(10), 0.5, n_c) * cust.w ** 0.25), 3,
                len(regular)).astype(int)
    for c in range(n_c):
        chosen = regular[rng.choice(len(regular), m[c], replace=False, p=p_pop)]
        P[c, chosen] = items.pop[chosen] * rng.lognormal(0.0, 0.7, m[c])
    orphans = regular[P[:, regular].sum(axis=0) == 0]
    for i in orphans:
        c = int(rng.choice(n_c, p=cust.w / cust.w.sum()))
        P[c, i] = items.pop[i]
    P /= P.sum(axis=1, keepdims=True)
    # intermittent items: a few buyers, ~0.4 lines per week in total
    extra = np.zeros((n_c, n_i))
    pw = cust.w / cust.w.sum()
    for i in inter:
        buyers = rng.choice(n_c, int(rng.integers(2, 7)), replace=False, p=pw)
        share = _INTERMITTENT_LINES_PER_WEEK / max(lines_per_week[buyers].sum(), 1e-9)
        extra[buyers, i] = min(0.3, share)
    tot = extra.sum(axis=1)
    scale = np.where(tot > 0.6, 0.6 / np.maximum(tot, 1e-12), 1.0)
    extra *= scale[:, None]
    P = P * (1.0 - extra.sum(axis=1, keepdims=True)) + extra
    return P


# ========================================================================= lines
def _draw_items(rng: np.random.Generator, cdf_flat: np.ndarray, cust: np.ndarray,
                n_i: int) -> np.ndarray:
    u = rng.random(len(cust)) * (1.0 - 1e-9)
    idx = np.searchsorted(cdf_flat, cust + u, side="right") - cust * n_i
    return np.clip(idx, 0, n_i - 1)


def _make_lines(rng: np.random.Generator, n_lines: int, cust: _Customers, items: _Items,
                as_of: int) -> tuple[dict[str, np.ndarray], np.ndarray, float]:
    n_c = len(cust.ids)
    start = as_of - HISTORY_DAYS
    # --- orders: number of lines, then customer and day from the intensity
    k_p = np.array([0.38, 0.25, 0.17, 0.11, 0.09])
    k = rng.choice(np.arange(1, 6), int(n_lines / 2.28 * 1.1) + 20, p=k_p)
    csum = np.cumsum(k)
    n_orders = int(np.searchsorted(csum, n_lines)) + 1
    k = k[:n_orders].copy()
    k[-1] -= csum[n_orders - 1] - n_lines
    days = np.arange(start, as_of)
    lam = _intensity(days, cust, as_of)
    lam_total = lam.sum()
    cdf = np.cumsum(lam.T.ravel())  # day-major
    cell = np.searchsorted(cdf, np.sort(rng.random(n_orders)) * cdf[-1], side="right")
    cell = np.minimum(cell, cdf.size - 1)
    o_day = start + cell // n_c
    o_cust = cell % n_c
    shuffle = np.argsort(o_day + rng.random(n_orders), kind="stable")
    o_day, o_cust = o_day[shuffle], o_cust[shuffle]
    # order-level attributes
    o_lt = np.clip(np.round(cust.lead[o_cust] * rng.lognormal(0, 0.35, n_orders)), 2, 150)
    o_req = _weekday(o_day + o_lt.astype(np.int64))
    o_site = _REGION_SITE[cust.region[o_cust]]
    alt = rng.random(n_orders) < 0.08
    o_site = np.where(alt, (o_site + rng.integers(1, 3, n_orders)) % 3, o_site)
    o_late = rng.random(n_orders)  # shared lateness draw: lines of a shipment travel together

    # --- lines, in chunks (keeps the temporaries in cache: ~2x faster for 10M lines)
    order = np.repeat(np.arange(n_orders), k)
    first = np.cumsum(k) - k
    line_no = np.arange(n_lines) - np.repeat(first, k) + 1
    lines_per_week = lam.sum(axis=1) / lam_total * n_lines / (HISTORY_DAYS / 7)
    P = _preferences(rng, cust, items, lines_per_week)
    cdfP = np.cumsum(P, axis=1)
    cdfP[:, -1] = 1.0
    m_asof = int(_month_ordinal(np.array([as_of]))[0])
    ctx = dict(o_cust=o_cust, o_day=o_day, o_req=o_req, o_site=o_site, o_late=o_late,
               cdf_flat=(cdfP + np.arange(n_c)[:, None]).ravel(),
               bad_months={m_asof - 16: 3.0, m_asof - 8: 2.2, m_asof - 4: 2.5, m_asof - 1: 2.0},
               price_up=_day(f"{_iso(as_of)[:4]}-01-01"))
    parts = [_line_chunk(rng, order[s: s + _CHUNK], cust, items, as_of, ctx)
             for s in range(0, n_lines, _CHUNK)]
    lines = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    lines["line_no"] = line_no
    return lines, P, n_lines / lam_total


def _line_chunk(rng: np.random.Generator, order: np.ndarray, cust: _Customers, items: _Items,
                as_of: int, ctx: dict) -> dict[str, np.ndarray]:
    """Every per-line field for the lines of ``order`` (order index per line)."""
    n_lines, n_i = len(order), len(items.ids)
    c = ctx["o_cust"][order]
    day = ctx["o_day"][order]
    month = _month_ordinal(day) % 12
    cdf_flat = ctx["cdf_flat"]
    item = _draw_items(rng, cdf_flat, c, n_i)
    pending = np.arange(n_lines)
    for _ in range(6):  # seasonal items: thin by month, redraw the rejected lines
        u = rng.random(len(pending))
        pending = pending[u > items.accept[item[pending], month[pending]]]
        if pending.size == 0:
            break
        item[pending] = _draw_items(rng, cdf_flat, c[pending], n_i)

    sigma = _PATTERN_SIGMA[items.pattern[item]]
    raw = items.base_qty[item] * cust.qscale[c] * np.exp(rng.normal(-sigma ** 2 / 2, sigma))
    pack = items.pack[item]
    qty = np.maximum(pack, np.round(raw / pack) * pack)

    promo = rng.random(n_lines) < 0.02
    price = (items.price[item] * (1 - cust.disc[c]) * (1 + rng.normal(0, 0.01, n_lines))
             * np.where(day >= ctx["price_up"], 1.03, 1.0)
             * np.where(promo, 0.9, 1.0))
    price = np.round(price, 2)

    split = rng.random(n_lines) < 0.12  # later delivery schedules within an order
    req = ctx["o_req"][order] + np.where(split, 7 * rng.integers(1, 3, n_lines), 0)
    lt_days = req - day
    transit = _REGION_TRANSIT[cust.region[c]]
    mto = items.lt[item] > lt_days
    not_stock = rng.random(n_lines) < 0.02 + 0.12 * mto
    push = np.where(not_stock & mto & (rng.random(n_lines) < 0.55),
                    np.minimum(21, np.maximum(1, np.round((items.lt[item] - lt_days)
                                                          * rng.uniform(0.1, 0.5, n_lines)))),
                    np.where(rng.random(n_lines) < 0.05, rng.integers(1, 11, n_lines), 0))
    prom = np.maximum(req + push.astype(np.int64), day + transit + np.where(not_stock, 3, 0))
    prom = _weekday(prom)

    # --- lateness: customer x item x month x make-to-order
    mo = _month_ordinal(prom)
    month_f = np.ones(n_lines)
    for mm, f in ctx["bad_months"].items():
        month_f[mo == mm] = f
    p_late = np.minimum(0.75, 0.035 * cust.late[c] * items.late[item] * month_f
                        * np.where(not_stock, 4.0, 1.0))
    u_late = np.where(rng.random(n_lines) < 0.7, ctx["o_late"][order], rng.random(n_lines))
    late = u_late < p_late
    late_days = 1 + np.floor(rng.lognormal(0.9, 0.8, n_lines)).astype(np.int64)
    early = (~late) & (rng.random(n_lines) < 0.06)
    shift = np.where(late, late_days, np.where(early, -rng.integers(1, 3, n_lines), 0))
    ship = np.maximum(prom - transit + shift, day + np.where(not_stock, 1, 0))
    route = rng.random(n_lines) < 0.02
    extra = np.where(route, rng.integers(1, 5, n_lines),
                     np.where(rng.random(n_lines) < 0.04, rng.integers(1, 4, n_lines), 0))
    deliv = ship + transit + extra

    # --- status
    cancel = rng.random(n_lines) < 0.008 * np.minimum(cust.nerv[c], 4.0)
    status = np.where(ship >= as_of, _OPEN, np.where(deliv >= as_of, _SHIPPED, _DELIVERED))
    status[cancel] = _CANCELLED
    done = (status == _DELIVERED) | (status == _SHIPPED)
    delivered = status == _DELIVERED

    qty_ship = np.full(n_lines, np.nan)
    short = done & (rng.random(n_lines) < 0.03 + 0.04 * not_stock) & (qty > 1)
    qty_ship[done] = qty[done]
    qty_ship[short] = np.maximum(1, np.floor(qty[short] * rng.uniform(0.4, 0.95, short.sum())))
    dmg = np.full(n_lines, np.nan)
    dmg[delivered] = 0.0
    is_dmg = delivered & (rng.random(n_lines) < 0.01)
    dmg[is_dmg] = np.clip(np.ceil(qty_ship[is_dmg] * rng.uniform(0.02, 0.3, is_dmg.sum())), 1,
                          qty_ship[is_dmg])
    qty_deliv = np.where(delivered, qty_ship - np.nan_to_num(dmg), np.nan)
    ret = np.full(n_lines, np.nan)
    ret[delivered] = 0.0
    is_ret = delivered & (rng.random(n_lines) < 0.01) & (qty_deliv >= 1)
    ret[is_ret] = np.clip(np.ceil(qty_deliv[is_ret] * rng.uniform(0.05, 1.0, is_ret.sum())), 1,
                          qty_deliv[is_ret])
    inv_err = np.where(done, (rng.random(n_lines) < 0.015).astype(np.int8), -1).astype(np.int8)
    route_f = np.where(done, route.astype(np.int8), -1).astype(np.int8)
    ffs = np.where(done, (~not_stock).astype(np.int8), -1).astype(np.int8)
    # substitutes: another item of the same product group
    sub = np.full(n_lines, -1, dtype=np.int64)
    by_group = np.argsort(items.group, kind="stable")
    g_sorted = items.group[by_group]
    g_start = np.searchsorted(g_sorted, items.group)
    g_size = np.bincount(items.group, minlength=len(_GROUPS))[items.group]
    pos = np.empty(n_i, dtype=np.int64)
    pos[by_group] = np.arange(n_i) - np.searchsorted(g_sorted, g_sorted)
    is_sub = done & (rng.random(n_lines) < 0.005) & (g_size[item] > 1)
    it = item[is_sub]
    off = (pos[it] + rng.integers(1, np.maximum(g_size[it], 2))) % g_size[it]
    sub[is_sub] = by_group[g_start[it] + off]

    ship = np.where(done, ship, _NAT)
    deliv = np.where(delivered, deliv, _NAT)
    return dict(order=order, cust=c, item=item, day=day, req=req, prom=prom, ship=ship,
                deliv=deliv, qty=qty, qty_ship=qty_ship, qty_deliv=qty_deliv, price=price,
                site=ctx["o_site"][order], status=status, inv_err=inv_err, dmg=dmg, sub=sub,
                route=route_f, ret=ret, ffs=ffs)


def _append_lines(lines: dict[str, np.ndarray], extra: dict[str, np.ndarray]) -> None:
    for key in lines:
        lines[key] = np.concatenate([lines[key], extra[key].astype(lines[key].dtype)])


# ====================================================================== planning
def _plan_params(rng: np.random.Generator, lines, items: _Items, as_of: int) -> None:
    """Safety stock and lot size from the last 52 weeks of demand."""
    n_i = len(items.ids)
    m = (lines["status"] != _CANCELLED) & (lines["day"] >= as_of - 364)
    wk = (lines["day"][m] - (as_of - 364)) // 7
    W = np.bincount(lines["item"][m] * 52 + wk, weights=lines["qty"][m],
                    minlength=n_i * 52).reshape(n_i, 52)
    mu, sd = W.mean(axis=1), W.std(axis=1)
    items.ss = np.ceil(1.65 * sd * np.sqrt(items.lt / 7.0))
    cover = rng.uniform(1.5, 4.0, n_i)
    lot = np.array([_nice_ceil(max(items.pack[i], mu[i] * cover[i])) for i in range(n_i)])
    items.lot = np.maximum(items.pack, np.ceil(lot / items.pack) * items.pack)
    items.mu, items.sd = mu, sd


def _forecast(rng: np.random.Generator, cust: _Customers, items: _Items, P: np.ndarray,
              scale: float, as_of: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the expected demand per item and week by requested date, with bias and noise."""
    n_c = len(cust.ids)
    first = as_of + (-_dow(np.array([as_of]))[0]) % 7  # first Monday on/after as_of
    max_lead = int(np.ceil(cust.lead.max())) + 1
    days = np.arange(first - max_lead, first + 7 * FORECAST_WEEKS)
    lam = _intensity(days, cust, as_of)
    shift = np.round(cust.lead).astype(np.int64)
    week_days = first + np.arange(7 * FORECAST_WEEKS)
    # intensity by requested date: order intake lead-time days earlier
    idx = (week_days[None, :] - shift[:, None]) - days[0]
    lam_req = lam[np.arange(n_c)[:, None], idx]
    Q = np.maximum(items.base_qty[None, :] * cust.qscale[:, None], items.pack[None, :])
    E = np.zeros((len(items.ids), FORECAST_WEEKS))
    for w in range(FORECAST_WEEKS):
        wd = week_days[7 * w: 7 * w + 7]
        month = int(_month_ordinal(wd[3:4])[0] % 12)
        A = P * items.accept[:, month][None, :]
        A /= A.sum(axis=1, keepdims=True)
        E[:, w] = (lam_req[:, 7 * w: 7 * w + 7].sum(axis=1) @ (A * Q)) * scale
    bias = rng.normal(1.0, 0.08, len(items.ids))
    f = np.round(np.maximum(0.0, E * bias[:, None]
                            * (1 + rng.normal(0, 0.06, E.shape))))
    return f, first + 7 * np.arange(FORECAST_WEEKS)


def _mrp(pab: float, D: np.ndarray, target: float, lot: float, w0: int, R: np.ndarray) -> None:
    """Lot-sized receipts from week ``w0`` on keeping the balance >= ``target``."""
    for w in range(w0, len(D)):
        pab -= D[w]
        if pab < target:
            q = lot * math.ceil((target - pab) / lot)
            R[w] += q
            pab += q


@dataclass
class _Plan:
    on_hand: np.ndarray
    receipts: np.ndarray      # (n_items, 13)
    slip_week: dict[int, int]
    spikes: list[tuple[int, int, float]]
    kind: dict[int, str]
    first_week: dict[int, int]


def _design_supply(rng: np.random.Generator, book: np.ndarray, F: np.ndarray, items: _Items
                   ) -> _Plan:
    """On hand and receipts per item so that chosen items go short in chosen ways.

    ``book`` is the open order quantity per item and week; ``F`` the forecast.
    Receipts are lot-sized MRP-style; at-risk items get a deliberately thin plan
    and, where the order book alone would not break it, one large customer order
    (a "spike" line) in the week the shortage is meant to happen.
    """
    n_i, H = book.shape
    book = book.copy()
    mu = items.mu
    eligible = np.flatnonzero((items.pattern != 2) & (mu >= 1.0))
    eligible = eligible[rng.permutation(len(eligible))]
    n_short_late = max(2, round(0.08 * n_i))
    n_slip = max(1, round(0.03 * n_i))
    n_below = max(1, round(0.03 * n_i))
    kinds = (["confirmed_break"] * 2 + ["short"] * n_short_late + ["slip"] * n_slip
             + ["below_safety"] * n_below)
    kind = {int(i): k for i, k in zip(eligible, kinds, strict=False)}
    on_hand = np.zeros(n_i)
    R = np.zeros((n_i, H))
    spikes: list[tuple[int, int, float]] = []
    slip_week: dict[int, int] = {}
    first_week: dict[int, int] = {}
    u = rng.random((n_i, 4))
    for i in range(n_i):
        o, f = book[i], F[i, :H]
        D = np.maximum(o, f)
        mean_d = max(D.mean(), 1.0)
        lot, kd = float(items.lot[i]), kind.get(i, "ok")
        deficit = max(1.0, math.ceil(0.3 * mean_d))
        if kd in ("slip", "below_safety"):
            items.ss[i] = max(items.ss[i], 5.0, math.ceil(0.5 * mean_d))
        ss = float(items.ss[i])

        def spike(week: int, qty: float, i=i, o=o) -> None:
            spikes.append((i, week, float(qty)))
            o[week] += qty

        if kd == "ok":
            on_hand[i] = ss + round((0.3 + 2.2 * u[i, 0]) * mean_d)
            _mrp(on_hand[i], D, ss + math.ceil(0.25 * mean_d), lot, 0, R[i])
        elif kd == "confirmed_break":
            t = 0 if sum(v == "confirmed_break" for k, v in kind.items() if k < i) == 0 else 1
            if o[: t + 1].sum() < 1:
                spike(t, deficit + math.ceil(0.5 * mean_d))
            on_hand[i] = max(0.0, o[: t + 1].sum() - deficit)
            D = np.maximum(o, f)
            _mrp(on_hand[i] - D[: t + 1].sum(), D, ss, lot, t + 1, R[i])
        elif kd == "short":
            t = int(2 + u[i, 1] * 8)  # weeks 3..10
            on_hand[i] = round((0.2 + 0.8 * u[i, 0]) * mean_d)
            _mrp(on_hand[i], D[:t], 0.0, lot, 0, R[i, :t])
            po = on_hand[i] + R[i, :t].sum() - o[:t].sum()
            need = po + deficit - o[t]
            if need > 0:
                spike(t, need)
            D = np.maximum(o, f)
            back = 1 + int(u[i, 2] < 0.5)  # supply catches up 1 or 2 weeks later
            pab = on_hand[i] + R[i, :t].sum() - D[: t + back].sum()
            if t + back < H:
                _mrp(pab, D, ss, lot, t + back, R[i])
        elif kd == "slip":
            t = 3 + int(u[i, 1] * 3)  # week index 3..5 (weeks 4..6)
            on_hand[i] = math.ceil(D[:t].sum() + ss + 0.1 * mean_d)
            po = on_hand[i] - o[:t].sum()
            need = po + deficit - o[t] - o[t + 1]
            if need > 0:
                spike(t, need)
            D = np.maximum(o, f)
            pab = on_hand[i] - D[:t].sum()
            R[i, t] = lot * max(1, math.ceil((D[t: t + 3].sum() + ss - pab) / lot))
            _mrp(pab + R[i, t] - D[t], D, ss, lot, t + 1, R[i])
            slip_week[i] = t
        else:  # below_safety
            t = 2 + int(u[i, 1] * 6)  # week index 2..7
            on_hand[i] = math.ceil(D[: t + 1].sum() + 0.4 * ss)
            _mrp(on_hand[i] - D[: t + 1].sum(), D, ss, lot, t + 1, R[i])
        # where does it break, by design?
        pab_o = _project(on_hand[i], R[i], o)
        pab_d = _project(on_hand[i], R[i], np.maximum(o, f))
        if kd in ("confirmed_break", "short"):
            first_week[i] = int(np.flatnonzero(pab_o < 0)[0])
        elif kd == "slip":
            R2 = R[i].copy()
            R2[slip_week[i]] -= R[i, slip_week[i]]
            R2[slip_week[i] + SLIP_WEEKS] += R[i, slip_week[i]]
            first_week[i] = int(np.flatnonzero(_project(on_hand[i], R2, o) < 0)[0])
        elif kd == "below_safety":
            first_week[i] = int(np.flatnonzero(pab_d < ss)[0])
        _check_design(kd, pab_o, pab_d, ss, on_hand[i], R[i], o, slip_week.get(i))
    return _Plan(on_hand, R, slip_week, spikes, kind, first_week)


def _check_design(kd, pab_o, pab_d, ss, on_hand, R, o, slip) -> None:
    """Assert that an item's plan shows what its kind promises (see the module docstring)."""
    ok = {
        "ok": pab_d.min() >= ss,
        "short": pab_o.min() < 0,
        "confirmed_break": pab_o[:2].min() < 0,
        "below_safety": 0 <= pab_d.min() < ss,
        "slip": pab_d.min() >= 0 and slip is not None,
    }[kd]
    if kd == "slip" and ok:
        R2 = R.copy()
        R2[slip + SLIP_WEEKS] += R2[slip]
        R2[slip] = 0
        ok = _project(on_hand, R2, o).min() < 0
    if not ok:  # pragma: no cover - a design bug, not a data condition
        raise WorkbenchError(f"sample supply design failed for a {kd!r} item",
                             fix="report this as a bug of workbench.io.samples.")


# ======================================================================= changes
def _make_changes(rng: np.random.Generator, lines, n_real: int, cust: _Customers,
                  as_of: int) -> dict[str, np.ndarray]:
    c = lines["cust"][:n_real]
    p = 0.05 * cust.nerv[c]
    cancelled = lines["status"][:n_real] == _CANCELLED
    cancel_chain = cancelled & (rng.random(n_real) < 0.75)
    has = (rng.random(n_real) < p) | cancel_chain
    idx = np.flatnonzero(has)
    m = len(idx)
    nerv = np.isin(c[idx], cust.nervous)
    k = (1 + (rng.random(m) < np.where(nerv, 0.5, 0.25))
         + (rng.random(m) < np.where(nerv, 0.3, 0.07)))
    rows = np.repeat(np.arange(m), k)
    seq = np.arange(len(rows)) - np.repeat(np.cumsum(k) - k, k) + 1
    ctype = rng.choice(5, len(rows), p=_CHANGE_P)
    ctype[(seq == k[rows]) & cancel_chain[idx][rows]] = _CANCEL
    n_rows = len(rows)
    old_q = np.full(n_rows, np.nan)
    new_q = np.full(n_rows, np.nan)
    old_d = np.full(n_rows, _NAT)
    new_d = np.full(n_rows, _NAT)
    cur_q = lines["qty"][idx].copy()
    cur_d = lines["req"][idx].copy()
    o_day = lines["day"][idx]
    for s in range(int(k.max(initial=0)), 0, -1):  # walk back from the final state
        r = np.flatnonzero(seq == s)
        ln = rows[r]
        t = ctype[r]
        q, d = cur_q[ln], cur_d[ln]
        t = np.where((t == _QTY_UP) & (q <= 1), _DATE_OUT, t)
        delta = rng.integers(3, 22, len(r))
        t = np.where((t == _DATE_OUT) & (d - delta <= o_day[ln]), _DATE_IN, t)
        ctype[r] = t
        fac = rng.uniform(1.1, 2.0, len(r))
        up, down = t == _QTY_UP, t == _QTY_DOWN
        dout, din, canc = t == _DATE_OUT, t == _DATE_IN, t == _CANCEL
        oq = np.where(up, np.maximum(1, np.floor(q / fac)),
                      np.maximum(q + 1, np.ceil(q * fac)))
        qty_t = up | down
        old_q[r[qty_t]] = oq[qty_t]
        new_q[r[qty_t]] = q[qty_t]
        old_q[r[canc]] = q[canc]
        new_q[r[canc]] = 0.0
        od = np.where(dout, d - delta, d + delta)
        date_t = dout | din
        old_d[r[date_t]] = od[date_t]
        new_d[r[date_t]] = d[date_t]
        cur_q[ln[qty_t]] = oq[qty_t]
        cur_d[ln[date_t]] = od[date_t]
    # change dates: after the order, before the (earliest) due date, before as_of/shipping
    upper = np.minimum(lines["req"][idx], as_of - 1)
    ship = lines["ship"][idx]
    upper = np.where(ship != _NAT, np.minimum(upper, ship - 1), upper)
    has_d = old_d != _NAT
    np.minimum.at(upper, rows[has_d], np.minimum(old_d[has_d], new_d[has_d]))
    upper = np.maximum(upper, o_day)
    nerv_r = nerv[rows]
    u = np.where(nerv_r, rng.beta(4.0, 1.0, n_rows),
                 np.where(rng.random(n_rows) < 0.2, rng.beta(6.0, 1.0, n_rows),
                          rng.random(n_rows)))
    u = u[np.lexsort((u, rows))]
    span = upper[rows] - o_day[rows]
    cdate = np.minimum(o_day[rows] + np.floor(u * (span + 1)).astype(np.int64), upper[rows])
    lang = cust.zh[c[idx][rows]].astype(np.int64)
    reason_labels, reason_code = [], np.zeros(n_rows, dtype=np.int64)
    pick = rng.random(n_rows)
    for t in range(6):
        for lg in range(2):
            texts = _REASONS[t][lg]
            sel = (ctype == t) & (lang == lg)
            reason_code[sel] = len(reason_labels) + np.minimum(
                (pick[sel] * len(texts)).astype(np.int64), len(texts) - 1)
            reason_labels.extend(texts)
    return dict(line=idx[rows], seq=seq, date=cdate, ctype=ctype, old_q=old_q, new_q=new_q,
                old_d=old_d, new_d=new_d, reason=reason_code, reason_labels=reason_labels)


# ==================================================================== complaints
def _make_complaints(rng: np.random.Generator, lines, n_real: int, n_orders: int,
                     cust: _Customers, items: _Items, order_ids: pa.Array, as_of: int):
    status = lines["status"][:n_real]
    deliv = lines["deliv"][:n_real]
    ok = (status == _DELIVERED) & (deliv < as_of)
    qty, qs = lines["qty"][:n_real], lines["qty_ship"][:n_real]
    late_days = np.where(ok, deliv - lines["prom"][:n_real], 0)
    cat = np.full(n_real, -1)
    weight = np.zeros(n_real)
    for code, cond, wgt in (
        (0, ok & (late_days > 0), 0.15 * np.minimum(late_days, 15)),
        (3, ok & (lines["inv_err"][:n_real] == 1), 1.2),
        (1, ok & (qs < qty), 1.5),
        (2, ok & (np.nan_to_num(lines["dmg"][:n_real]) > 0), 3.0),
        (4, ok & (lines["sub"][:n_real] >= 0), 4.0),
    ):
        cat = np.where(cond, code, cat)
        weight = np.where(cond, wgt, weight)
    weight = weight * cust.complain[lines["cust"][:n_real]]
    target = max(3, round(n_orders / 100))
    n_linked = round(0.85 * target)
    cand = np.flatnonzero(cat >= 0)
    key = np.log(rng.random(len(cand))) / np.maximum(weight[cand], 1e-12)  # weighted sample
    take = min(len(cand), 3 * n_linked)
    top = cand[np.argsort(-key, kind="stable")[:take]]
    _, first = np.unique(lines["order"][top], return_index=True)  # one complaint per order
    sel = top[np.sort(first)][:n_linked]
    n_other = target - len(sel)
    pool = np.flatnonzero(ok & ~np.isin(lines["order"][:n_real], lines["order"][sel]))
    other = np.sort(rng.choice(pool, min(n_other, len(pool)), replace=False))
    ln = np.concatenate([sel, other])
    ccat = np.concatenate([cat[sel], np.where(rng.random(len(other)) < 0.6, 5, 6)])
    has_order = np.concatenate([np.ones(len(sel), bool), rng.random(len(other)) < 0.6])
    base = lines["deliv"][ln]
    cdate = np.minimum(base + np.where(ccat == 0, rng.integers(0, 4, len(ln)),
                                       rng.integers(1, 9, len(ln))), as_of - 1)
    res = cdate + 1 + np.floor(rng.lognormal(1.6, 0.8, len(ln))).astype(np.int64)
    open_ = (res >= as_of) | (rng.random(len(ln)) < 0.04)
    res = np.where(open_, _NAT, res)
    srt = np.lexsort((ln, cdate))
    ln, ccat, has_order, cdate, res = ln[srt], ccat[srt], has_order[srt], cdate[srt], res[srt]
    oid = np.asarray(order_ids.take(pa.array(lines["order"][ln])).to_pylist(), dtype=object)
    pick = rng.random(len(ln))
    desc = []
    for j, li in enumerate(ln):
        cname = _COMPLAINT_CATS[ccat[j]]
        lg = int(cust.zh[lines["cust"][li]])
        if has_order[j] or cname not in _TEMPLATES_NO_ORDER:
            texts = _TEMPLATES[cname][lg]
        else:
            texts = _TEMPLATES_NO_ORDER[cname][lg]
        tmpl = texts[min(int(pick[j] * len(texts)), len(texts) - 1)]
        q, got = lines["qty"][li], lines["qty_ship"][li]
        s = lines["sub"][li]
        desc.append(tmpl.format(
            order=oid[j], item=items.ids[lines["item"][li]], qty=int(q), got=int(got),
            miss=int(q - got), dmg=int(np.nan_to_num(lines["dmg"][li])),
            days=int(max(1, lines["deliv"][li] - lines["prom"][li])),
            sub=items.ids[s] if s >= 0 else "?"))
    oid = np.where(has_order, oid, None)
    return dict(line=ln, cat=ccat, date=cdate, res=res, order_id=oid, desc=desc)


# ========================================================================= dirty
_DIRTY_KINDS = (("negative_qty_ordered", 3), ("duplicate_line", 3), ("missing_customer_id", 3),
                ("text_in_order_date", 3), ("impossible_order_date", 2),
                ("delivery_before_order", 3), ("text_in_qty_shipped", 3), ("unknown_item_id", 2))
_DIRTY_TEXT = {"text_in_order_date": ("N/A", "待定", "TBD"),
               "impossible_order_date": ("2025-02-30", "2025-13-07"),
               "text_in_qty_shipped": ("approx. 50", "部分发货", "see remark"),
               "unknown_item_id": ("ITM-X017", "OBS-4471")}


def _dirty_rows(rng: np.random.Generator, lines, n_real: int, avoid: np.ndarray, as_of: int
                ) -> dict[str, np.ndarray]:
    """Pick distinct old delivered lines (no changes, no complaint) to spoil, per kind."""
    ok = np.zeros(len(lines["order"]), dtype=bool)
    ok[:n_real] = ((lines["status"][:n_real] == _DELIVERED)
                   & (lines["day"][:n_real] < as_of - 60))
    ok[avoid] = False
    rows = rng.choice(np.flatnonzero(ok), sum(n for _, n in _DIRTY_KINDS), replace=False)
    out, pos = {}, 0
    for kind, n in _DIRTY_KINDS:
        out[kind] = np.sort(rows[pos: pos + n])
        pos += n
    return out


def _promise_and_release(rng: np.random.Generator, lines, as_of: int) -> None:
    """Add ``fprom`` (first promised day) and ``rel`` (released day) to ``lines``.

    Drawn from a stream of their own, so every other column is as before. About
    8 % of the lines were re-promised 2-10 days later than first promised (the
    first promise is at least a day after the order); the rest kept their first
    promise. Lines are released on the order day (60 %), 1-3 days later (35 %)
    or 4-10 days later (5 %, credit holds), never after shipping nor after
    ``as_of``.
    """
    day, prom, ship = lines["day"], lines["prom"], lines["ship"]
    n = len(day)
    moved = rng.random(n) < 0.08
    fprom = np.maximum(prom - rng.integers(2, 11, n), day + 1)
    lines["fprom"] = np.where(moved, np.minimum(_weekday(fprom), prom), prom)
    u = rng.random(n)
    delay = np.where(u < 0.60, 0, np.where(u < 0.95, rng.integers(1, 4, n),
                                           rng.integers(4, 11, n)))
    rel = np.minimum(day + delay, as_of)
    lines["rel"] = np.where(ship == _NAT, rel, np.minimum(rel, ship))


def _order_lines_frame(lines, order_ids: pa.Array, cust_labels: pa.Array, item_labels: pa.Array,
                       dirty: dict[str, np.ndarray] | None, rng: np.random.Generator
                       ) -> pd.DataFrame:
    """Build the order_lines table; with ``dirty`` the ERP-style bad rows planted in it."""
    cust, item, qty, deliv = lines["cust"], lines["item"], lines["qty"], lines["deliv"]
    take = None
    if dirty:
        cust, item, qty, deliv = cust.copy(), item.copy(), qty.copy(), deliv.copy()
        qty[dirty["negative_qty_ordered"]] *= -1
        cust[dirty["missing_customer_id"]] = -1
        unknown = _DIRTY_TEXT["unknown_item_id"]
        item[dirty["unknown_item_id"]] = len(item_labels) + np.arange(len(unknown))
        item_labels = pa.concat_arrays([item_labels, pa.array(unknown, pa.string())])
        r = dirty["delivery_before_order"]
        deliv[r] = lines["day"][r] - rng.integers(2, 30, len(r))
        dup = dirty["duplicate_line"]
        take = np.insert(np.arange(len(qty)), dup + 1, dup)  # duplicates right after originals

    def col(a):
        return a if take is None else a[take]

    order_date = _date_col(col(lines["day"]))
    qty_shipped = col(lines["qty_ship"])
    if dirty:
        order_date = pa.array(col(lines["day"]).astype("datetime64[D]")).cast(pa.string())
        qs = qty_shipped
        qty_shipped = pa.array(np.nan_to_num(qs).astype(np.int64), mask=np.isnan(qs)).cast(
            pa.string())
        n = len(lines["qty"])
        for kinds, name in ((("text_in_order_date", "impossible_order_date"), "order_date"),
                            (("text_in_qty_shipped",), "qty_shipped")):
            mask = np.zeros(n, dtype=bool)
            text = np.empty(n, dtype=object)
            for kind in kinds:
                mask[dirty[kind]] = True
                text[dirty[kind]] = _DIRTY_TEXT[kind][: len(dirty[kind])]
            mask = col(mask)
            repl = pa.array(list(col(text)[mask]), pa.string())
            if name == "order_date":
                order_date = pc.replace_with_mask(order_date, pa.array(mask), repl)
            else:
                qty_shipped = pc.replace_with_mask(qty_shipped, pa.array(mask), repl)
        order_date = pd.arrays.ArrowStringArray(order_date)
        qty_shipped = pd.arrays.ArrowStringArray(qty_shipped)
    return pd.DataFrame({  # copy=False: no block consolidation (a full copy at 10M lines)
        "order_id": pd.arrays.ArrowStringArray(order_ids.take(pa.array(col(lines["order"])))),
        "line_no": pd.array(col(lines["line_no"]), dtype="Int64"),
        "customer_id": _str_col(col(cust), cust_labels),
        "item_id": _str_col(col(item), item_labels),
        "order_date": order_date,
        "requested_date": _date_col(col(lines["req"])),
        "promised_date": _date_col(col(lines["prom"])),
        "ship_date": _date_col(col(lines["ship"])),
        "delivery_date": _date_col(col(deliv)),
        "qty_ordered": col(qty),
        "qty_shipped": qty_shipped,
        "qty_delivered": col(lines["qty_deliv"]),
        "unit_price": col(lines["price"]),
        "site": _str_col(col(lines["site"]), _SITES),
        "status": _str_col(col(lines["status"]), _STATUS),
        "invoice_error": _bool_col(col(lines["inv_err"])),
        "qty_damaged": col(lines["dmg"]),
        "substituted_item": _str_col(col(lines["sub"]), item_labels),
        "route_changed": _bool_col(col(lines["route"])),
        "qty_returned": col(lines["ret"]),
        "filled_from_stock": _bool_col(col(lines["ffs"])),
        "first_promised_date": _date_col(col(lines["fprom"])),
        "released_date": _date_col(col(lines["rel"])),
    }, copy=False)


# ========================================================================= frames
def _checked(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Check columns against the schema (a programming error if they differ)."""
    names = TABLES[table].names
    if list(df.columns) != names:  # pragma: no cover
        raise WorkbenchError(f"{table}: columns {list(df.columns)} != schema {names}",
                             fix="report this as a bug of workbench.io.samples.")
    return df


# ======================================================================= assembly
def _open_book(lines, n_items: int, as_of: int) -> np.ndarray:
    """Open order quantity per item and horizon week (backlog counts in week 1)."""
    op = lines["status"] == _OPEN
    wk = np.maximum(0, (lines["req"][op] - as_of) // 7)
    inh = wk < HORIZON_WEEKS
    return np.bincount(lines["item"][op][inh] * HORIZON_WEEKS + wk[inh],
                       weights=lines["qty"][op][inh],
                       minlength=n_items * HORIZON_WEEKS).reshape(n_items, HORIZON_WEEKS)


def _add_spike_lines(rng: np.random.Generator, lines, plan: _Plan, cust: _Customers,
                     items: _Items, as_of: int) -> int:
    """Append the plan's large key-account orders (one line each); return the order count."""
    n_orders = int(lines["order"][-1]) + 1
    if not plan.spikes:
        return n_orders
    A = as_of
    ns = len(plan.spikes)
    s_item = np.array([s[0] for s in plan.spikes])
    s_week = np.array([s[1] for s in plan.spikes])
    s_qty = np.array([s[2] for s in plan.spikes])
    s_cust = rng.choice(cust.key_accounts, ns)
    s_req = A + 7 * s_week + rng.integers(0, 5, ns)
    s_day = A - rng.integers(1, 6, ns)
    spike = dict(
        order=n_orders + np.arange(ns), line_no=np.ones(ns, np.int64), cust=s_cust,
        item=s_item, day=s_day, req=s_req, prom=s_req, ship=np.full(ns, _NAT),
        deliv=np.full(ns, _NAT), qty=s_qty, qty_ship=np.full(ns, np.nan),
        qty_deliv=np.full(ns, np.nan),
        price=np.round(items.price[s_item] * (1 - cust.disc[s_cust]) * 1.03, 2),
        site=np.zeros(ns, np.int64), status=np.full(ns, _OPEN), inv_err=np.full(ns, -1),
        dmg=np.full(ns, np.nan), sub=np.full(ns, -1), route=np.full(ns, -1),
        ret=np.full(ns, np.nan), ffs=np.full(ns, -1))
    _append_lines(lines, spike)
    return n_orders + ns


def _changes_frame(ch: dict[str, np.ndarray], lines, order_ids: pa.Array,
                   cust_labels: pa.Array, item_labels: pa.Array) -> pd.DataFrame:
    """Build the ``order_changes`` table from :func:`_make_changes`."""
    li = ch["line"]
    return pd.DataFrame({
        "order_id": pd.arrays.ArrowStringArray(order_ids.take(pa.array(lines["order"][li]))),
        "line_no": pd.array(lines["line_no"][li], dtype="Int64"),
        "change_seq": pd.array(ch["seq"], dtype="Int64"),
        "change_date": _date_col(ch["date"]),
        "change_type": _str_col(ch["ctype"], _CHANGE_TYPES),
        "customer_id": _str_col(lines["cust"][li], cust_labels),
        "item_id": _str_col(lines["item"][li], item_labels),
        "old_qty": ch["old_q"],
        "new_qty": ch["new_q"],
        "old_date": _date_col(ch["old_d"]),
        "new_date": _date_col(ch["new_d"]),
        "reason": _str_col(ch["reason"], ch["reason_labels"]),
        # the sample's change log records the customers' changes only, no re-promises
        "old_promised_date": _date_col(np.full(len(li), _NAT)),
        "new_promised_date": _date_col(np.full(len(li), _NAT)),
    }, copy=False)


def _complaints_frame(cp: dict, lines, cust_labels: pa.Array) -> pd.DataFrame:
    """Build the ``complaints`` table from :func:`_make_complaints`."""
    width = max(5, len(str(len(cp["line"]))))
    return pd.DataFrame({
        "complaint_id": pd.array([f"CMP-{j + 1:0{width}d}" for j in range(len(cp["line"]))],
                                 dtype="string"),
        "customer_id": _str_col(lines["cust"][cp["line"]], cust_labels),
        "complaint_date": _date_col(cp["date"]),
        "category": _str_col(cp["cat"], _COMPLAINT_CATS),
        "order_id": pd.array(cp["order_id"], dtype="string"),
        "resolved_date": _date_col(cp["res"]),
        "description": pd.array(cp["desc"], dtype="string"),
    })


def _customers_frame(cust: _Customers) -> pd.DataFrame:
    """Build the ``customers`` table (``tier`` left empty: the workbench derives it)."""
    n_customers = len(cust.ids)
    return pd.DataFrame({
        "customer_id": pd.array(cust.ids, dtype="string"),
        "customer_name": pd.array(cust.names, dtype="string"),
        "segment": _str_col(cust.seg, _SEGMENTS),
        "tier": pd.array([pd.NA] * n_customers, dtype="string"),
        "region": _str_col(cust.region, _REGIONS),
        "since": _date_col(cust.since),
        "language": _str_col(cust.zh.astype(np.int64), ("en", "zh")),
        "contact_email": pd.array(
            [f"orders@{c.lower()}.example.{'cn' if z else 'com'}"
             for c, z in zip(cust.ids, cust.zh, strict=True)], dtype="string"),
    })


def _items_frame(items: _Items) -> pd.DataFrame:
    """Build the ``items`` table (item master with planning parameters)."""
    return pd.DataFrame({
        "item_id": pd.array(items.ids, dtype="string"),
        "description": pd.array(items.desc, dtype="string"),
        "product_group": _str_col(items.group, [g[0] for g in _GROUPS]),
        "unit_cost": items.cost,
        "unit_price": items.price,
        "lead_time_days": items.lt,
        "safety_stock": items.ss.astype(float),
        "lot_size": items.lot.astype(float),
        "demand_pattern": _str_col(items.pattern, _PATTERNS),
    })


def _supply_frame(rng: np.random.Generator, plan: _Plan, items: _Items,
                  item_labels: pa.Array, as_of: int) -> tuple[pd.DataFrame, dict]:
    """Build the ``supply_plan`` table of the plan's receipts, and receipt id by (item, week).

    Receipts in the first 4 weeks are mostly firm, later ones mostly planned; a
    slip-risk receipt is never firm.
    """
    A = as_of
    r_item, r_week = np.nonzero(plan.receipts)
    n_r = len(r_item)
    due = A + 7 * r_week + rng.integers(0, 5, n_r)
    firm = np.where(r_week <= 3, rng.random(n_r) < 0.9, rng.random(n_r) < 0.15)
    slip_receipt = np.array([plan.slip_week.get(int(i)) == int(w)
                             for i, w in zip(r_item, r_week, strict=True)], dtype=bool)
    firm &= ~slip_receipt
    source = np.array([_GROUPS[g][1] == "MPS" for g in items.group])[r_item].astype(np.int64)
    srt = np.lexsort((r_item, due))
    r_item, r_week, due, firm, source = (a[srt] for a in (r_item, r_week, due, firm, source))
    qty_r = plan.receipts[r_item, r_week]
    rid = np.empty(n_r, dtype=object)
    for code, prefix in ((1, "MPS-"), (0, "PO-")):
        sel = np.flatnonzero(source == code)
        rid[sel] = [f"{prefix}{j + 1:05d}" for j in range(len(sel))]
    supply = pd.DataFrame({
        "receipt_id": pd.array(rid, dtype="string"),
        "item_id": _str_col(r_item, item_labels),
        "due_date": _date_col(due),
        "qty": qty_r.astype(float),
        "firm": pd.array(firm, dtype="boolean"),
        "site": pd.array([MAIN_SITE] * n_r, dtype="string"),
        "source": _str_col(source, ("PO", "MPS")),
    })
    rid_of = {(int(i), int(w)): str(r) for i, w, r in zip(r_item, r_week, rid, strict=True)}
    return supply, rid_of


def _inventory_frame(lines, plan: _Plan, items: _Items, as_of: int) -> pd.DataFrame:
    """Build the ``inventory`` snapshot: allocated = picked for open lines due in the first days."""
    A = as_of
    n_items = len(items.ids)
    soon = (lines["status"] == _OPEN) & (lines["req"] < A + 3)
    picked = np.bincount(lines["item"][soon], weights=lines["qty"][soon], minlength=n_items)
    allocated = np.minimum(plan.on_hand, np.round(0.3 * picked))
    return pd.DataFrame({
        "item_id": pd.array(items.ids, dtype="string"),
        "snapshot_date": _date_col(np.full(n_items, A)),
        "on_hand": plan.on_hand.astype(float),
        "site": pd.array([MAIN_SITE] * n_items, dtype="string"),
        "allocated": allocated,
    })


def _forecast_frame(F: np.ndarray, f_weeks: np.ndarray, items: _Items,
                    item_labels: pa.Array) -> pd.DataFrame:
    """Build the ``forecast`` table: weekly quantities with an 80 % band from each item's CV."""
    n_items = len(items.ids)
    cv = np.minimum(2.0, items.sd / np.maximum(items.mu, 1e-9))
    fi, fw = np.meshgrid(np.arange(n_items), np.arange(FORECAST_WEEKS), indexing="ij")
    fq = F.ravel()
    spread = 1.28 * cv[fi.ravel()] * fq
    return pd.DataFrame({
        "item_id": _str_col(fi.ravel(), item_labels),
        "period_start": _date_col(f_weeks[fw.ravel()]),
        "forecast_qty": fq,
        "lower": np.round(np.maximum(0.0, fq - spread)),
        "upper": np.round(fq + spread),
        "method": pd.array(["sample"] * fq.size, dtype="string"),
    })


def _truth(*, as_of: str, seed: int, n_total: int, n_lines: int, n_orders: int, lines,
           n_real: int, cust: _Customers, items: _Items, plan: _Plan, rid_of: dict,
           A: int) -> dict:
    """Record what was planted (see :func:`generate_samples`), before the dirty rows."""
    n_customers = len(cust.ids)
    rev = np.bincount(lines["cust"][:n_real], weights=lines["qty"][:n_real]
                      * lines["price"][:n_real], minlength=n_customers)
    top = np.sort(rev)[::-1]
    n_top = max(1, round(0.2 * n_customers))
    kind_items = {k: sorted(items.ids[i] for i, v in plan.kind.items() if v == k)
                  for k in ("confirmed_break", "short", "slip", "below_safety")}
    m_asof = int(_month_ordinal(np.array([A]))[0])
    return {
        "as_of": as_of,
        "seed": seed,
        "n_lines": int(n_total),
        "n_lines_requested": int(n_lines),
        "n_orders": int(n_orders),
        "spike_lines": len(plan.spikes),
        "revenue_share_top20pct_customers": round(float(top[:n_top].sum() / top.sum()), 4),
        "churned_customers": sorted(cust.ids[i] for i in cust.churned),
        "churn_start": {cust.ids[i]: _iso(cust.churn_day[i]) for i in cust.churned},
        "seasonal_customers": [cust.ids[i] for i in cust.seasonal],
        "seasonal_months": {cust.ids[i]: [int(m) + 1 for m in np.flatnonzero(cust.month_mask[i])]
                            for i in cust.seasonal},
        "nervous_customers": sorted(cust.ids[i] for i in cust.nervous),
        "late_prone_customers": sorted(cust.ids[i] for i in cust.late_prone),
        "late_prone_items": sorted(items.ids[i] for i in items.late_prone),
        "late_months": sorted(str(np.datetime64(m_asof + d, "M")) for d in (-16, -8, -4, -1)),
        "short_items": sorted(kind_items["confirmed_break"] + kind_items["short"]),
        "confirmed_break_items": kind_items["confirmed_break"],
        "slip_risk_items": {items.ids[i]: rid_of[(i, w)] for i, w in sorted(plan.slip_week.items())},
        "slip_weeks": SLIP_WEEKS,
        "below_safety_items": kind_items["below_safety"],
        "shortage_detail": {
            items.ids[i]: {"kind": plan.kind[i], "first_week": plan.first_week[i] + 1}
            for i in sorted(plan.kind)},
        "dirty_rows": {},
        "dirty_keys": {},
        "conventions": {
            "week": "week k (1-based) covers [as_of + 7(k-1), as_of + 7k); horizon 13 weeks",
            "demand": "open order lines (status open), qty_ordered in the week of "
                      "requested_date; requested dates before as_of count in week 1",
            "supply": "inventory.on_hand at as_of (main site, per item) plus supply_plan "
                      "receipts in the week of due_date",
            "allocated": "part of on_hand picked for open lines still in order_lines; "
                         "do not subtract twice",
            "short": "on_hand + cumulative receipts - cumulative open demand < 0 in a week",
            "slip": "a slip risk item goes short when its receipt slips by slip_weeks",
            "below_safety": "stays >= 0 but dips below items.safety_stock against "
                            "max(forecast, open orders)",
        },
    }


def generate_samples(n_lines: int = 50_000, *, seed: int = 42, n_customers: int = 200,
                     n_items: int = 100, as_of: str = "2026-06-29", dirty: bool = True
                     ) -> SampleData:
    """Generate a realistic, seeded sample data set for every data-model table.

    Parameters
    ----------
    n_lines : int, default 50_000
        Order lines to generate (two years of history ending at ``as_of`` plus
        the open order book). A few open lines are added on top to make the
        planted shortages happen (``truth["spike_lines"]``) and, with
        ``dirty=True``, a few exact duplicates.
    seed : int, default 42
        Seed; the same seed and arguments give identical data (and files).
    n_customers : int, default 200
        Customers (at least 20).
    n_items : int, default 100
        Items (at least 20).
    as_of : str, default "2026-06-29"
        Snapshot date (ISO). History ends the day before; inventory is taken at
        the start of this day; the planning horizon starts on it.
    dirty : bool, default True
        Plant ~22 ERP-style bad rows in ``order_lines`` (counts in
        ``truth["dirty_rows"]``, keys in ``truth["dirty_keys"]``). The
        ``order_date`` and ``qty_shipped`` columns are then strings.

    Returns
    -------
    SampleData
        The tables and the planted truth.

    Raises
    ------
    CountError
        If a size is not a whole number or too small to plant the scenarios.
    DateParameterError
        If ``as_of`` is not a date.

    Notes
    -----
    What is planted (all recorded in ``truth``):

    * Customers with Pareto value (top 20 % ~ 70-80 % of revenue), segments,
      regions, ``en``/``zh`` names (some needing HTML escaping); ``tier`` empty.
    * Items with smooth, seasonal and intermittent demand; planning parameters
      (safety stock, lot size) derived from the last 52 weeks.
    * Lateness worse for ``late_prone_customers``, ``late_prone_items`` and in
      ``late_months``; not-from-stock lines are late more often.
    * ``churned_customers`` (~4 %) whose intake drops to 0-10 % from
      ``churn_start`` (95-125 days before ``as_of``); ``seasonal_customers``
      ordering only in ``seasonal_months`` (the first is silent at ``as_of``
      without churning); ``nervous_customers`` changing ~5x more often.
    * Supply: ``short_items`` (including ``confirmed_break_items`` short in
      weeks 1-2 whatever the planned receipts), ``slip_risk_items`` (short only
      if the named planned receipt slips ``slip_weeks``) and
      ``below_safety_items``; every other item stays at or above safety stock.

    Intermittent items are calibrated to ~0.4 lines a week whatever
    ``n_lines``; everything else scales with it.

    Examples
    --------
    >>> data = generate_samples(5_000, seed=1, dirty=False)
    >>> len(data.truth["short_items"]), len(data.truth["churned_customers"])
    (10, 8)
    """
    check_count(n_lines, "n_lines", minimum=1000,
                fix="pass at least 1000 order lines, e.g. n_lines=50_000.")
    check_count(n_customers, "n_customers", minimum=20)
    check_count(n_items, "n_items", minimum=20)
    A = _day(check_date(as_of, key="as_of"))
    streams = np.random.SeedSequence(seed).spawn(10)  # the first 9 as before
    rng = [np.random.default_rng(s) for s in streams]

    cust = _make_customers(rng[0], n_customers, A)
    items = _make_items(rng[1], n_items)
    lines, P, scale = _make_lines(rng[2], n_lines, cust, items, A)
    n_real = n_lines
    _plan_params(rng[3], lines, items, A)
    F, f_weeks = _forecast(rng[4], cust, items, P, scale, A)

    # open order book by week -> supply design
    r5 = rng[5]
    plan = _design_supply(r5, _open_book(lines, n_items, A), F, items)
    risk_items = np.array(sorted(plan.kind), dtype=np.int64)
    # at-risk items: keep promised = requested on open lines so the dates agree
    fix = (lines["status"] == _OPEN) & np.isin(lines["item"], risk_items)
    lines["prom"][fix] = lines["req"][fix]
    n_orders = _add_spike_lines(r5, lines, plan, cust, items, A)
    n_total = len(lines["order"])
    _promise_and_release(rng[9], lines, A)

    order_ids = _ids("SO-", n_orders, 6)
    cust_labels = pa.array(cust.ids, pa.string())
    item_labels = pa.array(items.ids, pa.string())

    ch = _make_changes(rng[6], lines, n_real, cust, A)
    changes = _changes_frame(ch, lines, order_ids, cust_labels, item_labels)
    cp = _make_complaints(rng[7], lines, n_real, n_orders, cust, items, order_ids, A)
    complaints = _complaints_frame(cp, lines, cust_labels)
    supply, rid_of = _supply_frame(r5, plan, items, item_labels, A)
    frames = dict(order_lines=None, order_changes=changes,
                  customers=_customers_frame(cust), items=_items_frame(items),
                  supply_plan=supply, inventory=_inventory_frame(lines, plan, items, A),
                  forecast=_forecast_frame(F, f_weeks, items, item_labels),
                  complaints=complaints)

    truth = _truth(as_of=as_of, seed=seed, n_total=n_total, n_lines=n_lines,
                   n_orders=n_orders, lines=lines, n_real=n_real, cust=cust, items=items,
                   plan=plan, rid_of=rid_of, A=A)
    bad = None
    if dirty:
        bad = _dirty_rows(rng[8], lines, n_real, np.concatenate([ch["line"], cp["line"]]), A)
        truth["dirty_rows"] = {k: len(v) for k, v in bad.items()}
        truth["dirty_keys"] = {
            k: [[str(order_ids[int(lines["order"][r])]), int(lines["line_no"][r])] for r in v]
            for k, v in bad.items()}
    ol = _order_lines_frame(lines, order_ids, cust_labels, item_labels, bad, rng[8])
    truth["n_lines"] = len(ol)
    frames["order_lines"] = ol
    return SampleData(**{k: _checked(v, k) for k, v in frames.items()}, truth=truth)


def write_samples(data: SampleData, out_dir: str | Path, *, fmt: str = "csv"
                  ) -> dict[str, Path]:
    r"""Write every table and ``sample_truth.json`` to ``out_dir``.

    Parameters
    ----------
    data : SampleData
        What :func:`generate_samples` returned.
    out_dir : str or Path
        Folder, created if needed; existing files of the same names are replaced.
    fmt : {"csv", "parquet"}, default "csv"
        CSV is UTF-8 without BOM, ``\n`` line ends, ISO dates, no index, whole
        numbers without a decimal point. Parquet keeps the column types.

    Returns
    -------
    dict of str to Path
        Table name -> file written, plus ``"truth"`` -> ``sample_truth.json``.

    Raises
    ------
    ChoiceError
        If ``fmt`` is not ``"csv"`` or ``"parquet"``.
    """
    check_choice(fmt, ("csv", "parquet"), key="fmt")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, df in data.tables().items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n",
                      date_format="%Y-%m-%d", float_format="%.10g")
        else:
            df.to_parquet(path, index=False)
        paths[name] = path
    tpath = out / "sample_truth.json"
    tpath.write_text(json.dumps(data.truth, ensure_ascii=False, indent=2) + "\n",
                     encoding="utf-8")
    paths["truth"] = tpath
    return paths
