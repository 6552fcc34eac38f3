r"""Discrete and empirical demand for the inventory models, vectorised over items.

Next to the normal and gamma protection-interval demand of
:mod:`workbench.inventory.policy`, this module models demand in whole units:

* ``"poisson"`` -- per-period demand Poisson with the item's mean. Over a
  protection interval of ``P`` periods (lead time ``L`` plus review period
  ``R``, as in :func:`~workbench.inventory.policy.lead_time_demand`) demand is
  Poisson with mean ``P mu`` (a sum of independent Poissons).
* ``"negative_binomial"`` -- per-period demand negative binomial with mean
  ``mu`` and standard deviation ``sigma`` (``sigma^2 > mu``): SciPy's
  ``nbinom(n, p)`` with ``p = mu / sigma^2`` and ``n = mu^2 / (sigma^2 - mu)``.
  Over ``P`` periods it has the ``P``-fold mean and variance, ``P mu`` and
  ``P sigma^2``: the same ``p`` and ``n P`` (exact for whole ``P``: a sum of
  independent NB(n, p) is NB(n P, p); used as the model for fractional ``P``).
* ``"empirical"`` -- per item, the observed demand per period (NaN = no data)
  gives a pmf on ``0, 1, ..., max``; over ``P`` whole periods it is the
  ``P``-fold convolution of that pmf (independent periods), computed for all
  items at once by FFT on a common support grid.

A :class:`DiscreteDemand` holds the protection-interval demand of every item
and gives its pmf and cdf, the first-order loss function ``n(x) = E[(D -
x)^+]`` (expected units short per cycle when the level is ``x``), the
complementary loss ``E[(x - D)^+]`` and the smallest level meeting a cycle
service target. Between whole numbers the loss is linear (``D`` is integer),
so it is exact at any real ``x``.

Policies use the conventions of :mod:`workbench.inventory.policy`:
``"periodic"`` order-up-to (protection ``L + R``, cycle demand ``mu R``) or
``"continuous"`` (s, Q) (protection ``L``, cycle demand ``Q``); type 1 cycle
service ``P(D <= s)``; type 2 fill rate ``1 - ESC / cycle demand`` with the
expected units short per cycle ``ESC = n(s)`` (``Q / (Q + ESC)`` with lost
sales under continuous review). :func:`discrete_policy_for_service` returns the
*smallest whole* level meeting the target; :func:`evaluate_discrete_policy`
gives the service of given levels. Levels are capped where the cycle service
reaches ``Phi(Z_MAX)`` (an item with no demand would otherwise need infinite
stock for a fill-rate target).

:func:`choose_demand_model` picks a model per item from its Syntetos-Boylan
class (:func:`workbench.inventory.forecasting.classify`) and says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from workbench.exceptions import ConfigError
from workbench.inventory.checks import (
    as_numbers,
    nonnegative,
    one_of,
    positive,
    probability,
    require_all,
    whole_numbers,
)
from workbench.inventory.forecasting import CLASSES, DemandMatrix, classify
from workbench.inventory.policy import POLICIES, SERVICE_TYPES, Z_MAX

__all__ = [
    "DEMAND_MODEL_CHOICES",
    "DISCRETE_MODELS",
    "DISCRETE_POLICY_COLUMNS",
    "MAX_GRID_CELLS",
    "MIN_EMPIRICAL_PERIODS",
    "POISSON_DISPERSION",
    "SLOW_MOVER_MEAN",
    "DiscreteDemand",
    "DiscretePolicy",
    "choose_demand_model",
    "demand_from_pmf",
    "discrete_policy_for_service",
    "empirical_lead_time_demand",
    "evaluate_discrete_policy",
    "negative_binomial_lead_time_demand",
    "poisson_lead_time_demand",
]

DISCRETE_MODELS = ("poisson", "negative_binomial", "empirical")
"""Discrete demand models of :class:`DiscreteDemand`."""
DEMAND_MODEL_CHOICES = ("normal", "gamma", "poisson", "negative_binomial", "empirical", "none")
"""Models :func:`choose_demand_model` may pick (``"none"``: no demand, hold no stock)."""
MIN_EMPIRICAL_PERIODS = 52
"""Periods since the first demand an intermittent item needs for its empirical distribution."""
POISSON_DISPERSION = 1.2
"""Largest variance-to-mean ratio for which intermittent demand counts as Poisson."""
SLOW_MOVER_MEAN = 10.0
"""Erratic items with whole-number demand below this mean per period get the negative binomial."""
MAX_GRID_CELLS = 20_000_000
"""Most items x demand levels an empirical distribution may tabulate (160 MB of floats)."""
DISCRETE_POLICY_COLUMNS = (
    "service_level", "reorder_point", "order_up_to", "order_quantity", "cycle_service",
    "fill_rate", "expected_backorders", "safety_stock", "ltd_mean", "ltd_sd",
)
"""Columns of :meth:`DiscretePolicy.to_frame`, in order."""

_CAP_Q = float(special.ndtr(Z_MAX))  # highest cycle service a level is raised to


def _out(x: Any) -> np.ndarray | float:
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


# =========================================================================== demand
@dataclass(frozen=True, eq=False)
class DiscreteDemand:
    """Whole-unit demand over the protection interval, one distribution per item.

    Build it with :func:`poisson_lead_time_demand`,
    :func:`negative_binomial_lead_time_demand`, :func:`empirical_lead_time_demand`
    or :func:`demand_from_pmf`. Every method takes levels ``x`` that broadcast
    against the item shape (e.g. ``(levels, 1)`` against ``(items,)``).

    Attributes
    ----------
    model
        One of :data:`DISCRETE_MODELS`.
    mean, sd
        Mean and standard deviation of protection-interval demand, per item.
    mean_demand
        Mean demand per period, per item (for the periodic cycle demand ``mu R``).
    protection_interval, review_period
        ``P = L + R`` and ``R`` in periods.
    nb_n, nb_p
        SciPy's ``nbinom`` parameters (negative binomial only, else NaN).
    pmf_table
        Empirical only: pmf on ``0 .. K`` per item, shape ``(items, K + 1)``.
    """

    model: str
    mean: np.ndarray
    sd: np.ndarray
    mean_demand: np.ndarray
    protection_interval: np.ndarray
    review_period: np.ndarray
    nb_n: np.ndarray
    nb_p: np.ndarray
    pmf_table: np.ndarray | None = None

    # ---------------------------------------------------------------- tables
    def _tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Cdf (items, K+1) and ``C[j] = sum_{y<j} F(y)`` (items, K+2) of the empirical pmf."""
        cached = self.__dict__.get("_cached")
        if cached is None:
            cdf = np.minimum(np.cumsum(self.pmf_table, axis=1), 1.0)
            cdf[:, -1] = 1.0
            csum = np.zeros((cdf.shape[0], cdf.shape[1] + 1))
            np.cumsum(cdf, axis=1, out=csum[:, 1:])
            cached = (cdf, csum)
            object.__setattr__(self, "_cached", cached)
        return cached

    def _take(self, table: np.ndarray, k: np.ndarray) -> np.ndarray:
        """``table[item, k]`` with ``k`` broadcast against the item shape (k clipped to the grid)."""
        shape = np.broadcast_shapes(k.shape, self.mean.shape)
        rows = np.broadcast_to(np.arange(self.mean.size).reshape(self.mean.shape), shape)
        cols = np.clip(np.broadcast_to(k, shape), 0, table.shape[1] - 1).astype(np.int64)
        return table[rows, cols]

    def _x(self, x: Any, where: str) -> np.ndarray:
        arr = as_numbers("x", x, where)
        require_all("x", arr, np.isfinite(arr), "finite", where, "check the levels for NaN or inf.")
        return arr

    # ---------------------------------------------------------------- at whole numbers
    def _pmf_int(self, k: np.ndarray) -> np.ndarray:
        if self.model == "poisson":
            return stats.poisson.pmf(k, self.mean)
        if self.model == "negative_binomial":
            return stats.nbinom.pmf(k, self.nb_n, self.nb_p)
        inside = (k >= 0) & (k < self.pmf_table.shape[1])
        return np.where(inside, self._take(self.pmf_table, k), 0.0)

    def _cdf_int(self, k: np.ndarray) -> np.ndarray:
        if self.model == "poisson":
            return stats.poisson.cdf(k, self.mean)
        if self.model == "negative_binomial":
            return stats.nbinom.cdf(k, self.nb_n, self.nb_p)
        return np.where(k < 0, 0.0, self._take(self._tables()[0], k))

    def _sf_int(self, k: np.ndarray) -> np.ndarray:
        if self.model == "poisson":
            return stats.poisson.sf(k, self.mean)
        if self.model == "negative_binomial":
            return stats.nbinom.sf(k, self.nb_n, self.nb_p)
        return 1.0 - self._cdf_int(k)

    def _loss_int(self, k: np.ndarray) -> np.ndarray:
        """``E[(D - k)^+]`` at whole ``k >= 0``."""
        if self.model == "poisson":
            # n(k) = -(k - mu)(1 - F(k)) + mu f(k)   (Zipkin C.2.3)
            loss = -(k - self.mean) * self._sf_int(k) + self.mean * self._pmf_int(k)
        elif self.model == "negative_binomial":
            beta = (1.0 - self.nb_p) / self.nb_p
            loss = (-(k - self.nb_n * beta) * self._sf_int(k)
                    + (k + self.nb_n) * beta * self._pmf_int(k))
        else:
            _, csum = self._tables()
            top = csum.shape[1] - 1
            c = self._take(csum, np.minimum(k, top)) + np.maximum(k - top, 0)
            loss = self.mean - k + c
        return np.maximum(loss, 0.0)

    # ---------------------------------------------------------------- public
    def pmf(self, x: Any) -> np.ndarray | float:
        """``P(D = x)`` (0 for non-whole ``x``)."""
        x = self._x(x, "DiscreteDemand.pmf")
        k = np.floor(x)
        return _out(np.where(k == x, self._pmf_int(k), 0.0))

    def cdf(self, x: Any) -> np.ndarray | float:
        """``P(D <= x)``: the cycle service of level ``x``."""
        return _out(self._cdf_int(np.floor(self._x(x, "DiscreteDemand.cdf"))))

    def loss(self, x: Any) -> np.ndarray | float:
        """First-order loss ``n(x) = E[(D - x)^+]``: expected units short per cycle at level ``x``.

        ``mean - x`` for ``x <= 0``; linear between whole numbers.
        """
        x = self._x(x, "DiscreteDemand.loss")
        k = np.floor(x)
        kk = np.maximum(k, 0.0)
        inner = self._loss_int(kk) - (x - kk) * self._sf_int(kk)
        return _out(np.where(x <= 0, self.mean - x, np.maximum(inner, 0.0)))

    def complementary_loss(self, x: Any) -> np.ndarray | float:
        """``E[(x - D)^+] = x - mean + n(x)``: expected units left over at level ``x``."""
        x = self._x(x, "DiscreteDemand.complementary_loss")
        return _out(np.maximum(x - self.mean + np.asarray(self.loss(x)), 0.0))

    def quantile(self, q: Any) -> np.ndarray | float:
        """Smallest whole ``s`` with ``P(D <= s) >= q`` (``q`` in (0, 1); capped at ``Phi(Z_MAX)``)."""
        q = np.minimum(probability("q", q, "DiscreteDemand.quantile"), _CAP_Q)
        return _out(self._smallest(lambda s: self._cdf_int(s) >= q, np.full(q.shape, -1.0)))

    def _start(self) -> np.ndarray:
        return np.ceil(self.mean + 6.0 * self.sd) + 1.0

    def _smallest(self, ok: Callable[[np.ndarray], np.ndarray], lo: np.ndarray) -> np.ndarray:
        """Smallest whole ``s > lo`` with ``ok(s)`` (monotone), by doubling then bisection."""
        hi = np.broadcast_to(np.maximum(self._start(), lo + 1.0), np.broadcast_shapes(
            lo.shape, self.mean.shape)).copy()
        lo = np.broadcast_to(lo, hi.shape).copy()
        for _ in range(64):
            bad = ~ok(hi)
            if not bad.any():
                break
            lo = np.where(bad, hi, lo)
            hi = np.where(bad, 2.0 * hi + 1.0, hi)
        while np.any(hi - lo > 1.0):
            mid = np.floor((lo + hi) / 2.0)
            good = ok(mid)
            hi = np.where(good, mid, hi)
            lo = np.where(good, lo, mid)
        return hi


