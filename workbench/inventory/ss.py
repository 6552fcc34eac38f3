"""Periodic-review (s, S) policies: exact optimum for discrete demand, power approximation.

Model (as in ``stockpyl.ss`` and Zheng & Federgruen, 1991): every period the
inventory position ``IP`` is reviewed; if ``IP <= s`` an order lifts it to ``S``
(fixed cost ``K`` per order). An order placed at the start of period ``t``
arrives ``L`` whole periods later, so the net inventory at the end of period
``t + L`` is the position after ordering minus demand over ``L + 1`` periods.
Costs are charged on the end-of-period net inventory: ``h`` per unit on hand and
``p`` per unit backordered, per period. The one-period cost of a position ``y``
is the newsvendor cost ``g(y) = h E[(y - X)^+] + p E[(X - y)^+]`` with ``X`` the
demand over ``L + 1`` periods, and the long-run cost per period of (s, S) is

``c(s, S) = (K + sum_{d=0}^{S-s-1} m(d) g(S - d)) / M(S - s)``

where ``m`` is the renewal function of one period's demand and ``M`` its
cumulative sum. With ``lead_time = 0`` this is exactly ``stockpyl.ss``
(which has no lead time). This is the model that
:func:`workbench.inventory.simulate.simulate_inventory` simulates with
``policy="sS"``, ``holding_basis="end"`` and ``stockout_basis="per_unit_period"``
(same ``lead_time``).

Everything is vectorised over items: the Zheng-Federgruen search runs as one
state machine over all items (each iteration moves every unfinished item one
step), and the only Python loops run over integer inventory levels or
demand values.

References
----------
Y.-S. Zheng and A. Federgruen, Finding optimal (s, S) policies is about as
simple as evaluating a single policy, *Operations Research* 39(4), 654-665 (1991).
R. Ehrhardt and C. Mosier, A revision of the power approximation for computing
(s, S) policies, *Management Science* 30, 618-622 (1984).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from workbench.exceptions import ConfigError
from workbench.inventory.checks import (
    as_numbers,
    nonnegative,
    positive,
    require_all,
    whole_numbers,
)

__all__ = [
    "SSPolicy",
    "ss_cost_discrete",
    "ss_optimal_discrete",
    "ss_power_approximation",
]

_POISSON_TAIL_SD = 14.0   # Poisson tables reach mean + 14 sd + 40 (tail below 1e-40)
_MAX_STEPS = 1_000_000


@dataclass(frozen=True)
class SSPolicy:
    """An (s, S) policy per item.

    Attributes
    ----------
    reorder_point
        ``s``: order when the inventory position is at or below it.
    order_up_to
        ``S``: the position after ordering.
    cost
        Expected cost per period (holding + backorders + ordering) for the
        exact methods; ``None`` for the power approximation (a heuristic).
    """

    reorder_point: np.ndarray | float
    order_up_to: np.ndarray | float
    cost: np.ndarray | float | None


def _out(x: np.ndarray, scalar: bool) -> np.ndarray | float:
    x = np.asarray(x, dtype=float)
    return float(x.reshape(-1)[0]) if scalar else x


# --------------------------------------------------------------------------- demand model

class _Discrete:
    """Per-item discrete demand: one-period pmf ``f``, cost table of ``g``, renewal ``m``."""

    def __init__(self, where: str, h: Any, p: Any, K: Any, mean_demand: Any, demand_pmf: Any,
                 lead_time: Any, n_hint: int = 0):
        if (mean_demand is None) == (demand_pmf is None):
            raise ConfigError(f"{where}: pass exactly one of mean_demand (Poisson demand) and "
                              "demand_pmf (any discrete demand); got "
                              f"{'both' if mean_demand is not None else 'neither'}.",
                              key="mean_demand", value=mean_demand,
                              fix="e.g. mean_demand=10, or demand_pmf=[0.2, 0.5, 0.3] "
                                  "(probabilities of 0, 1, 2 units per period).")
        hh = positive("holding_cost", h, where, " per unit per period")
        pp = positive("stockout_cost", p, where, " per unit backordered per period")
        kk = nonnegative("ordering_cost", K, where, " per order")
        lt = whole_numbers("lead_time", lead_time, where, 0)
        shapes = [np.shape(hh), np.shape(pp), np.shape(kk), np.shape(lt), (n_hint,) if n_hint
                  else ()]
        if mean_demand is not None:
            mu = positive("mean_demand", mean_demand, where, " per period")
            shapes.append(np.shape(mu))
            pmf = None
        else:
            pmf = nonnegative("demand_pmf", demand_pmf, where)
            if pmf.ndim not in (1, 2) or pmf.shape[-1] < 2:
                raise ConfigError(f"{where}: demand_pmf must be one row of probabilities of 0, "
                                  "1, 2, ... units per period, or one such row per item; got "
                                  f"shape {pmf.shape}.", key="demand_pmf", value=pmf.shape,
                                  fix="pass a 1-D array (all items) or an (items, k) array.")
            shapes.append(pmf.shape[:-1])
        try:
            shape = np.broadcast_shapes(*shapes)
        except ValueError:
            raise ConfigError(f"{where}: per-item inputs have different numbers of items: "
                              f"shapes {shapes}.", key="holding_cost", value=shapes,
                              fix="pass one value per item (or a scalar) for every input."
                              ) from None
        if len(shape) > 1:
            raise ConfigError(f"{where}: per-item inputs must be scalars or 1-D arrays; got "
                              f"shape {shape}.", key="holding_cost", value=shape,
                              fix="pass one value per item.")
        self.scalar = shape == ()
        n = shape[0] if shape else 1
        self.n = n
        self.h = np.broadcast_to(hh, (n,)).astype(float)
        self.p = np.broadcast_to(pp, (n,)).astype(float)
        self.K = np.broadcast_to(kk, (n,)).astype(float)
        self.L = np.broadcast_to(lt, (n,)).astype(np.int64)
        if pmf is None:
            self.mu = np.broadcast_to(mu, (n,)).astype(float)
            self.f: np.ndarray | None = None
            self._poisson_table()
        else:
            self._pmf_table(np.broadcast_to(np.atleast_2d(pmf), (n, pmf.shape[-1])), where)
        self._m = np.zeros((n, 0))
        self._M = np.zeros((n, 1))

    # ---- g(y) tables: n_bar(y) = E[(y - X)^+] on y = 0..W-1, linear outside
    def _poisson_table(self) -> None:
        lam = self.mu * (self.L + 1)
        width = int(np.ceil(np.max(lam + _POISSON_TAIL_SD * np.sqrt(lam)))) + 40
        k = np.arange(width, dtype=float)[None, :]
        cdf = stats.poisson.cdf(k, lam[:, None])
        pmf = stats.poisson.pmf(k, lam[:, None])
        self.mean_x = lam
        self.nbar = (k - lam[:, None]) * cdf + lam[:, None] * pmf   # stockpyl's poisson_loss
        self.y_star = np.argmax(cdf >= (self.p / (self.p + self.h))[:, None], axis=1)

    def _pmf_table(self, pmf: np.ndarray, where: str) -> None:
        tot = pmf.sum(axis=1)
        require_all("demand_pmf row sum", tot, np.abs(tot - 1.0) < 1e-6,
                    "1 (probabilities of 0, 1, 2, ... units)", where,
                    "normalise each row, e.g. pmf / pmf.sum(axis=-1, keepdims=True).")
        f = pmf / tot[:, None]
        require_all("demand_pmf[0]", f[:, 0], f[:, 0] < 1.0, "below 1 (demand must be "
                    "positive with some probability)", where,
                    "drop items that never have demand; they need no (s, S) policy.")
        self.f = f
        self.mu = (f * np.arange(f.shape[1])).sum(axis=1)
        x = f
        lmax = int(self.L.max(initial=0))
        for step in range(1, lmax + 1):      # X = L + 1 periods: convolve, items at once
            nxt = np.zeros((self.n, x.shape[1] + f.shape[1] - 1))
            for d in range(f.shape[1]):      # loop over demand values, not items
                nxt[:, d:d + x.shape[1]] += f[:, d:d + 1] * x
            keep = (self.L >= step)[:, None]
            x = np.where(keep, nxt, np.pad(x, ((0, 0), (0, nxt.shape[1] - x.shape[1]))))
        cdf = np.minimum(np.cumsum(x, axis=1), 1.0)
        cdf = np.concatenate([cdf, np.ones((self.n, 1))], axis=1)
        self.mean_x = self.mu * (self.L + 1)
        self.nbar = np.concatenate([np.zeros((self.n, 1)), np.cumsum(cdf, axis=1)[:, :-1]],
                                   axis=1)
        self.y_star = np.argmax(cdf >= (self.p / (self.p + self.h))[:, None] - 1e-12, axis=1)

    def g(self, rows: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Newsvendor cost ``g(y)`` of items ``rows`` at integer positions ``y``."""
        top = self.nbar.shape[1] - 1
        yc = np.clip(y, 0, top)
        nb = self.nbar[rows, yc] + np.maximum(y - top, 0)
        nb = np.where(y < 0, 0.0, nb)
        short = nb - (y - self.mean_x[rows])
        return self.h[rows] * nb + self.p[rows] * short

    # ---- renewal function of one period's demand
    def _ensure(self, n: int) -> None:
        have = self._m.shape[1]
        if n <= have:
            return
        size = max(n, 2 * have, 32)
        if self.f is None:
            f = stats.poisson.pmf(np.arange(size)[None, :], self.mu[:, None])
        else:
            f = np.zeros((self.n, size))
            w = min(size, self.f.shape[1])
            f[:, :w] = self.f[:, :w]
        m = np.zeros((self.n, size))
        m0 = 1.0 / (1.0 - f[:, 0])
        m[:, 0] = m0
        for j in range(1, size):             # loop over inventory levels, items at once
            m[:, j] = m0 * np.einsum("ij,ij->i", f[:, 1:j + 1], m[:, j - 1::-1])
        self._m = m
        self._M = np.concatenate([np.zeros((self.n, 1)), np.cumsum(m, axis=1)], axis=1)

    def cost(self, rows: np.ndarray, s: np.ndarray, S: np.ndarray) -> np.ndarray:
        """``c(s, S)`` of items ``rows`` (``S > s``, integers)."""
        gap = S - s
        if rows.size == 0:
            return np.zeros(0)
        nmax = int(gap.max())
        self._ensure(nmax)
        num = self.K[rows].copy()
        for d in range(nmax):                # loop over levels below S, items at once
            on = gap > d
            num += np.where(on, self._m[rows, d] * self.g(rows, S - d), 0.0)
        return num / self._M[rows, gap]


