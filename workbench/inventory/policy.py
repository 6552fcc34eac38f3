r"""Analytic safety stock, reorder points and service-vs-cost, vectorized over items.

Every function takes NumPy arrays (one value per item, or any shapes that
broadcast together: e.g. service levels of shape ``(levels, 1)`` against items
of shape ``(items,)``) and plain scalars alike. Nothing loops over items in
Python.

Units and conventions
---------------------
* One **period** is the planning bucket (a week, typically). Demand mean and
  standard deviation are *per period*; ``lead_time``, ``sd_lead_time`` and
  ``review_period`` are in periods; ``holding_cost`` is per unit held per period
  (e.g. ``unit_cost * holding_rate / 52`` for weeks, see :func:`item_params`);
  ``stockout_cost`` is per unit short (charged once per unit of demand that
  cannot be served from stock); ``ordering_cost`` is per order.
* **Protection interval** ``P = L + R``: lead time plus review period (``R = 0``
  for continuous review). Demand over it has

  .. math:: \mu_P = P\,\mu_d, \qquad
            \sigma_P = \sqrt{P\,\sigma_d^2 + \mu_d^2\,\sigma_L^2}

  (independent period demands, lead time independent of demand;
  :func:`lead_time_demand`).
* **Policies.** ``"continuous"``: continuous review (s, Q), reorder point
  ``s = mu_L + k sigma_L``, lot size ``Q``, cycle demand ``Q``, ``D/Q`` cycles per
  period. ``"periodic"``: periodic review order-up-to (R, S), ``S = mu_{L+R} +
  k sigma_{L+R}``, cycle demand ``mu_d R``, ``1/R`` cycles per period (one order
  per review). ``safety_stock = k sigma`` is the level minus the mean
  protection-interval demand.
* **Type 1, cycle service level (CSL)**: probability of no stockout in a
  replenishment cycle, ``CSL = Phi(k)``, so ``k = Phi^{-1}(CSL)``.
* **Type 2, fill rate** ``beta``: fraction of demand served from stock. With the
  standard normal loss function ``G(k) = phi(k) - k (1 - Phi(k))`` the expected
  units short per cycle are ``ESC = sigma G(k)`` and ``beta = 1 - ESC / (cycle
  demand)``; so for a target ``beta``: ``G(k) = Q (1 - beta) / sigma_L``
  (continuous review) or ``G(k) = (1 - beta) mu_d R / sigma_{L+R}`` (periodic
  review). With lost sales under continuous review, every cycle sells ``Q`` and
  loses ``ESC``, so ``beta = Q / (Q + ESC)`` and ``G(k) = Q (1 - beta) / (beta
  sigma_L)`` (Silver, Pyke & Peterson). The ESC formula is the usual
  approximation: it counts the units short at the end of the cycle, including
  the (negligible at service levels of practical interest) backorders carried in
  from the previous cycle.
* **Costs per period** (Chopra & Meindl; Silver, Pyke & Peterson):
  ``holding = h * expected_on_hand`` with ``expected_on_hand = SS + Q/2`` (plus
  ``ESC`` for lost sales, where unmet demand does not eat into the next
  cycle's stock; floored at 0), where ``Q`` is the cycle demand (``mu_d R`` for
  periodic review); ``shortage = p * ESC * cycles per period``; ``ordering = K *
  cycles per period`` (``K D / Q`` or ``K / R``); ``total`` is their sum.
* **Gamma** lead-time demand (``distribution="gamma"``) for skewed demand: a
  gamma distribution with the same mean and standard deviation (shape ``a =
  mu^2 / sigma^2``, scale ``theta = sigma^2 / mu``); levels from
  ``scipy.stats.gamma.ppf``, loss from the closed form ``E[(X - x)^+] = mu
  (1 - F_{a+1}(x / theta)) - x (1 - F_a(x / theta))``. ``z`` is then the
  equivalent safety factor ``(level - mu) / sigma``.

Degenerate items: an item whose protection-interval demand has no variance
(``sigma = 0``) gets ``z = 0``, no safety stock and full service; a safety
factor is capped at :data:`Z_MAX` (a fill-rate target on an item with no
demand would otherwise need infinite stock).

Which optimal service level applies (:func:`cost_optimal_service_level`)
-----------------------------------------------------------------------
* ``shortage_basis="per_unit_period"`` (default) -- base stock / newsvendor
  with a backorder cost ``p`` per unit backordered **per period** (or per unit
  short in a single-period newsvendor) and holding cost ``h`` per unit per
  period: ``CSL* = p / (p + h)`` (the critical ratio; exact for a base-stock
  policy with backorders, as in :func:`base_stock_cost`). Lost sales: a lost
  unit costs the goodwill ``p`` plus the lost ``margin``:
  ``CSL* = (p + m) / (p + m + h)`` (the usual approximation).
* ``shortage_basis="per_unit"`` -- the cost model of :func:`policy_for_service`
  (``p`` per unit short, cycles of ``T`` periods: ``T = R`` or ``Q / mu_d``):
  backorders ``CSL* = 1 - h T / p`` (0 if negative: hold no safety stock), lost
  sales ``CSL* = (p + m) / (p + m + h T)`` (Hadley & Whitin). These minimise
  ``total_cost`` of :func:`policy_for_service` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from workbench.exceptions import ConfigError, MissingColumnsError
from workbench.inventory.checks import (
    as_numbers,
    nonnegative,
    one_of,
    positive,
    probability,
    require_all,
)
from workbench.validation import require_frame

__all__ = [
    "DISTRIBUTIONS",
    "POLICIES",
    "POLICY_COLUMNS",
    "SEARCH_RANGE",
    "SERVICE_TYPES",
    "SHORTAGE_BASES",
    "Z_MAX",
    "BaseStockCost",
    "InventoryPolicy",
    "ItemParams",
    "LeadTimeDemand",
    "OptimalServiceLevel",
    "achieved_fill_rate",
    "as_item_params",
    "base_stock_cost",
    "cost_optimal_service_level",
    "economic_order_quantity",
    "evaluate_policy",
    "gamma_loss",
    "inverse_standard_normal_loss",
    "item_params",
    "lead_time_demand",
    "normal_loss",
    "policy_for_service",
    "portfolio_optimal_service_level",
    "safety_factor_for_fill_rate",
    "standard_normal_loss",
]

SERVICE_TYPES = ("cycle", "fill_rate")
"""``"cycle"``: type 1 (probability of no stockout per cycle); ``"fill_rate"``: type 2."""
POLICIES = ("periodic", "continuous")
"""``"periodic"``: order-up-to (R, S); ``"continuous"``: reorder point, lot size (s, Q)."""
DISTRIBUTIONS = ("normal", "gamma")
"""Distributions of protection-interval demand."""
SHORTAGE_BASES = ("per_unit_period", "per_unit")
"""How a stockout cost is charged (see :func:`cost_optimal_service_level`)."""
Z_MAX = 8.0
SEARCH_RANGE = (0.5, 0.9999)
"""Cycle service levels within which cost optima are sought (50 % to 99.99 %).