def _protection(lead_time: Any, review_period: Any, where: str,
                whole: bool = False) -> tuple[np.ndarray, np.ndarray]:
    if whole:
        lt = whole_numbers("lead_time", lead_time, where, 0).astype(float)
        rp = whole_numbers("review_period", review_period, where, 0).astype(float)
    else:
        lt = nonnegative("lead_time", lead_time, where, " (periods)")
        rp = nonnegative("review_period", review_period, where, " (periods)")
    return lt + rp, rp


def poisson_lead_time_demand(mean_demand: Any, lead_time: Any, *,
                             review_period: Any = 0.0) -> DiscreteDemand:
    """Poisson demand over the protection interval: Poisson with mean ``(L + R) mu``.

    Parameters
    ----------
    mean_demand
        Mean demand per period, per item (``>= 0``).
    lead_time, review_period
        ``L`` and ``R`` in periods (``>= 0``; ``R = 0`` for continuous review).

    Returns
    -------
    DiscreteDemand

    Examples
    --------
    Demand 2 a week, lead time 1 week: ``D ~ Poisson(2)``, ``P(D <= 3) = e^-2 (1 + 2
    + 2 + 4/3) = 0.857``; ``n(0) = 2``:

    >>> d = poisson_lead_time_demand(2.0, 1)
    >>> round(d.cdf(3), 4), d.loss(0), d.quantile(0.95)
    (0.8571, 2.0, 5.0)
    """
    where = "poisson_lead_time_demand"
    mu = nonnegative("mean_demand", mean_demand, where)
    pi, rp = _protection(lead_time, review_period, where)
    mu, pi, rp = np.broadcast_arrays(mu, pi, rp)
    mean = mu * pi
    nan = np.full(mean.shape, np.nan)
    return DiscreteDemand("poisson", mean, np.sqrt(mean), mu.copy(), pi.copy(), rp.copy(),
                          nan, nan)


