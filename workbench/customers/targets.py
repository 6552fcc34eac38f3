"""Service targets per tier and the service tier of each customer.

A customer's tier is its ABC class by value (:func:`workbench.customers.segments.abc_classify`)
unless the customer master sets one; every tier has a target per KPI, named like
the KPIs of :mod:`workbench.kpis`. :func:`customer_tiers` runs the whole
ABC-to-tiers pipeline in one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.customers.common import str_array
from workbench.customers.segments import abc_classify
from workbench.exceptions import (
    ConfigError,
    FrameTypeError,
    MissingColumnsError,
    SourceNotFoundError,
)
from workbench.validation import check_choice, require_frame

__all__ = [
    "DEFAULT_SERVICE_TARGETS",
    "REQUIRED_TIERS",
    "CustomerTiers",
    "assign_tiers",
    "customer_tiers",
    "service_targets",
]

DEFAULT_SERVICE_TARGETS = pd.DataFrame({
    "tier": pd.array(["A", "B", "C"] * 3, dtype="str"),
    "kpi": pd.array(["line_fill_rate"] * 3 + ["on_time_promised_rate"] * 3
                    + ["otif_order_rate"] * 3, dtype="str"),
    "target": [0.99, 0.97, 0.95, 0.98, 0.95, 0.90, 0.98, 0.95, 0.90],
})
"""Default service targets per tier, named like the KPIs of :mod:`workbench.kpis`:
order-level OTIF 98 % (A), 95 % (B), 90 % (C); on time to the promised date the
same; line fill rate 99 / 97 / 95 %. A dataset names its own table (``targets:``
in its dataset YAML; the sample's is ``data/samples/service_targets.csv``), or pass
your own."""

REQUIRED_TIERS: tuple[str, ...] = ("A", "B", "C")


def _targets_from_yaml(path: Path) -> pd.DataFrame:
    """Read the targets table of a YAML file (records, or a mapping kpi -> {tier: target})."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"service targets: cannot parse YAML ({exc})", source=str(path),
                          fix="fix the YAML syntax.") from None
    if isinstance(doc, dict) and "targets" in doc:
        doc = doc["targets"]
    if isinstance(doc, list):
        return pd.DataFrame(doc)
    if isinstance(doc, dict) and all(isinstance(v, dict) for v in doc.values()):
        rows = [(str(t), str(kpi), v) for kpi, per in doc.items() for t, v in per.items()]
        return pd.DataFrame(rows, columns=["tier", "kpi", "target"])
    raise ConfigError(
        "service targets YAML must be a list of {tier, kpi, target} records or a mapping "
        "kpi -> {tier: target}", source=str(path), value=type(doc).__name__,
        fix="write e.g.\n  otif: {A: 0.98, B: 0.95, C: 0.90}")


def _read_targets_file(table: str | Path) -> pd.DataFrame:
    """Read the targets table of a CSV or YAML file."""
    path = Path(table)
    if not path.is_file():
        raise SourceNotFoundError(f"service targets file not found: {path}", path=str(path),
                                  fix="check the path (CSV or YAML).")
    if path.suffix.lower() in (".yaml", ".yml"):
        return _targets_from_yaml(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype={"tier": "str", "kpi": "str"})
    raise ConfigError(f"service targets file must be .csv, .yaml or .yml, got {path.name}",
                      source=str(path), value=path.suffix, fix="save the table as CSV or YAML.")


def _check_targets(tier: pd.Series, kpi: pd.Series, frame: pd.DataFrame,
                   source: str | None) -> pd.Series:
    """Tier and kpi filled in, targets shares in (0, 1]; return the targets as float."""
    blank = (tier.isna() | (tier == "") | kpi.isna() | (kpi == "")).to_numpy()
    if blank.any():
        rows = (np.flatnonzero(blank) + 1).tolist()[:5]
        raise ConfigError(f"service targets: tier or kpi is empty in row(s) {rows}",
                          key="tier", value=rows, source=source,
                          fix="fill in tier (A, B, C, ...) and kpi (e.g. otif) in every row.")
    target = pd.to_numeric(frame["target"], errors="coerce").astype("float64")
    bad = (target.isna() | (target <= 0) | (target > 1)).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raw = frame["target"].iloc[i]
        raw = raw.item() if isinstance(raw, np.generic) else raw
        raise ConfigError(
            f"service targets must be numbers in (0, 1] (a share, e.g. 0.95 for 95 %); "
            f"{int(bad.sum())} row(s) are not, first: target {raw!r} for tier {tier.iloc[i]}, "
            f"kpi {kpi.iloc[i]} (row {i + 1})",
            key="target", value=raw, source=source,
            fix="write targets as shares between 0 and 1 (95 % -> 0.95).")
    return target