An optimum outside it is reported at the nearer end and flagged
(:attr:`OptimalServiceLevel.at_bound`): it is then not the optimum, only the
best level considered."""
"""Largest safety factor returned (``1 - Phi(8)`` is about ``6e-16``)."""

POLICY_COLUMNS = (
    "service_level", "z", "cycle_service", "fill_rate", "safety_stock", "reorder_point",
    "order_up_to", "order_quantity", "ltd_mean", "ltd_sd", "expected_backorders",
    "expected_on_hand", "holding_cost", "shortage_cost", "ordering_cost", "total_cost",
)
"""Columns of :meth:`InventoryPolicy.to_frame`, in order."""

_SQRT_HALF_PI = np.sqrt(np.pi / 2.0)
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_SQRT2 = np.sqrt(2.0)


# --------------------------------------------------------------------------- validation

def _out(x: Any) -> np.ndarray | float:
    """0-d results as Python floats, arrays as float arrays."""
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


# --------------------------------------------------------------------------- loss functions

def standard_normal_loss(z: Any) -> np.ndarray | float:
    """Return the standard normal loss ``G(z) = E[(Z - z)^+] = phi(z) - z (1 - Phi(z))``.

    Parameters
    ----------
    z
        Safety factor(s); any shape.

    Returns
    -------
    ndarray or float
        ``G(z)``, same shape as ``z``. Accurate in both tails (computed as
        ``phi(|z|) (1 - |z| M(|z|))`` with the Mills ratio ``M`` from
        :func:`scipy.special.erfcx`, plus ``-z`` for negative ``z`` since
        ``G(z) - G(-z) = -z``).
    """
    z = np.asarray(z, dtype=float)
    a = np.minimum(np.abs(z), 40.0)  # G(40) ~ 1e-351 underflows to 0 anyway
    phi = np.exp(-0.5 * a * a) * _INV_SQRT_2PI
    mills = _SQRT_HALF_PI * special.erfcx(a / _SQRT2)
    g = phi * (1.0 - a * mills)
    return _out(np.where(z < 0, g - z, g))


_K_GRID = np.linspace(-10.0, Z_MAX + 0.5, 3701)
_LOG_G_GRID = np.log(np.asarray(standard_normal_loss(_K_GRID)))


def inverse_standard_normal_loss(x: Any) -> np.ndarray | float:
    """Safety factor ``k`` with ``G(k) = x``, vectorized.

    Starts from linear interpolation of ``log G`` on a fine grid of ``k``
    (``np.interp`` on the monotone curve) and polishes with three Newton steps on
    ``log G(k) - log x`` (``d log G / dk = -(1 - Phi(k)) / G(k)``): accurate to
    rounding for ``k`` in ``[-10, Z_MAX]``. Targets ``x >= 10`` return the
    asymptote ``k = -x`` (``G(-x) = x + G(x)``, ``G(x) < 1e-23``); targets
    needing ``k > Z_MAX`` (``x`` below about ``6e-17``, including 0) return
    :data:`Z_MAX`.

    Parameters
    ----------
    x
        Target loss(es), ``>= 0``; any shape.

    Returns
    -------
    ndarray or float
        ``k`` of the same shape.

    Raises
    ------
    ConfigError
        If any ``x`` is negative or NaN.
    """
    x = nonnegative("x", x, "inverse_standard_normal_loss")
    xmin = float(np.exp(_LOG_G_GRID[np.searchsorted(_K_GRID, Z_MAX)]))
    big = x >= 10.0
    xc = np.clip(x, xmin, 10.0)
    logx = np.log(xc)
    k = np.interp(-logx, -_LOG_G_GRID, _K_GRID)
    for _ in range(3):
        g = np.asarray(standard_normal_loss(k))
        q = special.ndtr(-k)
        k = k + (np.log(g) - logx) * g / q
    k = np.clip(k, -10.0, Z_MAX)
    k = np.where(x <= xmin, Z_MAX, k)
    return _out(np.where(big, -x, k))


def normal_loss(x: Any, mean: Any, sd: Any) -> np.ndarray | float:
    """Return the normal loss ``E[(X - x)^+]`` for ``X ~ N(mean, sd^2)``: ``sd G((x - mean) / sd)``.

    ``sd = 0`` gives ``max(mean - x, 0)``.
    """
    x, mean, sd = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, mean, sd)))
    safe = np.where(sd > 0, sd, 1.0)
    g = sd * np.asarray(standard_normal_loss((x - mean) / safe))
    return _out(np.where(sd > 0, g, np.maximum(mean - x, 0.0)))


def _gamma_shape_scale(mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = (sd > 0) & (mean > 0)
    shape = np.where(pos, mean**2 / np.where(pos, sd, 1.0) ** 2, 1.0)
    scale = np.where(pos, np.where(pos, sd, 1.0) ** 2 / np.where(pos, mean, 1.0), 1.0)
    return shape, scale


def gamma_loss(x: Any, mean: Any, sd: Any) -> np.ndarray | float:
    """Gamma loss ``E[(X - x)^+]`` for a gamma ``X`` with the given mean and sd.

    Closed form ``mean * Q(a + 1, x / theta) - x * Q(a, x / theta)`` with the
    regularized upper incomplete gamma function ``Q`` (:func:`scipy.special.gammaincc`),
    shape ``a = mean^2 / sd^2`` and scale ``theta = sd^2 / mean``; ``mean - x`` for
    ``x <= 0``; ``max(mean - x, 0)`` when ``sd = 0``.
    """
    x, mean, sd = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, mean, sd)))
    a, theta = _gamma_shape_scale(mean, sd)
    y = np.maximum(x, 0.0) / theta
    loss = mean * special.gammaincc(a + 1.0, y) - np.maximum(x, 0.0) * special.gammaincc(a, y)
    loss = np.where(x <= 0, mean - x, np.maximum(loss, 0.0))
    return _out(np.where((sd > 0) & (mean > 0), loss, np.maximum(mean - x, 0.0)))


def _gamma_level_for_loss(target: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Level ``x`` with gamma loss ``E[(X - x)^+] = target`` (safeguarded Newton, vectorized)."""
    a, theta = _gamma_shape_scale(mean, sd)
    # loss is convex and decreasing; loss(x) = mean - x for x <= 0.
    neg = target >= mean
    lo = np.zeros_like(mean)
    hi = mean + 60.0 * sd + 60.0 * theta * np.maximum(a, 1.0)
    x = np.where(neg, 0.0, mean)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        x = _gamma_newton(x, lo, hi, target, mean, sd, a, theta)
    return np.where(neg, mean - target, x)