def negative_binomial_lead_time_demand(mean_demand: Any, sd_demand: Any, lead_time: Any, *,
                                       review_period: Any = 0.0) -> DiscreteDemand:
    """Negative binomial demand over the protection interval (``P``-fold mean and variance).

    Per period ``nbinom(n, p)`` with ``p = mu / sigma^2``, ``n = mu^2 / (sigma^2 - mu)``;
    over ``P = L + R`` periods ``nbinom(n P, p)``: mean ``P mu``, variance ``P sigma^2``.

    Parameters
    ----------
    mean_demand
        Mean demand per period (``> 0``).
    sd_demand
        Standard deviation per period, with ``sd_demand^2 > mean_demand``.
    lead_time, review_period
        ``L`` and ``R`` in periods; ``L + R > 0``.

    Returns
    -------
    DiscreteDemand

    Raises
    ------
    RangeError
        Bad values, including ``sd^2 <= mean`` (use Poisson then).

    Examples
    --------
    Mean 23, sd 8 in one period (stockpyl's ``negative_binomial_loss(14, mean=23, sd=8)``):

    >>> d = negative_binomial_lead_time_demand(23, 8, 1)
    >>> round(d.loss(14), 6)
    9.32646
    """
    where = "negative_binomial_lead_time_demand"
    mu = positive("mean_demand", mean_demand, where)
    sd = positive("sd_demand", sd_demand, where)
    pi, rp = _protection(lead_time, review_period, where)
    mu, sd, pi, rp = np.broadcast_arrays(mu, sd, pi, rp)
    require_all("sd_demand", sd, sd * sd > mu, "such that sd_demand^2 > mean_demand "
                "(over-dispersed)", where, "use poisson_lead_time_demand for items whose "
                "variance is at most their mean.")
    require_all("lead_time + review_period", pi, pi > 0, "> 0 periods", where,
                "give a positive lead time or review period.")
    var = sd * sd
    p = mu / var
    n = pi * mu * mu / (var - mu)
    return DiscreteDemand("negative_binomial", mu * pi, np.sqrt(pi * var), mu.copy(),
                          pi.copy(), rp.copy(), n, p)