# --------------------------------------------------------------------------- public API

def ss_cost_discrete(reorder_point: Any, order_up_to: Any, holding_cost: Any,
                     stockout_cost: Any, ordering_cost: Any, *, mean_demand: Any = None,
                     demand_pmf: Any = None, lead_time: Any = 0) -> np.ndarray | float:
    """Exact expected cost per period of given (s, S) policies under discrete demand.

    Parameters
    ----------
    reorder_point, order_up_to
        ``s`` and ``S`` per item: whole numbers with ``S > s``.
    holding_cost
        ``h`` per unit on hand per period (``> 0``).
    stockout_cost
        ``p`` per unit backordered per period (``> 0``).
    ordering_cost
        ``K`` per order (``>= 0``).
    mean_demand
        Poisson demand: mean per period (``> 0``). Give this or ``demand_pmf``.
    demand_pmf
        Any discrete demand: probabilities of 0, 1, 2, ... units per period, one
        row for all items or one row per item.
    lead_time
        Whole periods ``L`` (``g`` uses demand over ``L + 1`` periods).

    Returns
    -------
    float or ndarray
        ``c(s, S)`` (see the module docstring), one per item.

    Examples
    --------
    Snyder & Shen, example 4.7 (``stockpyl.ss.s_s_cost_discrete(4, 10, 1, 4, 5, True, 6)``):

    >>> round(ss_cost_discrete(4, 10, 1, 4, 5, mean_demand=6), 6)
    8.034112
    """
    where = "ss_cost_discrete"
    s = as_numbers("reorder_point", reorder_point, where)
    S = as_numbers("order_up_to", order_up_to, where)
    for name, arr in (("reorder_point", s), ("order_up_to", S)):
        require_all(name, arr, np.isfinite(arr) & (arr == np.round(arr)), "a whole number",
                    where, f"round {name} to whole units.")
    try:
        shape = np.broadcast_shapes(s.shape, S.shape)
    except ValueError:
        raise ConfigError(f"{where}: reorder_point and order_up_to have different numbers "
                          f"of items: shapes {s.shape}, {S.shape}.", key="order_up_to",
                          value=S.shape, fix="pass one value per item.") from None
    model = _Discrete(where, holding_cost, stockout_cost, ordering_cost, mean_demand,
                      demand_pmf, lead_time, shape[0] if shape else 0)
    s = np.broadcast_to(s, (model.n,)).astype(np.int64)
    S = np.broadcast_to(S, (model.n,)).astype(np.int64)
    require_all("order_up_to", S, S > s, "above reorder_point (S > s)", where,
                "raise order_up_to or lower reorder_point.")
    c = model.cost(np.arange(model.n), s, S)
    return _out(c, model.scalar and not shape)