def _gamma_newton(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, target: np.ndarray,
                  mean: np.ndarray, sd: np.ndarray, a: np.ndarray,
                  theta: np.ndarray) -> np.ndarray:
    """Newton steps on the convex gamma loss, bisecting when a step leaves the bracket."""
    for _ in range(100):
        loss = np.asarray(gamma_loss(x, mean, sd))
        f = loss - target
        lo = np.where(f > 0, x, lo)
        hi = np.where(f <= 0, x, hi)
        slope = special.gammaincc(a, np.maximum(x, 0.0) / theta)  # 1 - F(x) = -d loss / dx
        step = np.where(slope > 0, f / np.where(slope > 0, slope, 1.0), np.inf)
        nxt = x + step
        nxt = np.where((nxt > lo) & (nxt < hi), nxt, 0.5 * (lo + hi))
        if np.all(np.abs(nxt - x) <= 1e-12 * np.maximum(1.0, np.abs(x))):
            return nxt
        x = nxt
    return x


# --------------------------------------------------------------------------- demand

@dataclass(frozen=True)
class LeadTimeDemand:
    """Demand over the protection interval (lead time plus review period).

    Attributes
    ----------
    mean
        ``mu_d (L + R)``.
    sd
        ``sqrt((L + R) sigma_d^2 + mu_d^2 sigma_L^2)``.
    protection_interval
        ``L + R`` in periods.
    """

    mean: np.ndarray | float
    sd: np.ndarray | float
    protection_interval: np.ndarray | float


def lead_time_demand(mean_demand: Any, sd_demand: Any, lead_time: Any, *,
                     sd_lead_time: Any = 0.0, review_period: Any = 0.0) -> LeadTimeDemand:
    """Mean and standard deviation of demand over the protection interval ``L + R``.

    Parameters
    ----------
    mean_demand, sd_demand
        Mean and standard deviation of demand per period (``>= 0``).
    lead_time
        Mean replenishment lead time ``L`` in periods (``>= 0``).
    sd_lead_time
        Standard deviation of the lead time in periods (``>= 0``; default 0).
    review_period
        Review period ``R`` in periods (``>= 0``; 0 = continuous review).

    Returns
    -------
    LeadTimeDemand
        ``mean = mu_d (L + R)``, ``sd = sqrt((L + R) sigma_d^2 + mu_d^2 sigma_L^2)``.
        The lead-time variance term assumes the review period itself is fixed.

    Examples
    --------
    Chopra & Meindl: daily demand 2,500 (sd 500), lead time 7 days (sd 7):

    >>> ltd = lead_time_demand(2500, 500, 7, sd_lead_time=7)
    >>> round(ltd.sd)
    17550
    """
    where = "lead_time_demand"
    mu = nonnegative("mean_demand", mean_demand, where)
    sd = nonnegative("sd_demand", sd_demand, where)
    lt = nonnegative("lead_time", lead_time, where, " (periods)")
    sdl = nonnegative("sd_lead_time", sd_lead_time, where, " (periods)")
    rp = nonnegative("review_period", review_period, where, " (periods)")
    p = lt + rp
    return LeadTimeDemand(mean=_out(mu * p), sd=_out(np.sqrt(p * sd**2 + mu**2 * sdl**2)),
                          protection_interval=_out(p))


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class InventoryPolicy:
    """An inventory policy and its expected performance, one value per item.

    All quantities are arrays of the broadcast shape of the inputs (floats for
    scalar inputs); costs are per period.

    Attributes
    ----------
    service_level
        The target (of type :attr:`service_type`); for :func:`evaluate_policy`,
        the achieved cycle service level.
    z
        Safety factor ``k`` (for gamma demand: ``safety_stock / ltd_sd``).
    cycle_service
        Achieved type-1 service: probability of no stockout per cycle.
    fill_rate
        Achieved type-2 service: fraction of demand filled from stock.
    safety_stock
        ``level - ltd_mean``.
    reorder_point
        ``s`` (continuous review); for periodic review equal to ``order_up_to``
        (an order is placed at every review that finds the position below ``S``).
    order_up_to
        ``S`` (periodic review); ``s + Q`` for continuous review (largest inventory
        position).
    order_quantity
        ``Q`` (continuous review) or the mean order ``mu_d R`` (periodic).
    ltd_mean, ltd_sd
        Mean and sd of protection-interval demand.
    expected_backorders
        Expected units short per replenishment cycle (``ESC = sigma G(k)``).
    expected_on_hand
        Average on-hand stock, ``SS + Q/2`` (+ ``ESC`` for lost sales), floored at 0.
    holding_cost, shortage_cost, ordering_cost, total_cost
        Expected costs per period.
    policy, service_type, distribution, lost_sales
        How the policy was computed.
    """

    service_level: np.ndarray | float
    z: np.ndarray | float
    cycle_service: np.ndarray | float
    fill_rate: np.ndarray | float
    safety_stock: np.ndarray | float
    reorder_point: np.ndarray | float
    order_up_to: np.ndarray | float
    order_quantity: np.ndarray | float
    ltd_mean: np.ndarray | float
    ltd_sd: np.ndarray | float
    expected_backorders: np.ndarray | float
    expected_on_hand: np.ndarray | float
    holding_cost: np.ndarray | float
    shortage_cost: np.ndarray | float
    ordering_cost: np.ndarray | float
    total_cost: np.ndarray | float
    policy: str = "periodic"
    service_type: str = "cycle"
    distribution: str = "normal"
    lost_sales: bool = False

    def to_frame(self, index: Any = None) -> pd.DataFrame:
        """One row per item (flattened in C order), columns :data:`POLICY_COLUMNS`.

        Parameters
        ----------
        index
            Optional row labels (e.g. item ids), one per flattened value.
        """
        cols = {name: np.ravel(np.asarray(getattr(self, name), dtype=float))
                for name in POLICY_COLUMNS}
        n = max(v.size for v in cols.values())
        cols = {k: np.broadcast_to(v, (n,)) if v.size == 1 else v for k, v in cols.items()}
        return pd.DataFrame(cols, index=index)


# --------------------------------------------------------------------------- core

