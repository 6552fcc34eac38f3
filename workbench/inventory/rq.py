r"""Continuous-review (r, Q) policy with backorders: exact cost, optimum and approximations.

The model of Snyder & Shen, *Fundamentals of Supply Chain Theory*, chapter 5
(and of ``stockpyl.rq``), vectorised over items: every function takes NumPy
arrays (one value per item, or any shapes that broadcast together) or plain
scalars, and nothing loops over items in Python. The iterative solvers
(safeguarded Newton, fixed-point iterations) update the whole item vector at
once until every item has converged.

Units and conventions
---------------------
The units follow :mod:`workbench.inventory.policy`, with one difference in how a
shortage is charged:

* One **period** is the time unit (a week, or a year as in the textbook
  examples). ``mean_demand`` (``lambda``) and ``sd_demand`` (``tau``) are demand
  per period; ``lead_time`` (``L``) is in periods, so lead-time demand is normal
  with mean ``mu = lambda L`` and standard deviation ``sigma = tau sqrt(L)``
  (:func:`~workbench.inventory.policy.lead_time_demand` with a fixed lead time).
* ``holding_cost`` ``h`` is per unit held per period; ``ordering_cost`` ``K`` is
  per order; ``stockout_cost`` ``p`` is per unit **backordered per period** (the
  ``"per_unit_period"`` basis of
  :func:`~workbench.inventory.policy.cost_optimal_service_level`), not per unit
  short.
* ``reorder_point`` ``r``: an order of ``order_quantity`` ``Q`` units is placed
  whenever the inventory position falls to ``r``. The inventory position is then
  uniform on ``(r, r + Q]`` and the expected cost per period is (S&S eq. 5.7)

  .. math:: g(r, Q) = \frac{K\lambda + \int_r^{r+Q} g(y)\,dy}{Q},
            \qquad g(y) = h (y - \mu) + (h + p)\, n(y),

  with the newsvendor cost ``g(y)`` and the normal loss ``n(y) = E[(D - y)^+]``.
  With the second-order loss ``n2(x) = int_x^inf n(y) dy = sigma^2 L2((x - mu) /
  sigma)``, ``L2(z) = ((z^2 + 1)(1 - Phi(z)) - z phi(z)) / 2``, the integral is in
  closed form: ``h Q (r - mu + Q / 2) + (h + p) (n2(r) - n2(r + Q))``.
* **Optimal r for a given Q** solves ``g(r) = g(r + Q)`` (S&S eq. 5.9);
  ``g(r + Q) - g(r)`` increases in ``r`` and changes sign on ``[S* - Q, S*]``
  (``S*`` the newsvendor level ``mu + sigma Phi^{-1}(p / (h + p))``).
* **Joint optimum.** ``g(r, Q)`` is jointly convex (Zheng 1992). With ``r = r(Q)``,
  the optimal ``Q`` solves ``H(Q) = Q g(r(Q)) - K lambda - int_{r(Q)}^{r(Q)+Q} g
  = 0``; ``H(0) = -K lambda`` and ``H'(Q) = -Q g'(r) g'(r + Q) / (g'(r + Q) -
  g'(r)) > 0``, so a safeguarded Newton iteration on ``Q`` with an inner one on
  ``r(Q)`` finds it for all items at once. (``stockpyl`` has the exact algorithm
  only for Poisson demand; for normal demand it offers the approximations below.)
* **Approximations** (:data:`RQ_APPROXIMATIONS`), as in ``stockpyl.rq``:
  ``"eil"`` expected-inventory-level (Hadley & Whitin; S&S algorithm 5.1, eqs.
  5.17-5.18, ``p`` used as a per-unit stockout cost as in the book; its own cost
  estimate is :func:`rq_eil_cost`); ``"eoqb"`` EOQ with backorders
  ``Q = sqrt(2 K lambda (h + p) / (h p))`` and ``r = r(Q)``; ``"eoqss"`` EOQ plus
  safety stock ``Q = sqrt(2 K lambda / h)``, ``r = S*``; ``"loss_function"``
  (Hadley & Whitin; S&S eqs. 5.28-5.29) ``n(r) = h Q / (h + p)``, ``Q = sqrt(2 (K
  lambda + (h + p) n2(r)) / h)``.

Degenerate items: ``sd_demand = 0`` or ``lead_time = 0`` (no lead-time
variance; also ``sigma < 1e-12 (1 + mu)``, below rounding) use the deterministic limits ``n(x) = (mu - x)^+``, ``n2(x) = ((mu -
x)^+)^2 / 2``; the joint optimum is then EOQ with backorders, ``r = mu - h Q / (h
+ p)``. In the EIL approximation, an item with ``Q h >= p lambda`` has no
solution of eq. 5.17; its reorder point is capped at ``mu - Z_MAX sigma``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from workbench.exceptions import RangeError
from workbench.inventory.checks import as_numbers, nonnegative, one_of, positive, require_all
from workbench.inventory.policy import Z_MAX, inverse_standard_normal_loss, standard_normal_loss

__all__ = [
    "MAX_ITERATIONS",
    "RQ_APPROXIMATIONS",
    "RQ_COLUMNS",
    "RQ_METHODS",
    "RQPolicy",
    "normal_second_loss",
    "rq_approximation",
    "rq_cost",
    "rq_eil_cost",
    "rq_optimal",
    "rq_optimal_reorder_point",
]

RQ_APPROXIMATIONS = ("eil", "eoqb", "eoqss", "loss_function")
"""Approximations of :func:`rq_approximation`: expected inventory level, EOQ with
backorders, EOQ plus safety stock, loss function (see the module docstring)."""
RQ_METHODS = ("optimal", *RQ_APPROXIMATIONS)
"""Values of :attr:`RQPolicy.method`: the exact joint optimum or an approximation."""
RQ_COLUMNS = ("method", "reorder_point", "order_quantity", "cost")
"""Columns of :meth:`RQPolicy.to_frame`, in order."""
MAX_ITERATIONS = 200
"""Iteration cap of every solver; safeguarded Newton converges in about 5 to 10."""
_RTOL = 1e-10  # relative step at which an iteration has converged
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_SIGMA_FLOOR = 1e-12  # lead-time sd below this times (1 + mean) counts as 0


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class RQPolicy:
    """An (r, Q) policy per item and its exact expected cost per period.

    Attributes
    ----------
    method
        How it was found: ``"optimal"`` or one of :data:`RQ_APPROXIMATIONS`.
    reorder_point
        ``r``: order when the inventory position falls to it.
    order_quantity
        ``Q``: units per order.
    cost
        Exact expected cost per period ``g(r, Q)`` (:func:`rq_cost`), whatever
        the method (the EIL approximation's own estimate is :func:`rq_eil_cost`).
    """

    method: str
    reorder_point: np.ndarray | float
    order_quantity: np.ndarray | float
    cost: np.ndarray | float

    def to_frame(self, index: Any = None) -> pd.DataFrame:
        """Return the policy as a frame with :data:`RQ_COLUMNS`, one row per item (1-d results).

        Examples
        --------
        >>> pol = rq_approximation("eoqss", holding_cost=0.225, stockout_cost=7.5,
        ...                        ordering_cost=8, mean_demand=[1300, 650],
        ...                        sd_demand=150, lead_time=1 / 12)
        >>> pol.to_frame().round(1)
          method  reorder_point  order_quantity  cost
        0  eoqss          190.3           304.0  87.0
        1  eoqss          136.2           215.0  67.1
        """
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        n = np.size(np.asarray(self.cost))
        data["method"] = [self.method] * n
        frame = pd.DataFrame({c: np.ravel(data[c]) if c != "method" else data[c]
                              for c in RQ_COLUMNS})
        if index is not None:
            frame.index = index
        return frame


def _out(x: Any) -> np.ndarray | float:
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


# --------------------------------------------------------------------------- loss functions

def _standard_second_loss(z: np.ndarray) -> np.ndarray:
    """``L2(z) = ((z^2 + 1)(1 - Phi(z)) - z phi(z)) / 2`` for ``z >= 0`` (0 beyond 40)."""
    z = np.clip(z, 0.0, 40.0)
    tail = special.ndtr(-z)
    pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
    return np.maximum(0.5 * ((z * z + 1.0) * tail - z * pdf), 0.0)


def _n2(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``sigma^2 L2(z)``; below the mean via ``L2(z) = (z^2 + 1) / 2 - L2(-z)`` (no overflow)."""
    pos = sigma > 0
    safe = np.where(pos, sigma, 1.0)
    d = x - mu
    with np.errstate(over="ignore"):
        z = d / safe
    var = safe * safe
    upper = var * _standard_second_loss(np.abs(z))
    below = 0.5 * (d * d + var) - upper
    smooth = np.where(d >= 0, upper, np.maximum(below, 0.0))
    return np.where(pos, smooth, 0.5 * np.maximum(-d, 0.0) ** 2)


def _n(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``sigma G(z)``; below the mean via ``G(z) = G(-z) - z`` (no overflow for tiny sigma)."""
    pos = sigma > 0
    safe = np.where(pos, sigma, 1.0)
    d = x - mu
    with np.errstate(over="ignore"):
        z = np.abs(d / safe)
    smooth = safe * np.asarray(standard_normal_loss(z)) + np.maximum(-d, 0.0)
    return np.where(pos, smooth, np.maximum(-d, 0.0))


def _cdf(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    pos = sigma > 0
    safe = np.where(pos, sigma, 1.0)
    return np.where(pos, special.ndtr((x - mu) / safe), (x >= mu).astype(float))


def normal_second_loss(x: Any, mean: Any, sd: Any) -> np.ndarray | float:
    """Second-order normal loss ``n2(x) = int_x^inf E[(X - y)^+] dy = E[((X - x)^+)^2] / 2``.

    For ``X ~ N(mean, sd^2)``: ``sd^2 L2((x - mean) / sd)`` with ``L2(z) = ((z^2 +
    1)(1 - Phi(z)) - z phi(z)) / 2``; ``sd = 0`` gives ``max(mean - x, 0)^2 / 2``.

    Parameters
    ----------
    x
        Level(s); any shape broadcasting with ``mean`` and ``sd``.
    mean, sd
        Mean and standard deviation of ``X`` (``sd >= 0``).

    Returns
    -------
    ndarray or float
        ``n2(x)``, broadcast shape.

    Raises
    ------
    RangeError
        ``x`` or ``mean`` is not numeric, or ``sd`` is negative, NaN or infinite.

    Examples
    --------
    stockpyl's documented value (``normal_second_loss(18.6, 15, 3)``):

    >>> round(normal_second_loss(18.6, 15, 3), 12)
    0.214860282125
    >>> normal_second_loss(90.0, 100.0, 0.0)  # (100 - 90)^2 / 2
    50.0
    """
    where = "normal_second_loss"
    xs = as_numbers("x", x, where)
    mu = as_numbers("mean", mean, where)
    sd = nonnegative("sd", sd, where)
    xs, mu, sd = np.broadcast_arrays(xs, mu, sd)
    return _out(_n2(xs, mu, sd))


# --------------------------------------------------------------------------- parameters

@dataclass(frozen=True)
class _Items:
    h: np.ndarray
    p: np.ndarray
    k: np.ndarray
    lam: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray

    def g(self, y: np.ndarray) -> np.ndarray:
        """Newsvendor cost ``h (y - mu) + (h + p) n(y)``."""
        return self.h * (y - self.mu) + (self.h + self.p) * _n(y, self.mu, self.sigma)

    def dg(self, y: np.ndarray) -> np.ndarray:
        """Return the derivative ``(h + p) F(y) - p``."""
        return (self.h + self.p) * _cdf(y, self.mu, self.sigma) - self.p

    def integral(self, r: np.ndarray, q: np.ndarray) -> np.ndarray:
        """``int_r^{r+Q} g(y) dy`` in closed form."""
        return (self.h * q * (r - self.mu + 0.5 * q)
                + (self.h + self.p) * (_n2(r, self.mu, self.sigma)
                                       - _n2(r + q, self.mu, self.sigma)))

    def cost(self, r: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Exact ``g(r, Q)``."""
        return (self.k * self.lam + self.integral(r, q)) / q

    def newsvendor_level(self) -> np.ndarray:
        """``S* = mu + sigma Phi^{-1}(p / (h + p))``."""
        return self.mu + self.sigma * special.ndtri(self.p / (self.h + self.p))

    def scale(self) -> np.ndarray:
        """Size of the item's numbers, for relative tolerances."""
        return np.abs(self.mu) + self.sigma + 1.0

    def take(self, idx: np.ndarray) -> _Items:
        """Return the items ``idx`` of flat items."""
        return _Items(*(getattr(self, f.name)[idx] for f in fields(self)))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.h.shape

    def flat(self) -> _Items:
        """Return the items as 1-d arrays (C order)."""
        return _Items(*(np.ravel(getattr(self, f.name)) for f in fields(self)))


def _items(where: str, holding_cost: Any, stockout_cost: Any, ordering_cost: Any,
           mean_demand: Any, sd_demand: Any, lead_time: Any, *,
           optimise: bool) -> _Items:
    """Check and broadcast the item parameters (``optimise``: K and lambda must be > 0)."""
    h = positive("holding_cost", holding_cost, where, " (per unit per period)")
    p = positive("stockout_cost", stockout_cost, where, " (per unit backordered per period)")
    check = positive if optimise else nonnegative
    k = check("ordering_cost", ordering_cost, where, " (per order)")
    lam = check("mean_demand", mean_demand, where, " (units per period)")
    tau = nonnegative("sd_demand", sd_demand, where, " (units per period)")
    lt = nonnegative("lead_time", lead_time, where, " (periods)")
    h, p, k, lam, tau, lt = np.broadcast_arrays(h, p, k, lam, tau, lt)
    mu, sigma = lam * lt, tau * np.sqrt(lt)
    # below 1e-12 of the mean, variability is below rounding: deterministic limit
    sigma = np.where(sigma > _SIGMA_FLOOR * (1.0 + mu), sigma, 0.0)
    return _Items(h=h, p=p, k=k, lam=lam, mu=mu, sigma=sigma)


# --------------------------------------------------------------------------- solvers
#
# The solvers work on flat arrays (one entry per item, :meth:`_Items.flat`) and
# iterate only on the items not yet converged, so a few slow items cost little.

def _no_convergence(where: str, what: str, count: int) -> RangeError:
    return RangeError(
        f"{where}: the {what} iteration did not converge within {MAX_ITERATIONS} steps "
        f"for {count} item(s).", key=what, value=MAX_ITERATIONS,
        fix="check the items' costs and demand for extreme ratios (e.g. holding_cost "
            "1e9 times stockout_cost), or use rq_optimal.")


def _safeguarded_newton(fun: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
                        x: np.ndarray, lo: np.ndarray, hi: np.ndarray, scale: np.ndarray,
                        where: str, what: str) -> np.ndarray:
    """Root of increasing ``fun(x, idx)`` per item: Newton inside the bracket, else bisection.

    ``fun`` evaluates the items ``idx`` at ``x`` and returns the value and
    derivative. ``hi`` may be ``inf``: the step then doubles ``x`` while
    ``fun < 0``. An item stops when its step or its bracket is below ``_RTOL
    scale``.
    """
    x, lo, hi = x.copy(), lo.copy(), hi.copy()
    idx = np.arange(x.size)
    for _ in range(MAX_ITERATIONS):
        xa, la, ha, sa = x[idx], lo[idx], hi[idx], scale[idx]
        f, d = fun(xa, idx)
        la = np.where(f < 0, xa, la)
        ha = np.where(f > 0, xa, ha)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = xa - f / d
        inside = np.isfinite(newton) & (newton > la) & (newton < ha)
        fallback = np.where(np.isfinite(ha), 0.5 * (la + ha), 2.0 * np.abs(xa) + sa)
        new = np.where(f == 0, xa, np.where(inside, newton, fallback))
        done = ~(np.abs(new - xa) > _RTOL * sa) | ~(ha - la > _RTOL * sa)
        x[idx], lo[idx], hi[idx] = new, la, ha
        idx = idx[~done]
        if idx.size == 0:
            return x
    raise _no_convergence(where, what, idx.size)


def _r_for_q(it: _Items, q: np.ndarray, where: str) -> np.ndarray:
    """Optimal ``r(Q)`` (flat items): root of ``g(r + Q) - g(r)`` in ``[S* - Q, S*]``."""
    s_star = it.newsvendor_level()
    hp = it.h + it.p

    def fun(r: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mu, sigma, qi, hpi = it.mu[idx], it.sigma[idx], q[idx], hp[idx]
        f = it.h[idx] * qi + hpi * (_n(r + qi, mu, sigma) - _n(r, mu, sigma))
        d = hpi * (_cdf(r + qi, mu, sigma) - _cdf(r, mu, sigma))
        return f, d

    start = s_star - q * it.h / hp
    return _safeguarded_newton(fun, start, s_star - q, s_star.copy(), it.scale() + q,
                               where, "reorder point")


def _joint_optimum(it: _Items, where: str) -> tuple[np.ndarray, np.ndarray]:
    """``(r*, Q*)`` (flat items): root of ``H(Q) = Q g(r(Q)) - K lambda - int g``."""
    def fun(q: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sub = it.take(idx)
        r = _r_for_q(sub, q, where)
        f = q * sub.g(r) - sub.k * sub.lam - sub.integral(r, q)
        a, b = sub.dg(r), sub.dg(r + q)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = -q * a * b / (b - a)
        return f, d

    q0 = np.sqrt(2.0 * it.k * it.lam * (it.h + it.p) / (it.h * it.p))
    q = _safeguarded_newton(fun, q0, np.zeros_like(q0), np.full_like(q0, np.inf),
                            it.scale() + q0, where, "order quantity")
    return _r_for_q(it, q, where), q


def _fixed_point(update: Callable[[np.ndarray, np.ndarray],
                                  tuple[np.ndarray, np.ndarray, np.ndarray]],
                 q: np.ndarray, scale: np.ndarray, where: str,
                 what: str) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``Q = T(Q)`` where ``update(Q, idx)`` gives ``(r(Q), T(Q), T'(Q))``.

    S&S algorithm 5.1 iterates ``Q = T(Q)``, which converges slowly when ``T'`` is
    near 1 (high demand variability); a Newton step on ``Q - T(Q)`` is taken
    instead where ``1 - T'`` is safely positive, else the plain iteration step.
    Both have the same fixed point.
    """
    q = q.copy()
    r = np.full_like(q, np.inf)
    idx = np.arange(q.size)
    for _ in range(MAX_ITERATIONS):
        qa = q[idx]
        r_new, t, dt = update(qa, idx)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = qa - (qa - t) / (1.0 - dt)
        ok = np.isfinite(newton) & (dt < 1.0 - 1e-6) & (newton > 0)
        q_new = np.where(ok, newton, t)
        step = np.maximum(np.abs(q_new - qa), np.abs(r_new - r[idx]))
        r[idx], q[idx] = r_new, q_new
        idx = idx[step > _RTOL * (scale[idx] + q_new)]
        if idx.size == 0:
            return update(q, np.arange(q.size))[0], q
    raise _no_convergence(where, what, idx.size)


def _eil(it: _Items, where: str) -> tuple[np.ndarray, np.ndarray]:
    low = special.ndtr(-Z_MAX)

    def update(q: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sub = it.take(idx)
        raw = 1.0 - q * sub.h / (sub.p * sub.lam)
        alpha = np.clip(raw, low, 1.0 - low)
        z = special.ndtri(alpha)
        r = sub.mu + sub.sigma * z
        t = np.sqrt(2.0 * sub.lam * (sub.k + sub.p * _n(r, sub.mu, sub.sigma)) / sub.h)
        # T'(Q) = (1 - F(r)) / (T f(r)); 0 where r is capped or demand is deterministic
        pdf = np.exp(-0.5 * z * z) * _INV_SQRT_2PI
        live = (sub.sigma > 0) & (raw == alpha)
        with np.errstate(divide="ignore", invalid="ignore"):
            dt = np.where(live, (1.0 - alpha) * sub.sigma / (t * pdf), 0.0)
        return r, t, dt

    return _fixed_point(update, np.sqrt(2.0 * it.k * it.lam / it.h), it.scale(), where,
                        "EIL approximation")


def _loss_function(it: _Items, where: str) -> tuple[np.ndarray, np.ndarray]:
    def update(q: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sub = it.take(idx)
        hp = sub.h + sub.p
        target = sub.h * q / hp
        pos = sub.sigma > 0
        safe = np.where(pos, sub.sigma, 1.0)
        k = np.asarray(inverse_standard_normal_loss(target / safe))
        r = np.where(pos, sub.mu + safe * k, sub.mu - target)
        t = np.sqrt(2.0 * (sub.k * sub.lam + hp * _n2(r, sub.mu, sub.sigma)) / sub.h)
        # T'(Q) = n(r) / (T (1 - F(r)))
        with np.errstate(divide="ignore", invalid="ignore"):
            dt = _n(r, sub.mu, sub.sigma) / (t * (1.0 - _cdf(r, sub.mu, sub.sigma)))
        return r, t, dt

    return _fixed_point(update, np.sqrt(2.0 * it.k * it.lam / it.h), it.scale(), where,
                        "loss-function approximation")


# --------------------------------------------------------------------------- public API

def rq_cost(reorder_point: Any, order_quantity: Any, *, holding_cost: Any, stockout_cost: Any,
            ordering_cost: Any, mean_demand: Any, sd_demand: Any,
            lead_time: Any) -> np.ndarray | float:
    """Exact expected cost per period ``g(r, Q)`` of an (r, Q) policy (S&S eq. 5.7).

    Parameters
    ----------
    reorder_point
        ``r`` per item (any real number).
    order_quantity
        ``Q`` per item (``> 0``).
    holding_cost
        ``h`` per unit held per period (``> 0``).
    stockout_cost
        ``p`` per unit backordered per period (``> 0``).
    ordering_cost
        ``K`` per order (``>= 0``).
    mean_demand, sd_demand
        ``lambda`` and ``tau``: mean (``>= 0``) and standard deviation (``>= 0``)
        of demand per period.
    lead_time
        ``L`` in periods (``>= 0``).

    Returns
    -------
    ndarray or float
        ``(K lambda + h Q (r - mu + Q/2) + (h + p)(n2(r) - n2(r + Q))) / Q``, the
        broadcast shape of all inputs (a float for scalars).

    Raises
    ------
    RangeError
        A parameter breaks its rule (the message names it, the first bad value
        and its position).

    Examples
    --------
    Snyder & Shen example 5.1 (stockpyl ``r_q_cost``: 78.07116250928294):

    >>> params = dict(holding_cost=0.225, stockout_cost=7.5, ordering_cost=8,
    ...               mean_demand=1300, sd_demand=150, lead_time=1 / 12)
    >>> round(rq_cost(126.8, 328.5, **params), 10)
    78.0711625093

    Three items at once:

    >>> rq_cost([100.0, 126.8, 150.0], 328.5, **params).round(2)
    array([81.58, 78.07, 79.8 ])
    """
    where = "rq_cost"
    r = as_numbers("reorder_point", reorder_point, where)
    q = positive("order_quantity", order_quantity, where, " (units per order)")
    require_all("reorder_point", r, np.isfinite(r), "a finite number", where,
                "check reorder_point for missing (NaN) or infinite values.")
    it = _items(where, holding_cost, stockout_cost, ordering_cost, mean_demand, sd_demand,
                lead_time, optimise=False)
    shape = np.broadcast_shapes(r.shape, q.shape, it.h.shape)
    return _out(np.broadcast_to(it.cost(r, q), shape))


def rq_eil_cost(reorder_point: Any, order_quantity: Any, *, holding_cost: Any,
                stockout_cost: Any, ordering_cost: Any, mean_demand: Any, sd_demand: Any,
                lead_time: Any) -> np.ndarray | float:
    """Expected-inventory-level approximation of the cost (S&S eq. 5.16).

    ``h (r - mu + Q / 2) + K lambda / Q + p lambda n(r) / Q``: holding on the
    expected inventory level, ``p`` charged per unit short. It is the objective the
    ``"eil"`` approximation minimises (stockpyl's third return value of
    ``r_q_eil_approximation``), not the exact cost :func:`rq_cost`.

    Parameters
    ----------
    reorder_point, order_quantity, holding_cost, stockout_cost, ordering_cost, mean_demand, sd_demand, lead_time
        As in :func:`rq_cost`.

    Returns
    -------
    ndarray or float
        The approximate cost per period, broadcast shape.

    Raises
    ------
    RangeError
        A parameter breaks its rule.

    Examples
    --------
    >>> pol = rq_approximation("eil", holding_cost=0.225, stockout_cost=7.5, ordering_cost=8,
    ...                        mean_demand=1300, sd_demand=150, lead_time=1 / 12)
    >>> round(rq_eil_cost(pol.reorder_point, pol.order_quantity, holding_cost=0.225,
    ...                   stockout_cost=7.5, ordering_cost=8, mean_demand=1300,
    ...                   sd_demand=150, lead_time=1 / 12), 6)  # stockpyl: 95.45114022285196
    95.45114
    """
    where = "rq_eil_cost"
    r = as_numbers("reorder_point", reorder_point, where)
    q = positive("order_quantity", order_quantity, where, " (units per order)")
    it = _items(where, holding_cost, stockout_cost, ordering_cost, mean_demand, sd_demand,
                lead_time, optimise=False)
    cost = (it.h * (r - it.mu + 0.5 * q) + it.k * it.lam / q
            + it.p * it.lam * _n(r, it.mu, it.sigma) / q)
    return _out(cost)


def rq_optimal_reorder_point(order_quantity: Any, *, holding_cost: Any, stockout_cost: Any,
                             mean_demand: Any, sd_demand: Any,
                             lead_time: Any) -> np.ndarray | float:
    """Reorder point minimising ``g(r, Q)`` for a given ``Q``: ``g(r) = g(r + Q)`` (S&S eq. 5.9).

    Solved by safeguarded Newton on ``g(r + Q) - g(r)`` (increasing in ``r``) within
    ``[S* - Q, S*]``, for all items at once, to about 1e-13 relative accuracy. The
    ordering cost does not affect ``r(Q)``.

    Parameters
    ----------
    order_quantity
        ``Q`` per item (``> 0``).
    holding_cost, stockout_cost, mean_demand, sd_demand, lead_time
        As in :func:`rq_cost`.

    Returns
    -------
    ndarray or float
        ``r(Q)``, broadcast shape.

    Raises
    ------
    RangeError
        A parameter breaks its rule.

    Examples
    --------
    Snyder & Shen example 5.2 (stockpyl ``r_q_optimal_r_for_q``: 129.4272799263067):

    >>> r = rq_optimal_reorder_point(300, holding_cost=0.225, stockout_cost=7.5,
    ...                              mean_demand=1300, sd_demand=150, lead_time=1 / 12)
    >>> round(r, 6)
    129.42728

    No demand variability: ``r = mu - h Q / (h + p) = 100 - 1 * 50 / 10``:

    >>> rq_optimal_reorder_point(50, holding_cost=1, stockout_cost=9, mean_demand=100,
    ...                          sd_demand=0, lead_time=1)
    95.0
    """
    where = "rq_optimal_reorder_point"
    q = positive("order_quantity", order_quantity, where, " (units per order)")
    it = _items(where, holding_cost, stockout_cost, 0.0, mean_demand, sd_demand,
                lead_time, optimise=False)
    shape = np.broadcast_shapes(q.shape, it.shape)
    flat = _Items(*(np.ravel(np.broadcast_to(getattr(it, f.name), shape))
                    for f in fields(it)))
    r = _r_for_q(flat, np.ravel(np.broadcast_to(q, shape)), where)
    return _out(r.reshape(shape))


def rq_optimal(*, holding_cost: Any, stockout_cost: Any, ordering_cost: Any, mean_demand: Any,
               sd_demand: Any, lead_time: Any) -> RQPolicy:
    """Jointly optimal ``(r*, Q*)`` minimising the exact cost ``g(r, Q)``.

    Safeguarded Newton on ``Q`` for ``H(Q) = Q g(r(Q)) - K lambda - int_{r(Q)}^{r(Q)
    + Q} g(y) dy = 0`` (the first-order condition ``g(r, Q) = g(r) = g(r + Q)``),
    starting from EOQ with backorders, with :func:`rq_optimal_reorder_point`'s inner
    solve at each step; all items are iterated together.

    Parameters
    ----------
    holding_cost, stockout_cost, sd_demand, lead_time
        As in :func:`rq_cost`.
    ordering_cost
        ``K`` per order (``> 0``).
    mean_demand
        ``lambda`` per period (``> 0``).

    Returns
    -------
    RQPolicy
        ``method="optimal"``, ``r*``, ``Q*`` and the cost ``g(r*, Q*)``.

    Raises
    ------
    RangeError
        A parameter breaks its rule.

    Examples
    --------
    Snyder & Shen example 5.1 (the book prints r = 126.8, Q = 328.5, cost 78.07;
    here the loss-function approximation is exact to 1e-9 since ``n(r + Q)`` is
    negligible):

    >>> pol = rq_optimal(holding_cost=0.225, stockout_cost=7.5, ordering_cost=8,
    ...                  mean_demand=1300, sd_demand=150, lead_time=1 / 12)
    >>> round(pol.reorder_point, 3), round(pol.order_quantity, 3), round(pol.cost, 4)
    (126.867, 328.449, 78.0711)
    """
    where = "rq_optimal"
    it = _items(where, holding_cost, stockout_cost, ordering_cost, mean_demand, sd_demand,
                lead_time, optimise=True)
    r, q = _joint_optimum(it.flat(), where)
    r, q = r.reshape(it.shape), q.reshape(it.shape)
    return RQPolicy(method="optimal", reorder_point=_out(r), order_quantity=_out(q),
                    cost=_out(it.cost(r, q)))


def rq_approximation(method: str, *, holding_cost: Any, stockout_cost: Any, ordering_cost: Any,
                     mean_demand: Any, sd_demand: Any, lead_time: Any) -> RQPolicy:
    """Compute an (r, Q) policy by one of the classic approximations (:data:`RQ_APPROXIMATIONS`).

    ``"eil"``: iterate ``r = F^{-1}(1 - Q h / (p lambda))``, ``Q = sqrt(2 lambda (K +
    p n(r)) / h)`` from the EOQ (S&S algorithm 5.1). ``"eoqb"``: ``Q = sqrt(2 K lambda
    (h + p) / (h p))``, ``r = r(Q)``. ``"eoqss"``: ``Q = sqrt(2 K lambda / h)``, ``r =
    mu + sigma Phi^{-1}(p / (h + p))``. ``"loss_function"``: iterate ``n(r) = h Q /
    (h + p)``, ``Q = sqrt(2 (K lambda + (h + p) n2(r)) / h)`` from the EOQ. The
    iterations run until no item moves by more than about 1e-13 relative (stockpyl
    stops at 1e-6 absolute).

    Parameters
    ----------
    method
        One of :data:`RQ_APPROXIMATIONS`.
    holding_cost, stockout_cost, ordering_cost, mean_demand, sd_demand, lead_time
        As in :func:`rq_optimal`.

    Returns
    -------
    RQPolicy
        ``r``, ``Q`` and their exact cost ``g(r, Q)`` (:func:`rq_cost`).

    Raises
    ------
    ChoiceError
        ``method`` is not one of :data:`RQ_APPROXIMATIONS`.
    RangeError
        A parameter breaks its rule, or an iteration does not converge.

    Examples
    --------
    Snyder & Shen examples 5.2-5.6 (stockpyl: EOQB (128.63781442427097,
    308.5737801203754), loss function (126.8670634479628, 328.4491421980451)):

    >>> params = dict(holding_cost=0.225, stockout_cost=7.5, ordering_cost=8,
    ...               mean_demand=1300, sd_demand=150, lead_time=1 / 12)
    >>> for m in RQ_APPROXIMATIONS:
    ...     pol = rq_approximation(m, **params)
    ...     print(f"{m:13} r={pol.reorder_point:8.3f} Q={pol.order_quantity:8.3f} "
    ...           f"cost={pol.cost:6.3f}")
    eil           r= 213.970 Q= 318.590 cost=92.287
    eoqb          r= 128.638 Q= 308.574 cost=78.202
    eoqss         r= 190.337 Q= 304.047 cost=87.048
    loss_function r= 126.867 Q= 328.449 cost=78.071
    """
    where = "rq_approximation"
    one_of("method", method, RQ_APPROXIMATIONS, where)
    it = _items(where, holding_cost, stockout_cost, ordering_cost, mean_demand, sd_demand,
                lead_time, optimise=True)
    if method == "eil":
        r, q = _eil(it.flat(), where)
    elif method == "loss_function":
        r, q = _loss_function(it.flat(), where)
    elif method == "eoqb":
        q = np.sqrt(2.0 * it.k * it.lam * (it.h + it.p) / (it.h * it.p))
        r = _r_for_q(it.flat(), np.ravel(q), where)
    else:
        q = np.sqrt(2.0 * it.k * it.lam / it.h)
        r = it.newsvendor_level()
    r, q = np.reshape(r, it.shape), np.reshape(q, it.shape)
    return RQPolicy(method=method, reorder_point=_out(r), order_quantity=_out(q),
                    cost=_out(it.cost(r, q)))