def _first_reorder_point(model: _Discrete, S0: np.ndarray) -> np.ndarray:
    """Step 1 of Zheng-Federgruen: the largest ``s < y*`` with ``c(s, y*) <= g(s)``."""
    s = S0.copy()
    active = np.arange(model.n)
    for _ in range(_MAX_STEPS):
        if active.size == 0:
            return s
        s[active] -= 1
        done = model.cost(active, s[active], S0[active]) <= model.g(active, s[active])
        active = active[~done]
    raise ConfigError("ss_optimal_discrete: the search for the reorder point did not end.",
                      key="ordering_cost", value=None, fix="check the cost parameters.")


def _zf_search(model: _Discrete) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Zheng-Federgruen's algorithm as a state machine over all items."""
    n = model.n
    all_rows = np.arange(n)
    S_hat = model.y_star.astype(np.int64)
    s = _first_reorder_point(model, S_hat)
    c_hat = model.cost(all_rows, s, S_hat)
    S = S_hat + 1
    inner = np.zeros(n, bool)
    live = np.ones(n, bool)
    for _ in range(_MAX_STEPS):
        if not live.any():
            return s, S_hat, c_hat
        outer_rows = np.flatnonzero(live & ~inner)
        inner_rows = np.flatnonzero(live & inner)
        if outer_rows.size:
            r = outer_rows
            stop = model.g(r, S[r]) > c_hat[r]
            live[r[stop]] = False
            r = r[~stop]
            better = model.cost(r, s[r], S[r]) < c_hat[r]
            S_hat[r[better]] = S[r[better]]
            inner[r[better]] = True
            S[r[~better]] += 1
        if inner_rows.size:
            r = inner_rows
            up = model.cost(r, s[r], S_hat[r]) <= model.g(r, s[r] + 1)
            s[r[up]] += 1
            r = r[~up]
            c_hat[r] = model.cost(r, s[r], S_hat[r])
            S[r] += 1
            inner[r] = False
    raise ConfigError("ss_optimal_discrete: the search for the order-up-to level did not end.",
                      key="ordering_cost", value=None, fix="check the cost parameters.")