def _levels_for(service_type: str, target: np.ndarray, ltd_mean: np.ndarray,
                ltd_sd: np.ndarray, cycle_demand: np.ndarray, *, continuous: bool,
                lost_sales: bool, distribution: str) -> np.ndarray:
    """Reorder point / order-up-to level reaching ``target`` (vectorized)."""
    if service_type == "cycle":
        if distribution == "normal":
            z = np.minimum(special.ndtri(target), Z_MAX)
            return ltd_mean + z * ltd_sd
        a, theta = _gamma_shape_scale(ltd_mean, ltd_sd)
        lvl = stats.gamma.ppf(target, a, scale=theta)
        return np.where((ltd_sd > 0) & (ltd_mean > 0), lvl, ltd_mean)
    if continuous and lost_sales:
        esc = cycle_demand * (1.0 - target) / target
    else:
        esc = cycle_demand * (1.0 - target)
    if distribution == "normal":
        safe = np.where(ltd_sd > 0, ltd_sd, 1.0)
        k = np.asarray(inverse_standard_normal_loss(esc / safe))
        return ltd_mean + np.where(ltd_sd > 0, k, 0.0) * ltd_sd
    lvl = _gamma_level_for_loss(esc, ltd_mean, np.where(ltd_sd > 0, ltd_sd, 0.0))
    lvl = np.minimum(lvl, ltd_mean + Z_MAX * ltd_sd)
    return np.where((ltd_sd > 0) & (ltd_mean > 0), lvl, ltd_mean)


def _evaluate(level: np.ndarray, *, ltd_mean: np.ndarray, ltd_sd: np.ndarray,
              cycle_demand: np.ndarray, continuous: bool, distribution: str,
              lost_sales: bool) -> tuple[np.ndarray, ...]:
    """Return expected on-hand, ESC, cycle service, fill rate, z and safety stock at ``level``."""
    ss = level - ltd_mean
    pos = ltd_sd > 0
    safe = np.where(pos, ltd_sd, 1.0)
    z = np.where(pos, ss / safe, 0.0)
    if distribution == "normal":
        csl = np.where(pos, special.ndtr(z), (ss >= 0).astype(float))
        esc = np.asarray(normal_loss(level, ltd_mean, ltd_sd))
    else:
        a, theta = _gamma_shape_scale(ltd_mean, ltd_sd)
        g_ok = pos & (ltd_mean > 0)
        csl = np.where(g_ok, stats.gamma.cdf(level, a, scale=theta), (ss >= 0).astype(float))
        esc = np.asarray(gamma_loss(level, ltd_mean, ltd_sd))
    with np.errstate(divide="ignore", invalid="ignore"):
        if continuous and lost_sales:
            fill = cycle_demand / (cycle_demand + esc)
        else:
            fill = 1.0 - esc / cycle_demand
    fill = np.where(cycle_demand > 0, np.clip(fill, 0.0, 1.0), 1.0)
    on_hand = ss + 0.5 * cycle_demand + (esc if lost_sales else 0.0)
    on_hand = np.maximum(on_hand, 0.0)
    return on_hand, esc, csl, fill, z, ss


def _policy(service_level: np.ndarray | None, level: np.ndarray | None, *, where: str,
            mean_demand: Any, sd_demand: Any, lead_time: Any, service_type: str, policy: str,
            review_period: Any, order_quantity: Any, sd_lead_time: Any, holding_cost: Any,
            stockout_cost: Any, ordering_cost: Any, distribution: str,
            lost_sales: bool, z_factor: np.ndarray | None = None) -> InventoryPolicy:
    one_of("service_type", service_type, SERVICE_TYPES, where)
    one_of("policy", policy, POLICIES, where)
    one_of("distribution", distribution, DISTRIBUTIONS, where)
    continuous = policy == "continuous"
    mu = nonnegative("mean_demand", mean_demand, where)
    sd = nonnegative("sd_demand", sd_demand, where)
    lt = nonnegative("lead_time", lead_time, where, " (periods)")
    sdl = nonnegative("sd_lead_time", sd_lead_time, where, " (periods)")
    h = nonnegative("holding_cost", holding_cost, where, " (per unit per period)")
    p = nonnegative("stockout_cost", stockout_cost, where, " (per unit short)")
    k_cost = nonnegative("ordering_cost", ordering_cost, where, " (per order)")
    if continuous:
        if order_quantity is None:
            raise ConfigError(f"{where}: policy='continuous' needs order_quantity (Q); got None.",
                              key="order_quantity", value=None,
                              fix="pass order_quantity (lot size, e.g. the item's lot_size or "
                                  "economic_order_quantity(...)), or use policy='periodic'.")
        q = positive("order_quantity", order_quantity, where, " (units)")
        rp = np.zeros(())
    else:
        if order_quantity is not None:
            raise ConfigError(
                f"{where}: order_quantity applies to policy='continuous' only; got "
                f"order_quantity={order_quantity!r} with policy='periodic'.",
                key="order_quantity", value=order_quantity,
                fix="drop order_quantity (periodic review orders mean_demand * review_period "
                    "on average) or pass policy='continuous'.")
        rp = positive("review_period", review_period, where, " (periods)")
        q = mu * rp
    ltd = lead_time_demand(mu, sd, lt, sd_lead_time=sdl, review_period=rp)
    ltd_mean = np.asarray(ltd.mean, dtype=float)
    ltd_sd = np.asarray(ltd.sd, dtype=float)
    shape = np.broadcast_shapes(ltd_mean.shape, q.shape, h.shape, p.shape, k_cost.shape,
                                () if service_level is None else service_level.shape,
                                () if level is None else level.shape,
                                () if z_factor is None else z_factor.shape)
    if level is None and z_factor is not None:  # a textbook's rounded safety factor
        target = service_level
        level = ltd_mean + z_factor * ltd_sd
    elif level is None:
        target = service_level
        level = _levels_for(service_type, service_level, ltd_mean, ltd_sd, q,
                            continuous=continuous, lost_sales=lost_sales,
                            distribution=distribution)
    else:
        target = None
    level = np.broadcast_to(level, shape)
    on_hand, esc, csl, fill, z, ss = _evaluate(
        level, ltd_mean=ltd_mean, ltd_sd=ltd_sd, cycle_demand=q, continuous=continuous,
        distribution=distribution, lost_sales=lost_sales)
    if continuous:
        cycles = mu / q  # orders per period, D / Q
    else:
        cycles = 1.0 / rp
    hold = h * on_hand
    short = p * esc * cycles
    order = k_cost * cycles
    if target is None:
        target = csl
    b = lambda v: _out(np.broadcast_to(np.asarray(v, dtype=float), shape))  # noqa: E731
    return InventoryPolicy(
        service_level=b(target), z=b(z), cycle_service=b(csl), fill_rate=b(fill),
        safety_stock=b(ss), reorder_point=b(level),
        order_up_to=b(level + q if continuous else level), order_quantity=b(q),
        ltd_mean=b(ltd_mean), ltd_sd=b(ltd_sd), expected_backorders=b(esc),
        expected_on_hand=b(on_hand), holding_cost=b(hold), shortage_cost=b(short),
        ordering_cost=b(order), total_cost=b(hold + short + order), policy=policy,
        service_type=service_type, distribution=distribution, lost_sales=bool(lost_sales))