def _check_complete(out: pd.DataFrame, source: str | None) -> None:
    """One target per (tier, kpi), and every kpi has tiers A, B and C."""
    dup = out.duplicated(["tier", "kpi"], keep=False).to_numpy()
    if dup.any():
        pairs = sorted({f"{t}/{k}" for t, k in zip(out["tier"][dup], out["kpi"][dup],
                                                    strict=True)})
        raise ConfigError(f"service targets: tier/kpi given more than once: {', '.join(pairs)}",
                          key="tier", value=pairs, source=source,
                          fix="keep one target per tier and kpi.")
    have = pd.crosstab(out["kpi"], out["tier"]).reindex(columns=list(REQUIRED_TIERS),
                                                        fill_value=0)
    lacking = have.index[(have == 0).any(axis=1).to_numpy()]
    if len(lacking):
        k0 = lacking[0]
        miss = [t for t in REQUIRED_TIERS if have.loc[k0, t] == 0]
        raise ConfigError(
            f"service targets: kpi {k0!r} has no target for tier(s) {', '.join(miss)}; "
            f"every kpi needs tiers {', '.join(REQUIRED_TIERS)}",
            key="tier", value=miss, source=source,
            fix=f"add rows for tier(s) {', '.join(miss)} and kpi {k0}.")


def service_targets(table: object = None) -> pd.DataFrame:
    """Return the validated service-target table (tier, kpi, target).

    Parameters
    ----------
    table : DataFrame, str or Path, optional
        The editable table: a DataFrame or a CSV/YAML file with columns
        ``tier, kpi, target``. YAML may also be a mapping ``kpi -> {tier:
        target}`` (optionally under a ``targets:`` key). Default:
        :data:`DEFAULT_SERVICE_TARGETS`.

    Returns
    -------
    DataFrame
        ``tier, kpi, target`` (tiers stripped and upper-cased), sorted by kpi, tier.

    Raises
    ------
    SourceNotFoundError
        The file does not exist.
    FrameTypeError
        ``table`` is neither a DataFrame nor a path.
    MissingColumnsError
        Column ``tier``, ``kpi`` or ``target`` is absent.
    ConfigError
        Not a CSV/YAML file, unreadable YAML, an empty tier or kpi, duplicate
        (tier, kpi), a target that is not a number in (0, 1], or a KPI without a
        target for each of tiers A, B, C.

    Examples
    --------
    >>> service_targets().query("kpi == 'otif_order_rate'")["target"].tolist()
    [0.98, 0.95, 0.9]
    """
    if table is None:
        return DEFAULT_SERVICE_TARGETS.copy()
    source = None
    if isinstance(table, str | Path):
        source = str(Path(table))
        frame = _read_targets_file(table)
    elif isinstance(table, pd.DataFrame):
        frame = table
    else:
        raise FrameTypeError(
            f"service targets must be a DataFrame or a CSV/YAML path, got {type(table).__name__}",
            key="table", value=type(table).__name__,
            fix="pass a DataFrame with columns tier, kpi, target, or a file path.")
    missing = [c for c in ("tier", "kpi", "target") if c not in frame.columns]
    if missing:
        raise MissingColumnsError(
            "service_targets", missing, [str(c) for c in frame.columns], source=source,
            hint="Name the columns tier, kpi and target (e.g. A, otif, 0.98).")
    tier = frame["tier"].astype("str").str.strip().str.upper()
    kpi = frame["kpi"].astype("str").str.strip().str.lower()
    target = _check_targets(tier, kpi, frame, source)
    out = pd.DataFrame({"tier": tier.to_numpy(), "kpi": kpi.to_numpy(),
                        "target": target.to_numpy()})
    _check_complete(out, source)
    out["tier"] = out["tier"].astype("str")
    out["kpi"] = out["kpi"].astype("str")
    return out.sort_values(["kpi", "tier"], ignore_index=True)


def _master_tiers(ids: pd.Series, customers: pd.DataFrame) -> pd.Series:
    """Look up the customer master's tier per id (stripped, upper case; NaN where none is set)."""
    require_frame(customers, "customers", ("customer_id",), hint="Needed for service tiers.")
    if "tier" not in customers.columns:
        return pd.Series(np.nan, index=ids.index, dtype="object")
    master = (customers.drop_duplicates("customer_id").set_index("customer_id")["tier"]
              .astype("str").str.strip().str.upper())
    mt = ids.map(master)
    return mt.where(mt != "")