def _history(history: Any, where: str) -> tuple[np.ndarray, pd.Index | None]:
    """History as a float array (periods, items), NaN = no data; item ids if known."""
    if isinstance(history, DemandMatrix):
        y = history.values.T.copy()
        started = np.cumsum(y > 0, axis=0) > 0
        y[~started] = np.nan  # before an item's first demand: not launched yet
        return y, history.items
    if isinstance(history, Sequence) and not isinstance(history, str) and history and all(
            np.ndim(h) == 1 for h in history):
        rows = [as_numbers("history", h, where) for h in history]
        y = np.full((max(r.size for r in rows), len(rows)), np.nan)
        for j, r in enumerate(rows):  # one copy per item, at construction only
            y[:r.size, j] = r
        return y, None
    y = as_numbers("history", history, where)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.size == 0:
        raise ConfigError(f"{where}: history must be a 2-D array (periods x items), a list of "
                          f"1-D arrays or a DemandMatrix; got shape {np.shape(y)}.",
                          key="history", value=np.shape(y),
                          fix="pass one column per item and one row per period.")
    return y, None


def empirical_lead_time_demand(history: Any, lead_time: Any, *,
                               review_period: Any = 0) -> DiscreteDemand:
    """Empirical demand over ``P = L + R`` whole periods: the ``P``-fold convolution of each pmf.

    Parameters
    ----------
    history
        Observed demand per period, whole units ``>= 0``: a 2-D array (periods x
        items; NaN = no data), a list of 1-D sequences (one per item, lengths may
        differ), or a
        :class:`~workbench.inventory.forecasting.DemandMatrix` (periods before an
        item's first demand count as no data).
    lead_time, review_period
        Whole periods ``>= 0`` (per item or common).

    Returns
    -------
    DiscreteDemand
        One row per item; the convolution is done by FFT for all items at once.

    Raises
    ------
    RangeError
        Negative or fractional demand, an item without any observation, or
        fractional periods.

    Examples
    --------
    Demand 0, 1 or 2 with probability 1/2, 1/4, 1/4 per period; over two periods
    ``P(D = 0) = 1/4``, ``P(D <= 1) = 1/4 + 2 (1/2)(1/4) = 1/2``:

    >>> d = empirical_lead_time_demand([[0, 0, 1, 2]], 2)  # one item, four periods
    >>> d.pmf(0), d.cdf(1), d.mean
    (array([0.25]), array([0.5]), array([1.5]))
    """
    where = "empirical_lead_time_demand"
    y, _ = _history(history, where)
    seen = ~np.isnan(y)
    ok = ~seen | ((y >= 0) & np.isfinite(y) & (y == np.round(np.where(seen, y, 0.0))))
    require_all("history", y, ok, "whole units >= 0 (NaN for periods without data)", where,
                "round demand to whole units, or use the normal or gamma model.")
    count = seen.sum(axis=0)
    require_all("observed periods per item", count, count > 0, ">= 1", where,
                "drop items without history or give them another demand model.")
    pi, rp = _protection(lead_time, review_period, where, whole=True)
    n_items = y.shape[1]
    pi = np.broadcast_to(pi, (n_items,)).astype(float)
    rp = np.broadcast_to(rp, (n_items,)).astype(float)
    vals = np.where(seen, y, 0.0).astype(np.int64)
    top = int(vals.max())
    cols = np.broadcast_to(np.arange(n_items), y.shape)[seen]
    one = np.bincount(cols * (top + 1) + vals[seen], minlength=n_items * (top + 1))
    one = one.reshape(n_items, top + 1) / count[:, None]
    size = int(top * pi.max()) + 1
    if n_items * size > MAX_GRID_CELLS:
        raise ConfigError(
            f"{where}: the empirical grid would hold {n_items} items x {size} demand levels "
            f"(largest demand {top} over {int(pi.max())} periods), more than {MAX_GRID_CELLS:,}.",
            key="history", value=(n_items, size),
            fix="use the empirical model for slow movers only (choose_demand_model picks it for "
                "intermittent items) and the normal, gamma or negative binomial model for the "
                "others, or pass the items in smaller groups.")
    nfft = 1 << max(int(np.ceil(np.log2(size))), 0)
    spec = np.fft.rfft(one, n=nfft, axis=1) ** pi[:, None]
    pmf = np.clip(np.fft.irfft(spec, n=nfft, axis=1)[:, :size], 0.0, None)
    pmf[pmf < 1e-15] = 0.0  # FFT round-off
    pmf /= pmf.sum(axis=1, keepdims=True)
    grid = np.arange(size)
    mean = pmf @ grid
    sd = np.sqrt(np.maximum(pmf @ (grid * grid) - mean * mean, 0.0))
    mu1 = one @ np.arange(top + 1)
    nan = np.full(n_items, np.nan)
    return DiscreteDemand("empirical", mean, sd, mu1, pi.copy(), rp.copy(), nan, nan, pmf)