def policy_for_service(mean_demand: Any, sd_demand: Any, lead_time: Any, service_level: Any, *,
                       service_type: str = "cycle", policy: str = "periodic",
                       review_period: Any = 1.0, order_quantity: Any = None,
                       sd_lead_time: Any = 0.0, holding_cost: Any = 0.0,
                       stockout_cost: Any = 0.0, ordering_cost: Any = 0.0,
                       distribution: str = "normal", lost_sales: bool = False,
                       z: Any = None) -> InventoryPolicy:
    """Safety stock, reorder point / order-up-to level and costs for a service target.

    Parameters
    ----------
    mean_demand, sd_demand
        Demand per period (mean, standard deviation), one per item.
    lead_time
        Mean lead time ``L`` in periods.
    service_level
        Target in ``(0, 1)``: a cycle service level (``service_type="cycle"``,
        ``k = Phi^{-1}(CSL)``) or a fill rate (``"fill_rate"``, ``k`` from
        ``G(k) = ESC / sigma`` -- see the module docstring). Broadcasts against the
        item arrays (e.g. shape ``(levels, 1)`` for a curve).
    service_type
        ``"cycle"`` (type 1) or ``"fill_rate"`` (type 2).
    policy
        ``"periodic"`` (order-up-to ``S`` every ``review_period``; protection
        ``L + R``) or ``"continuous"`` (reorder point ``s`` and lot size
        ``order_quantity``; protection ``L``).
    review_period
        ``R`` in periods (periodic review only; default 1).
    order_quantity
        ``Q`` (continuous review only; required there).
    sd_lead_time
        Lead-time standard deviation in periods.
    holding_cost
        ``h`` per unit per period.
    stockout_cost
        ``p`` per unit short.
    ordering_cost
        ``K`` per order.
    distribution
        ``"normal"`` or ``"gamma"`` protection-interval demand.
    lost_sales
        Unmet demand is lost (changes the fill-rate equation for continuous review
        and adds ``ESC`` to the expected on-hand stock).
    z
        The safety factor as a textbook rounds it from its table (``1.65`` for 95 %,
        ``2.33`` for 99 %), used instead of ``Phi^{-1}(service_level)`` so that a worked
        example is reproduced to the digit (cycle service, normal demand only). It
        must agree with ``service_level`` to within 0.005 (``Phi(1.65) = 0.9505``); the
        result's ``cycle_service`` is the level ``z`` really gives.

    Returns
    -------
    InventoryPolicy

    Raises
    ------
    ConfigError
        For negative or missing quantities, targets outside ``(0, 1)``, unknown
        options, a missing ``order_quantity`` under continuous review, a ``z`` with a
        fill-rate target or gamma demand, or a ``z`` that does not match ``service_level``.

    Examples
    --------
    Chopra & Meindl: weekly demand 2,500 (sd 500), lead time 2 weeks, CSL 90 %,
    continuous review:

    >>> pol = policy_for_service(2500, 500, 2, 0.90, policy="continuous",
    ...                          order_quantity=10_000)
    >>> round(pol.safety_stock), round(pol.reorder_point)
    (906, 5906)

    A textbook's table value: lead-time demand 50 (sd 5), 95 % with ``z = 1.65``
    gives the book's reorder point 50 + 1.65 x 5 = 58.25 (58.22 with the exact z):

    >>> float(policy_for_service(50, 5, 1, 0.95, policy="continuous", order_quantity=100,
    ...                          z=1.65).reorder_point)
    58.25
    """
    where = "policy_for_service"
    target = probability("service_level", service_level, where)
    z_factor = None
    if z is not None:
        z_factor = _textbook_z(z, target, service_type, distribution, where)
    return _policy(target, None, where=where, mean_demand=mean_demand, sd_demand=sd_demand,
                   lead_time=lead_time, service_type=service_type, policy=policy,
                   review_period=review_period, order_quantity=order_quantity,
                   sd_lead_time=sd_lead_time, holding_cost=holding_cost,
                   stockout_cost=stockout_cost, ordering_cost=ordering_cost,
                   distribution=distribution, lost_sales=lost_sales, z_factor=z_factor)


def _textbook_z(z: Any, target: np.ndarray, service_type: str, distribution: str,
                where: str) -> np.ndarray:
    """Check a textbook safety factor: cycle service, normal demand, matching the target."""
    if service_type != "cycle" or distribution != "normal":
        raise ConfigError(f"{where}: z applies to a cycle service level with normal demand; "
                          f"got service_type={service_type!r}, distribution={distribution!r}.",
                          key="z", value=z, fix="drop z, or use service_type='cycle' with "
                                                "distribution='normal'.")
    factor = nonnegative("z", z, where)
    gap = np.abs(special.ndtr(factor) - target)
    if np.any(gap > 0.005):
        i = int(np.argmax(gap))
        zf, tf = np.broadcast_arrays(factor, target)
        raise ConfigError(
            f"{where}: z={zf.flat[i]:g} gives a cycle service level of "
            f"{special.ndtr(zf.flat[i]):.4f}, not the service_level {tf.flat[i]:g}.",
            key="z", value=float(zf.flat[i]),
            fix="pass the z the textbook's table gives for this service level (1.65 for "
                "0.95, 2.33 for 0.99), or leave z out for the exact value.")
    return factor