def assign_tiers(abc_table: pd.DataFrame, customers: pd.DataFrame | None = None,
                 targets: object = None) -> pd.DataFrame:
    """Service tier and targets per customer.

    Parameters
    ----------
    abc_table : DataFrame
        :func:`~workbench.customers.segments.abc_classify` by customer
        (``customer_id, abc``).
    customers : DataFrame, optional
        Customer master; a non-empty ``tier`` there wins over the ABC class.
    targets : DataFrame, str or Path, optional
        Service targets (see :func:`service_targets`); default the built-in ones.

    Returns
    -------
    DataFrame
        ``customer_id, abc, tier, tier_source ("abc" or "master"),
        target_<kpi>...`` (one target column per KPI), in ``abc_table`` order.

    Raises
    ------
    MissingColumnsError
        ``abc_table`` or ``customers`` lacks a needed column.
    ConfigError
        A master tier that has no service target.
    """
    require_frame(abc_table, "abc_table", ("customer_id", "abc"),
                  hint="Pass the table of abc_classify(orders, 'customer_id').")
    tgt = service_targets(targets)
    out = abc_table[["customer_id", "abc"]].reset_index(drop=True)
    tier = out["abc"].astype("str")
    source = np.full(len(out), "abc", dtype=object)
    if customers is not None:
        mt = _master_tiers(out["customer_id"], customers)
        use = mt.notna().to_numpy(dtype=bool, na_value=False)
        tier = tier.where(~use, mt)
        source[use] = "master"
        unknown = sorted(set(tier[use]) - set(tgt["tier"]))
        if unknown:
            who = out["customer_id"][use & tier.isin(unknown).to_numpy()].head(5).tolist()
            raise ConfigError(
                f"customer master tier(s) {', '.join(unknown)} have no service target "
                f"(customers {', '.join(map(str, who))})",
                key="tier", value=unknown,
                fix="add the tier(s) to the service-targets table or correct the master.")
    out["tier"] = tier.astype("str").to_numpy()
    out["tier_source"] = str_array(source)
    wide = tgt.pivot(index="tier", columns="kpi", values="target")
    for kpi in wide.columns:
        out[f"target_{kpi}"] = out["tier"].map(wide[kpi]).astype("float64").to_numpy()
    return out


@dataclass(frozen=True, eq=False)
class CustomerTiers:
    """Result of :func:`customer_tiers`: the ABC table, the tiers and the targets used."""

    abc: pd.DataFrame
    """:func:`~workbench.customers.segments.abc_classify` by customer (value descending)."""
    tiers: pd.DataFrame
    """:func:`assign_tiers` output, in ``abc`` order."""
    targets: pd.DataFrame
    """:func:`service_targets` table used (``tier, kpi, target``)."""

    @property
    def tier_of(self) -> pd.Series:
        """Tier per customer: a Series indexed by ``customer_id``, named ``tier``."""
        return pd.Series(self.tiers["tier"].to_numpy(), name="tier",
                         index=pd.Index(self.tiers["customer_id"].to_numpy(), name="customer_id"))

    def by_value(self, tier: str) -> list[str]:
        """Return the customer ids of ``tier`` (case-insensitive), biggest value first.

        Raises
        ------
        ChoiceError
            ``tier`` has no service target.
        """
        code = str(tier).strip().upper()
        check_choice(code, sorted(set(self.targets["tier"])), key="tier")
        ids = self.tiers.loc[self.tiers["tier"] == code, "customer_id"]
        value = self.abc.drop_duplicates("customer_id").set_index("customer_id")["value"]
        v = ids.map(value).astype("float64").fillna(0.0).to_numpy()
        order = np.argsort(-v, kind="stable")
        return ids.astype("str").to_numpy()[order].tolist()


def customer_tiers(orders: pd.DataFrame, customers: pd.DataFrame | None = None,
                   targets: object = None, *, measure: str = "revenue",
                   cutoffs: tuple[float, float] = (0.8, 0.95),
                   items: pd.DataFrame | None = None) -> CustomerTiers:
    """ABC by value, then service tiers and targets per customer, in one call.

    Parameters
    ----------
    orders : DataFrame
        Order lines (cancelled lines are left out of the value).
    customers : DataFrame, optional
        Customer master; a non-empty ``tier`` there wins over the ABC class.
    targets : DataFrame, str or Path, optional
        Service targets (see :func:`service_targets`); default the built-in ones.
    measure, cutoffs, items
        As in :func:`~workbench.customers.segments.abc_classify`.

    Returns
    -------
    CustomerTiers
        ``abc``, ``tiers`` and ``targets`` tables, ``tier_of`` and ``by_value(tier)``.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["1", "2", "3"], "customer_id": ["x", "y", "z"],
    ...                        "qty_ordered": [1.0, 1.0, 1.0], "unit_price": [90.0, 8.0, 2.0]})
    >>> ct = customer_tiers(orders, pd.DataFrame({"customer_id": ["z"], "tier": ["a"]}))
    >>> ct.tier_of.to_dict()
    {'x': 'A', 'y': 'B', 'z': 'A'}
    >>> ct.by_value("A")
    ['x', 'z']
    """
    tgt = service_targets(targets)
    abc = abc_classify(orders, "customer_id", measure=measure, cutoffs=cutoffs, items=items)
    return CustomerTiers(abc=abc, tiers=assign_tiers(abc, customers, tgt), targets=tgt)