def ss_optimal_discrete(holding_cost: Any, stockout_cost: Any, ordering_cost: Any, *,
                        mean_demand: Any = None, demand_pmf: Any = None,
                        lead_time: Any = 0) -> SSPolicy:
    """Optimal (s, S) per item for discrete demand (Zheng & Federgruen, 1991), with its cost.

    Parameters
    ----------
    holding_cost, stockout_cost, ordering_cost
        ``h`` per unit on hand per period, ``p`` per unit backordered per period
        (both ``> 0``), ``K`` per order (``>= 0``).
    mean_demand
        Poisson demand: mean per period. Give this or ``demand_pmf``.
    demand_pmf
        Any discrete demand: probabilities of 0, 1, 2, ... units per period (one
        row for all items, or one per item).
    lead_time
        Whole periods ``L``.

    Returns
    -------
    SSPolicy
        ``reorder_point`` ``s``, ``order_up_to`` ``S`` and the exact minimal
        ``cost`` per period. Ties between equally cheap policies are broken as in
        ``stockpyl.ss.s_s_discrete_exact``.

    Examples
    --------
    Zheng & Federgruen's table (``h = 1``, ``p = 9``, ``K = 64``, Poisson mean 10):

    >>> pol = ss_optimal_discrete(1, 9, 64, mean_demand=10)
    >>> pol.reorder_point, pol.order_up_to, round(pol.cost, 4)
    (6.0, 40.0, 35.0216)

    Many items at once:

    >>> ss_optimal_discrete(1, 4, 5, mean_demand=[6, 6, 20]).order_up_to
    array([10., 10., 24.])
    """
    model = _Discrete("ss_optimal_discrete", holding_cost, stockout_cost, ordering_cost,
                      mean_demand, demand_pmf, lead_time)
    s, S, c = _zf_search(model)
    return SSPolicy(reorder_point=_out(s, model.scalar), order_up_to=_out(S, model.scalar),
                    cost=_out(c, model.scalar))