def evaluate_policy(mean_demand: Any, sd_demand: Any, lead_time: Any, *,
                    reorder_point: Any = None, order_up_to: Any = None,
                    policy: str = "periodic", review_period: Any = 1.0,
                    order_quantity: Any = None, sd_lead_time: Any = 0.0,
                    holding_cost: Any = 0.0, stockout_cost: Any = 0.0,
                    ordering_cost: Any = 0.0, distribution: str = "normal",
                    lost_sales: bool = False) -> InventoryPolicy:
    """Evaluate the expected service and cost of a *given* reorder point or order-up-to level.

    Parameters are those of :func:`policy_for_service`; instead of a target pass
    ``reorder_point`` (``s``, continuous review) or ``order_up_to`` (``S``,
    periodic review). ``service_level`` of the result is the achieved cycle
    service level.

    Raises
    ------
    ConfigError
        If the level that the policy needs is missing (or both are given).
    """
    where = "evaluate_policy"
    one_of("policy", policy, POLICIES, where)
    name, value = (("reorder_point", reorder_point) if policy == "continuous"
                   else ("order_up_to", order_up_to))
    other = order_up_to if policy == "continuous" else reorder_point
    if value is None or other is not None:
        raise ConfigError(
            f"{where}: policy={policy!r} is evaluated at {name} only; got reorder_point="
            f"{reorder_point!r}, order_up_to={order_up_to!r}.", key=name, value=value,
            fix="pass reorder_point=s with policy='continuous', or order_up_to=S with "
                "policy='periodic'.")
    level = as_numbers(name, value, where)
    require_all(name, level, np.isfinite(level), "finite", where, f"check {name} for NaN or inf.")
    return _policy(None, level, where=where, mean_demand=mean_demand, sd_demand=sd_demand,
                   lead_time=lead_time, service_type="cycle", policy=policy,
                   review_period=review_period, order_quantity=order_quantity,
                   sd_lead_time=sd_lead_time, holding_cost=holding_cost,
                   stockout_cost=stockout_cost, ordering_cost=ordering_cost,
                   distribution=distribution, lost_sales=lost_sales)


def safety_factor_for_fill_rate(fill_rate: Any, sd_ltd: Any, cycle_demand: Any, *,
                                lost_sales: bool = False) -> np.ndarray | float:
    """Safety factor ``k`` for a fill-rate target (normal protection-interval demand).

    Solves ``G(k) = cycle_demand (1 - beta) / sd_ltd`` (backorders, or any
    periodic review) or ``G(k) = cycle_demand (1 - beta) / (beta sd_ltd)``
    (continuous review with lost sales), vectorized.

    Parameters
    ----------
    fill_rate
        Target ``beta`` in ``(0, 1)``.
    sd_ltd
        Standard deviation of protection-interval demand (``> 0``).
    cycle_demand
        Demand per replenishment cycle: ``Q`` (continuous review) or ``mu_d R``.
    lost_sales
        Use the lost-sales equation (continuous review only).

    Examples
    --------
    Chopra & Meindl: ``Q = 10,000``, ``sigma_L = 707``, fill rate 97.5 % ->
    ``G(k) = 250 / 707 = 0.354``:

    >>> round(safety_factor_for_fill_rate(0.975, 500 * 2 ** 0.5, 10_000) * 500 * 2 ** 0.5)
    67
    """
    where = "safety_factor_for_fill_rate"
    beta = probability("fill_rate", fill_rate, where)
    s = positive("sd_ltd", sd_ltd, where)
    q = nonnegative("cycle_demand", cycle_demand, where)
    esc = q * (1.0 - beta) / (beta if lost_sales else 1.0)
    return inverse_standard_normal_loss(esc / s)


def achieved_fill_rate(reorder_point: Any, order_quantity: Any, ltd_mean: Any, ltd_sd: Any, *,
                       distribution: str = "normal",
                       lost_sales: bool = False) -> np.ndarray | float:
    """Fill rate of a continuous-review (s, Q) policy: ``1 - ESC / Q``.

    ``ESC = E[(X - s)^+]`` for protection-interval demand ``X`` (normal or gamma
    with mean ``ltd_mean`` and sd ``ltd_sd``). With lost sales: ``Q / (Q + ESC)``.
    For periodic review pass ``order_quantity = mu_d R`` and ``lost_sales=False``
    (the periodic fill rate is ``1 - ESC / (mu_d R)`` in both modes).
    """
    where = "achieved_fill_rate"
    one_of("distribution", distribution, DISTRIBUTIONS, where)
    s = as_numbers("reorder_point", reorder_point, where)
    q = positive("order_quantity", order_quantity, where)
    m = nonnegative("ltd_mean", ltd_mean, where)
    sd = nonnegative("ltd_sd", ltd_sd, where)
    esc = np.asarray(normal_loss(s, m, sd) if distribution == "normal" else gamma_loss(s, m, sd))
    fill = q / (q + esc) if lost_sales else 1.0 - esc / q
    return _out(np.clip(fill, 0.0, 1.0))


@dataclass(frozen=True)
class BaseStockCost:
    """Newsvendor / base-stock expectations at the end of a period.

    Attributes
    ----------
    expected_on_hand
        ``E[(S - X)^+]``.
    expected_backorders
        ``E[(X - S)^+]``.
    cost
        ``h E[(S - X)^+] + p E[(X - S)^+]`` per period.
    """

    expected_on_hand: np.ndarray | float
    expected_backorders: np.ndarray | float
    cost: np.ndarray | float


def base_stock_cost(order_up_to: Any, ltd_mean: Any, ltd_sd: Any, holding_cost: Any,
                    backorder_cost: Any, *, distribution: str = "normal") -> BaseStockCost:
    """Compute the expected end-of-period on-hand, backorders and cost of a base-stock level.

    The newsvendor cost ``g(S) = h E[(S - X)^+] + p E[(X - S)^+]`` where ``X`` is
    demand over the protection interval (``L + 1`` periods for a periodic
    base-stock policy reviewed every period) and ``p`` is charged per unit
    backordered **per period**. It is the exact per-period cost of a base-stock
    policy with backorders (as in ``stockpyl.newsvendor.newsvendor_normal`` with
    ``lead_time = L``) and is minimised at ``CSL = p / (p + h)``.
    """
    where = "base_stock_cost"
    one_of("distribution", distribution, DISTRIBUTIONS, where)
    s = as_numbers("order_up_to", order_up_to, where)
    m = nonnegative("ltd_mean", ltd_mean, where)
    sd = nonnegative("ltd_sd", ltd_sd, where)
    h = nonnegative("holding_cost", holding_cost, where)
    p = nonnegative("backorder_cost", backorder_cost, where)
    bo = np.asarray(normal_loss(s, m, sd) if distribution == "normal" else gamma_loss(s, m, sd))
    oh = s - m + bo
    return BaseStockCost(expected_on_hand=_out(oh), expected_backorders=_out(bo),
                         cost=_out(h * oh + p * bo))