def demand_from_pmf(pmf: Any) -> DiscreteDemand:
    """Demand given directly by its pmf on ``0, 1, ..., K`` (one row per item; one period).

    Parameters
    ----------
    pmf
        Shape ``(K + 1,)`` or ``(items, K + 1)``, each row ``>= 0`` summing to 1
        (within ``1e-9``; rows are rescaled to exactly 1).

    Returns
    -------
    DiscreteDemand
        ``model="empirical"``, protection interval 1 period, no review period.

    Examples
    --------
    >>> d = demand_from_pmf([0.2, 0.5, 0.3])
    >>> d.loss(1), d.quantile(0.7), d.quantile(0.75)
    (array([0.3]), array([1.]), array([2.]))
    """
    where = "demand_from_pmf"
    table = np.atleast_2d(nonnegative("pmf", pmf, where)).astype(float)
    total = table.sum(axis=1)
    require_all("pmf row sum", total, np.abs(total - 1.0) <= 1e-9, "1", where,
                "give probabilities that sum to 1 for every item.")
    table = table / total[:, None]
    grid = np.arange(table.shape[1])
    mean = table @ grid
    sd = np.sqrt(np.maximum(table @ (grid * grid) - mean * mean, 0.0))
    n = table.shape[0]
    nan = np.full(n, np.nan)
    return DiscreteDemand("empirical", mean, sd, mean.copy(), np.ones(n), np.zeros(n),
                          nan, nan, table)