def ss_power_approximation(holding_cost: Any, stockout_cost: Any, ordering_cost: Any,
                           mean_demand: Any, sd_demand: Any, *,
                           lead_time: Any = 0) -> SSPolicy:
    """Heuristic (s, S) for normal demand: Ehrhardt & Mosier's power approximation.

    With ``mu_L = (L + 1) mu`` and ``sigma_L = sqrt(L + 1) sigma`` (demand over
    the lead time plus one period):
    ``Q = 1.30 mu^0.494 (K / h)^0.506 (1 + sigma_L^2 / mu^2)^0.116``,
    ``z = sqrt(Q h / (sigma_L p))``,
    ``s = 0.973 mu_L + sigma_L (0.183 / z + 1.063 - 2.192 z)``, ``S = s + Q``.
    With ``lead_time = 0`` this is ``stockpyl.ss.s_s_power_approximation``; like
    it, the authors' adjustment for ``Q / mu <= 1.5`` is not applied.

    Parameters
    ----------
    holding_cost, stockout_cost, ordering_cost
        ``h``, ``p`` (per unit backordered per period) and ``K``, all ``> 0``.
    mean_demand, sd_demand
        Mean and standard deviation of demand per period (``> 0``).
    lead_time
        Whole periods ``L``.

    Returns
    -------
    SSPolicy
        ``reorder_point`` and ``order_up_to`` (not rounded); ``cost`` is None.

    Examples
    --------
    Snyder & Shen, example 4.7:

    >>> pol = ss_power_approximation(0.18, 0.70, 2.5, 50, 8)
    >>> round(pol.reorder_point, 4), round(pol.order_up_to, 4)
    (40.1946, 74.2902)
    """
    where = "ss_power_approximation"
    h = positive("holding_cost", holding_cost, where, " per unit per period")
    p = positive("stockout_cost", stockout_cost, where, " per unit backordered per period")
    K = positive("ordering_cost", ordering_cost, where, " per order")
    mu = positive("mean_demand", mean_demand, where, " per period")
    sd = positive("sd_demand", sd_demand, where, " per period")
    lt = whole_numbers("lead_time", lead_time, where, 0)
    try:
        h, p, K, mu, sd, lt = np.broadcast_arrays(h, p, K, mu, sd, lt)
    except ValueError:
        raise ConfigError(f"{where}: per-item inputs have different numbers of items.",
                          key="mean_demand", value=np.shape(mean_demand),
                          fix="pass one value per item (or a scalar) for every input.") from None
    periods = lt + 1.0
    mu_l, sd_l = mu * periods, sd * np.sqrt(periods)
    q = 1.30 * mu ** 0.494 * (K / h) ** 0.506 * (1.0 + (sd_l / mu) ** 2) ** 0.116
    z = np.sqrt(q / sd_l * h / p)
    s = 0.973 * mu_l + sd_l * (0.183 / z + 1.063 - 2.192 * z)
    scalar = np.ndim(s) == 0
    return SSPolicy(reorder_point=_out(s, scalar), order_up_to=_out(s + q, scalar), cost=None)