def cost_optimal_service_level(holding_cost: Any, stockout_cost: Any, *,
                               shortage_basis: str = "per_unit_period",
                               lost_sales: bool = False, margin: Any = 0.0,
                               cycle_length: Any = 1.0) -> np.ndarray | float:
    """Cycle service level that minimises expected cost (critical ratio).

    Parameters
    ----------
    holding_cost
        ``h`` per unit per period (``>= 0``).
    stockout_cost
        ``p``: per unit backordered per period (``shortage_basis="per_unit_period"``)
        or per unit short (``"per_unit"``); for lost sales, the goodwill cost.
    shortage_basis
        ``"per_unit_period"`` (base stock / newsvendor, default) or ``"per_unit"``
        (the cost model of :func:`policy_for_service`).
    lost_sales
        Unmet demand is lost; the lost ``margin`` is added to ``p``.
    margin
        Profit lost per unit of lost sale (lost sales only).
    cycle_length
        ``T`` in periods for ``"per_unit"``: the review period ``R``, or ``Q / mu_d``
        for continuous review.

    Returns
    -------
    ndarray or float
        ``p / (p + h)`` (backorders, per unit and period), ``(p + m) / (p + m + h)``
        (lost sales, per unit and period), ``max(1 - h T / p, 0)`` (backorders,
        per unit) or ``(p + m) / (p + m + h T)`` (lost sales, per unit). See the
        module docstring for when each applies. Items with ``p + m = 0`` get 0.

    Examples
    --------
    >>> round(cost_optimal_service_level(0.18, 0.70), 4)  # Snyder & Shen, example 4.3
    0.7955
    """
    where = "cost_optimal_service_level"
    one_of("shortage_basis", shortage_basis, SHORTAGE_BASES, where)
    h = nonnegative("holding_cost", holding_cost, where)
    p = nonnegative("stockout_cost", stockout_cost, where)
    m = nonnegative("margin", margin, where)
    t = positive("cycle_length", cycle_length, where, " (periods)")
    if not lost_sales:
        require_all("margin", m, m == 0, "0 unless lost_sales=True", where,
                 "pass lost_sales=True to count the lost margin, or add it to stockout_cost.")
    u = p + m if lost_sales else p
    with np.errstate(divide="ignore", invalid="ignore"):
        if shortage_basis == "per_unit_period":
            ratio = u / (u + h)
        elif lost_sales:
            ratio = u / (u + h * t)
        else:
            ratio = np.maximum(1.0 - h * t / u, 0.0)
    return _out(np.where(u > 0, np.nan_to_num(ratio, nan=1.0), 0.0))


@dataclass(frozen=True)
class OptimalServiceLevel:
    """A cost-optimal cycle service level and whether it lies inside the range searched.

    Attributes
    ----------
    level
        The optimum, or the nearer end of ``search_range`` when it lies outside.
    unbounded
        The optimum by the closed form, wherever it lies (may be outside the range).
    at_bound
        ``True`` when the optimum lies outside ``search_range``: ``level`` is then
        only the best level considered, and the cost keeps falling beyond it.
    bound
        ``"high"`` (the cost keeps falling above the range), ``"low"`` (below it)
        or ``""`` (inside).
    search_range
        The levels considered, ``(lowest, highest)``.
    """

    level: float
    unbounded: float
    at_bound: bool
    bound: str
    search_range: tuple[float, float]


def portfolio_optimal_service_level(holding_cost: Any, stockout_cost: Any, ltd_sd: Any, *,
                                    cycle_length: Any = 1.0,
                                    search_range: tuple[float, float] = SEARCH_RANGE,
                                    ) -> OptimalServiceLevel:
    r"""Cycle service level that minimises the total cost of items planned at one common level.

    Under the cost model of :func:`policy_for_service` with backorders and normal
    protection-interval demand, planning every item at ``CSL = Phi(k)`` costs per
    period ``sum_i h_i sigma_i k + p_i sigma_i G(k) / T_i`` plus terms that do not
    depend on ``k``. Its derivative ``sum_i h_i sigma_i - (1 - Phi(k)) sum_i p_i
    sigma_i / T_i`` vanishes at the critical ratio

    .. math:: 1 - CSL^* = \frac{\sum_i h_i \sigma_i}{\sum_i p_i \sigma_i / T_i}

    (convex, so it is the minimum). For one item it is ``1 - h T / p``
    (:func:`cost_optimal_service_level` with ``shortage_basis="per_unit"``).

    Parameters
    ----------
    holding_cost
        ``h`` per unit per period, per item (``>= 0``).
    stockout_cost
        ``p`` per unit short, per item (``>= 0``).
    ltd_sd
        Standard deviation of protection-interval demand ``sigma``, per item (``>= 0``).
    cycle_length
        ``T`` in periods (the review period ``R`` for periodic review; ``> 0``).
    search_range
        ``(lowest, highest)`` levels considered; an optimum outside is flagged.

    Returns
    -------
    OptimalServiceLevel
        The optimum, clipped to ``search_range`` and flagged when outside. With no
        shortage cost (or no variance weighted by it) the optimum is to hold no
        safety stock at all: ``unbounded = 0`` and the lowest level, flagged.

    Examples
    --------
    ``h = 1``, ``p = 20`` per unit short, weekly review: ``1 - 1/20 = 95 %``:

    >>> best = portfolio_optimal_service_level(1.0, 20.0, 30.0)
    >>> round(best.level, 6), best.at_bound
    (0.95, False)

    ``h = 1``, ``p = 100,000``: ``99.999 %``, above the highest level searched:

    >>> best = portfolio_optimal_service_level([1.0, 1.0], [1e5, 1e5], [10.0, 50.0])
    >>> round(best.unbounded, 6), best.level, best.at_bound, best.bound
    (0.99999, 0.9999, True, 'high')
    """
    where = "portfolio_optimal_service_level"
    h = nonnegative("holding_cost", holding_cost, where)
    p = nonnegative("stockout_cost", stockout_cost, where)
    sd = nonnegative("ltd_sd", ltd_sd, where)
    t = positive("cycle_length", cycle_length, where, " (periods)")
    h, p, sd, t = np.broadcast_arrays(h, p, sd, t)
    low, high = (float(v) for v in search_range)
    if not 0.0 < low < high < 1.0:
        raise ConfigError(f"{where}: search_range must be two cycle service levels with "
                          f"0 < lowest < highest < 1; got {search_range!r}.", key="search_range",
                          value=search_range, fix="pass e.g. search_range=(0.5, 0.9999).")
    held, short = float((h * sd).sum()), float((p * sd / t).sum())
    unbounded = 1.0 - held / short if short > 0 else 0.0
    level = min(max(unbounded, low), high)
    bound = "high" if unbounded > high else "low" if unbounded < low else ""
    return OptimalServiceLevel(level=level, unbounded=unbounded, at_bound=bool(bound),
                               bound=bound, search_range=(low, high))


def economic_order_quantity(ordering_cost: Any, holding_cost: Any,
                            demand_rate: Any) -> np.ndarray | float:
    """EOQ ``sqrt(2 K D / h)`` (``K`` per order, ``h`` per unit per period, ``D`` per period)."""
    where = "economic_order_quantity"
    k = nonnegative("ordering_cost", ordering_cost, where)
    h = positive("holding_cost", holding_cost, where)
    d = nonnegative("demand_rate", demand_rate, where)
    return _out(np.sqrt(2.0 * k * d / h))