# =========================================================================== policies
@dataclass(frozen=True)
class DiscretePolicy:
    """A whole-unit reorder point / order-up-to level and its expected service, per item.

    Attributes
    ----------
    service_level
        The target (of :attr:`service_type`), or the achieved cycle service for
        :func:`evaluate_discrete_policy`.
    reorder_point
        ``s`` (continuous review); equal to ``order_up_to`` for periodic review.
    order_up_to
        ``S`` (periodic review); ``s + Q`` for continuous review.
    order_quantity
        ``Q`` (continuous) or the mean order ``mu R`` (periodic): the cycle demand.
    cycle_service
        ``P(D <= s)``.
    fill_rate
        ``1 - ESC / cycle demand`` (``Q / (Q + ESC)`` for lost sales, continuous review).
    expected_backorders
        Expected units short per cycle, ``ESC = E[(D - s)^+]``.
    safety_stock
        ``s - ltd_mean``.
    ltd_mean, ltd_sd
        Mean and sd of protection-interval demand.
    model, policy, service_type, lost_sales
        How it was computed.
    """

    service_level: np.ndarray | float
    reorder_point: np.ndarray | float
    order_up_to: np.ndarray | float
    order_quantity: np.ndarray | float
    cycle_service: np.ndarray | float
    fill_rate: np.ndarray | float
    expected_backorders: np.ndarray | float
    safety_stock: np.ndarray | float
    ltd_mean: np.ndarray | float
    ltd_sd: np.ndarray | float
    model: str = "poisson"
    policy: str = "periodic"
    service_type: str = "cycle"
    lost_sales: bool = False

    def to_frame(self, index: Any = None) -> pd.DataFrame:
        """One row per item (C order), columns :data:`DISCRETE_POLICY_COLUMNS`."""
        cols = {c: np.ravel(np.asarray(getattr(self, c), dtype=float))
                for c in DISCRETE_POLICY_COLUMNS}
        n = max(v.size for v in cols.values())
        return pd.DataFrame({c: np.broadcast_to(v, (n,)) for c, v in cols.items()}, index=index)


def _cycle_demand(demand: DiscreteDemand, policy: str, order_quantity: Any,
                  where: str) -> np.ndarray:
    one_of("policy", policy, POLICIES, where)
    if policy == "continuous":
        if order_quantity is None:
            raise ConfigError(f"{where}: policy='continuous' needs order_quantity (Q); got None.",
                              key="order_quantity", value=None,
                              fix="pass order_quantity (the lot size), or use policy='periodic'.")
        require_all("review_period", demand.review_period, demand.review_period == 0,
                    "0 for continuous review", where, "build the demand with review_period=0.")
        return positive("order_quantity", order_quantity, where, " (units)")
    if order_quantity is not None:
        raise ConfigError(f"{where}: order_quantity applies to policy='continuous' only; got "
                          f"{order_quantity!r} with policy='periodic'.", key="order_quantity",
                          value=order_quantity, fix="drop order_quantity or use "
                                                    "policy='continuous'.")
    require_all("review_period", demand.review_period, demand.review_period > 0,
                "> 0 for periodic review", where,
                "build the demand with review_period=R (e.g. 1 for weekly review).")
    return demand.mean_demand * demand.review_period


def _result(demand: DiscreteDemand, level: np.ndarray, q: np.ndarray, target: np.ndarray | None,
            *, policy: str, service_type: str, lost_sales: bool) -> DiscretePolicy:
    shape = np.broadcast_shapes(level.shape, q.shape, demand.mean.shape)
    level = np.broadcast_to(level, shape)
    csl = np.asarray(demand.cdf(level))
    esc = np.asarray(demand.loss(level))
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = q / (q + esc) if (lost_sales and policy == "continuous") else 1.0 - esc / q
    fill = np.where(q > 0, np.clip(fill, 0.0, 1.0), 1.0)
    b = lambda v: _out(np.broadcast_to(np.asarray(v, dtype=float), shape))  # noqa: E731
    return DiscretePolicy(
        service_level=b(csl if target is None else target), reorder_point=b(level),
        order_up_to=b(level + q if policy == "continuous" else level), order_quantity=b(q),
        cycle_service=b(csl), fill_rate=b(fill), expected_backorders=b(esc),
        safety_stock=b(level - demand.mean), ltd_mean=b(demand.mean), ltd_sd=b(demand.sd),
        model=demand.model, policy=policy, service_type=service_type, lost_sales=lost_sales)