# --------------------------------------------------------------------------- item master

@dataclass(frozen=True)
class ItemParams:
    """Per-item planning parameters in period units (one array entry per item).

    Built by :func:`item_params` from an items frame.
    """

    item_id: np.ndarray
    mean_demand: np.ndarray
    sd_demand: np.ndarray
    lead_time: np.ndarray
    sd_lead_time: np.ndarray
    review_period: np.ndarray
    holding_cost: np.ndarray
    stockout_cost: np.ndarray
    ordering_cost: np.ndarray
    order_quantity: np.ndarray
    """Lot size ``Q`` (NaN where the items frame gives none)."""

    @property
    def n_items(self) -> int:
        """Number of items."""
        return int(self.item_id.size)

    def to_frame(self) -> pd.DataFrame:
        """Return the parameters as a frame, one row per item."""
        return pd.DataFrame({f.name: getattr(self, f.name) for f in fields(self)})


def _column(items: pd.DataFrame, names: tuple[str, ...]) -> pd.Series | None:
    for n in names:
        if n in items.columns:
            return items[n]
    return None


def item_params(items: pd.DataFrame, *, holding_rate: float = 0.25,
                periods_per_year: float = 52.0, period_days: float = 7.0,
                stockout_cost: Any = None, ordering_cost: Any = 0.0,
                review_period: Any = 1.0, sd_lead_time: Any = 0.0) -> ItemParams:
    """Per-period planning parameters from an items frame.

    Columns (one row per item; data-model names where they exist, see
    :data:`workbench.schema.ITEMS`):

    ``item_id``
        Item identifier (or the frame's index if there is no such column).
    ``mean_demand``, ``sd_demand`` (required)
        Demand per period.
    ``lead_time`` or ``lead_time_days`` (one required)
        Lead time in periods, or in days (divided by ``period_days``).
    ``sd_lead_time`` or ``sd_lead_time_days``
        Lead-time standard deviation (default: the ``sd_lead_time`` argument).
    ``holding_cost`` or ``unit_cost``
        Holding cost per unit per period, or the unit cost from the item master
        (``h = unit_cost * holding_rate / periods_per_year``). One is required.
    ``stockout_cost``, ``ordering_cost``, ``review_period``
        Per unit short, per order, periods; default: the arguments of the same names.
    ``order_quantity`` or ``lot_size``
        Lot size ``Q`` (NaN or <= 0 = none).

    Parameters
    ----------
    items
        The items frame.
    holding_rate
        Annual holding cost as a fraction of unit cost.
    periods_per_year
        Periods in a year (52 for weeks).
    period_days
        Days in a period (7 for weeks).
    stockout_cost
        Default stockout cost per unit short (0 if None and no column).
    ordering_cost, review_period, sd_lead_time
        Defaults for items frames without these columns.

    Raises
    ------
    FrameTypeError
        ``items`` is not a DataFrame.
    MissingColumnsError
        A required column is missing (a ``NotAvailableError``).
    RangeError
        A value is out of range.
    """
    where = "item_params"
    require_frame(items, "items", hint="pass a frame with item_id, mean_demand, sd_demand, "
                                       "lead_time and unit_cost (or holding_cost) columns.")

    def need(names: tuple[str, ...], what: str) -> pd.Series:
        col = _column(items, names)
        if col is None:
            raise MissingColumnsError("items", [" or ".join(names)],
                                      [str(c) for c in items.columns],
                                      hint=f"{where} needs it ({what}).")
        return col

    ids = items["item_id"] if "item_id" in items.columns else items.index.to_series()
    ids = np.asarray(ids.astype(str))
    n = len(items)

    def arr(col: pd.Series | None, default: Any, name: str, scale: float = 1.0) -> np.ndarray:
        if col is None:
            out = np.broadcast_to(as_numbers(name, default, where), (n,)).astype(float)
        else:
            out = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            out = out * scale
        require_all(name, out, np.isfinite(out) & (out >= 0), "a finite number >= 0", where,
                 f"fill in or correct {name} for every item.")
        return out

    mu = arr(need(("mean_demand",), "mean demand per period"), None, "mean_demand")
    sd = arr(need(("sd_demand",), "standard deviation of demand per period"), None, "sd_demand")
    if "lead_time" in items.columns:
        lt = arr(items["lead_time"], None, "lead_time")
    else:
        lt = arr(need(("lead_time", "lead_time_days"), "lead time"), None, "lead_time_days",
                 1.0 / period_days)
    if "sd_lead_time" in items.columns:
        sdl = arr(items["sd_lead_time"], None, "sd_lead_time")
    elif "sd_lead_time_days" in items.columns:
        sdl = arr(items["sd_lead_time_days"], None, "sd_lead_time_days", 1.0 / period_days)
    else:
        sdl = arr(None, sd_lead_time, "sd_lead_time")
    if "holding_cost" in items.columns:
        h = arr(items["holding_cost"], None, "holding_cost")
    else:
        h = arr(need(("holding_cost", "unit_cost"), "cost to value holding"), None, "unit_cost",
                holding_rate / periods_per_year)
    p = arr(_column(items, ("stockout_cost",)), 0.0 if stockout_cost is None else stockout_cost,
            "stockout_cost")
    k = arr(_column(items, ("ordering_cost",)), ordering_cost, "ordering_cost")
    rp = arr(_column(items, ("review_period",)), review_period, "review_period")
    require_all("review_period", rp, rp > 0, "> 0 periods", where, "use review_period=1 for weekly "
             "review of weekly buckets.")
    qcol = _column(items, ("order_quantity", "lot_size"))
    if qcol is None:
        q = np.full(n, np.nan)
    else:
        q = pd.to_numeric(qcol, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        q = np.where(q > 0, q, np.nan)
    return ItemParams(item_id=ids, mean_demand=mu, sd_demand=sd, lead_time=lt, sd_lead_time=sdl,
                      review_period=rp, holding_cost=h, stockout_cost=p, ordering_cost=k,
                      order_quantity=q)


def as_item_params(items: pd.DataFrame | ItemParams | Mapping[str, Any],
                   **kwargs: Any) -> ItemParams:
    """:class:`ItemParams` from an ItemParams (returned as is), a frame or a mapping of columns.

    Parameters
    ----------
    items
        The items.
    **kwargs
        Passed to :func:`item_params` for a frame or mapping.

    Returns
    -------
    ItemParams
    """
    if isinstance(items, ItemParams):
        return items
    if isinstance(items, Mapping):
        items = pd.DataFrame(dict(items))
    return item_params(items, **kwargs)