def discrete_policy_for_service(demand: DiscreteDemand, service_level: Any, *,
                                service_type: str = "cycle", policy: str = "periodic",
                                order_quantity: Any = None,
                                lost_sales: bool = False) -> DiscretePolicy:
    """Smallest whole reorder point / order-up-to level meeting a service target.

    Parameters
    ----------
    demand
        Protection-interval demand (``L + R`` for periodic review, ``L`` for continuous).
    service_level
        Target in ``(0, 1)``; broadcasts against the items (``(levels, 1)`` for a curve).
    service_type
        ``"cycle"``: smallest ``s`` with ``P(D <= s) >= target``; ``"fill_rate"``:
        smallest ``s`` with ``E[(D - s)^+] <= (1 - target) x cycle demand`` (lost sales,
        continuous review: ``<= Q (1 - target) / target``).
    policy
        ``"periodic"`` (cycle demand ``mu R``) or ``"continuous"`` (needs ``order_quantity``).
    order_quantity
        ``Q`` for continuous review.
    lost_sales
        Lost-sales fill-rate equation (continuous review).

    Returns
    -------
    DiscretePolicy

    Examples
    --------
    Poisson demand 2 a week, lead time 1, weekly review: ``D ~ Poisson(4)``, ``P(D <= 6)
    = 0.889``, ``P(D <= 7) = 0.949``, ``P(D <= 8) = 0.979``; for 95 %: ``S = 8``:

    >>> d = poisson_lead_time_demand(2.0, 1, review_period=1)
    >>> pol = discrete_policy_for_service(d, 0.95)
    >>> pol.order_up_to, round(pol.cycle_service, 4)
    (8.0, 0.9786)
    """
    where = "discrete_policy_for_service"
    one_of("service_type", service_type, SERVICE_TYPES, where)
    target = probability("service_level", service_level, where)
    q = _cycle_demand(demand, policy, order_quantity, where)
    if service_type == "cycle":
        level = np.asarray(demand.quantile(target))
    else:
        esc = q * (1.0 - target) / (target if (lost_sales and policy == "continuous") else 1.0)
        cap = np.asarray(demand.quantile(np.full(np.shape(target), _CAP_Q)))
        high = esc >= demand.mean  # loss(s) = mean - s for s <= 0
        found = demand._smallest(lambda s: (demand._loss_int(s) <= esc) | (s >= cap),
                                 np.zeros(np.broadcast_shapes(np.shape(esc),
                                                              demand.mean.shape)))
        level = np.where(high, np.ceil(demand.mean - esc - 1e-12), np.minimum(found, cap))
    return _result(demand, np.asarray(level, dtype=float), q, target, policy=policy,
                   service_type=service_type, lost_sales=lost_sales)


def evaluate_discrete_policy(demand: DiscreteDemand, level: Any, *, policy: str = "periodic",
                             order_quantity: Any = None,
                             lost_sales: bool = False) -> DiscretePolicy:
    """Achieved cycle service, fill rate and expected backorders of given levels.

    Parameters
    ----------
    demand
        Protection-interval demand.
    level
        Reorder point ``s`` (continuous) or order-up-to level ``S`` (periodic), per item.
    policy, order_quantity, lost_sales
        As in :func:`discrete_policy_for_service`.

    Returns
    -------
    DiscretePolicy
        ``service_level`` is the achieved cycle service.

    Examples
    --------
    ``D ~ Poisson(1)``, ``s = 1``, ``Q = 4``: ``P(D <= 1) = 2/e = 0.7358``, ``ESC =
    n(1) = 1/e = 0.3679`` (``n(s) = (mu - s)(1 - F(s)) + mu f(s)``), fill rate ``1 -
    0.3679 / 4``:

    >>> d = poisson_lead_time_demand(1.0, 1)
    >>> pol = evaluate_discrete_policy(d, 1, policy="continuous", order_quantity=4)
    >>> round(pol.cycle_service, 4), round(pol.expected_backorders, 4), round(pol.fill_rate, 4)
    (0.7358, 0.3679, 0.908)
    """
    where = "evaluate_discrete_policy"
    q = _cycle_demand(demand, policy, order_quantity, where)
    lvl = as_numbers("level", level, where)
    require_all("level", lvl, np.isfinite(lvl), "finite", where, "check the levels for NaN.")
    return _result(demand, lvl, q, None, policy=policy, service_type="cycle",
                   lost_sales=lost_sales)


# =========================================================================== model choice
def _choice(code: np.ndarray, whole: np.ndarray, mean: np.ndarray, ratio: np.ndarray,
            periods: np.ndarray, min_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Model and reason per item from the class code (index into CLASSES)."""
    cls = np.asarray(CLASSES, dtype=object)[code]
    smooth, erratic = cls == "smooth", cls == "erratic"
    sparse = (cls == "intermittent") | (cls == "lumpy")
    nb_erratic = erratic & whole & (mean < SLOW_MOVER_MEAN) & (ratio > 1.0)
    empirical = sparse & whole & (periods >= min_periods)
    poisson = sparse & ~empirical & (ratio <= POISSON_DISPERSION)
    conds = [cls == "none", smooth, nb_erratic, erratic, empirical, poisson, sparse]
    models = ["none", "normal", "negative_binomial", "gamma", "empirical", "poisson",
              "negative_binomial"]
    reasons = [
        "no demand in the history: hold no stock",
        "smooth demand (frequent, stable sizes): normal",
        f"erratic demand, whole units, slow mover (mean below {SLOW_MOVER_MEAN:g} a period) "
        "and variance above the mean: negative binomial",
        "erratic demand (frequent, variable sizes): gamma, skewed to the right",
        f"intermittent demand with at least {min_periods} periods of whole-unit history: "
        "empirical distribution",
        f"intermittent demand, variance at most {POISSON_DISPERSION:g} times the mean: Poisson",
        f"intermittent demand, variance above {POISSON_DISPERSION:g} times the mean: "
        "negative binomial",
    ]
    model = np.select(conds, models, default="none")
    reason = np.select(conds, reasons, default="no demand in the history: hold no stock")
    return model, reason


def choose_demand_model(matrix: DemandMatrix, *,
                        min_empirical_periods: int = MIN_EMPIRICAL_PERIODS) -> pd.DataFrame:
    """Pick a demand model per item from its Syntetos-Boylan class, with the reason.

    Rules (class from :func:`~workbench.inventory.forecasting.classify`; mean and
    variance per period over the periods since the item's first demand):

    * ``none`` -> ``"none"`` (no stock);
    * ``smooth`` -> ``"normal"``;
    * ``erratic`` -> ``"negative_binomial"`` for whole-unit slow movers (mean below
      :data:`SLOW_MOVER_MEAN`) with variance above the mean, else ``"gamma"``;
    * ``intermittent`` / ``lumpy`` -> ``"empirical"`` with at least
      ``min_empirical_periods`` periods of whole-unit history, else ``"poisson"``
      when the variance is at most :data:`POISSON_DISPERSION` times the mean, else
      ``"negative_binomial"``.

    Parameters
    ----------
    matrix
        Demand per item and period.
    min_empirical_periods
        History an intermittent item needs for its empirical distribution.

    Returns
    -------
    DataFrame
        ``item_id, demand_class, periods, mean, variance, variance_to_mean, model,
        reason``; ``model`` is one of :data:`DEMAND_MODEL_CHOICES`.

    Examples
    --------
    >>> import pandas as pd
    >>> weeks = pd.date_range("2024-01-01", periods=8, freq="W-MON")
    >>> m = DemandMatrix(pd.Index(["A", "B"]), weeks,
    ...                  np.array([[5, 6, 5, 4, 5, 6, 5, 4], [0, 1, 0, 0, 2, 0, 0, 1.0]]))
    >>> choose_demand_model(m)["model"].tolist()
    ['normal', 'poisson']
    """
    where = "choose_demand_model"
    if not isinstance(matrix, DemandMatrix):
        raise ConfigError(f"{where}: matrix must be a DemandMatrix; got "
                          f"{type(matrix).__name__}.", key="matrix", value=type(matrix).__name__,
                          fix="build it with workbench.inventory.forecasting.demand_series.")
    min_p = int(whole_numbers("min_empirical_periods", min_empirical_periods, where, 1))
    cls = classify(matrix)
    y, _ = _history(matrix, where)
    seen = ~np.isnan(y)
    n_seen = np.maximum(seen.sum(axis=0), 1)
    z = np.where(seen, y, 0.0)
    mean = z.sum(axis=0) / n_seen
    var = np.where(seen, (z - mean) ** 2, 0.0).sum(axis=0) / np.maximum(n_seen - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mean > 0, var / mean, 0.0)
    whole = np.all(~seen | (z == np.round(z)), axis=0)
    code = pd.Index(CLASSES).get_indexer(cls["demand_class"].astype(object))
    model, reason = _choice(code, whole, mean, ratio, cls["periods"].to_numpy(), min_p)
    return pd.DataFrame({
        "item_id": cls["item_id"], "demand_class": cls["demand_class"],
        "periods": cls["periods"], "mean": mean, "variance": var, "variance_to_mean": ratio,
        "model": pd.array(model.astype(object), dtype="str"),
        "reason": pd.array(reason.astype(object), dtype="str"),
    })
