r"""Newsvendor order quantities and expected costs, vectorised over items.

One period (a season, a single buy): order ``Q`` before demand ``D`` is known;
each unit left over costs ``holding_cost`` ``h`` (the overage cost), each unit
short costs ``stockout_cost`` ``p`` (the underage cost). The expected cost

.. math:: g(Q) = h\,E[(Q - D)^+] + p\,E[(D - Q)^+]

is minimised at the critical ratio: the smallest ``Q`` with ``F(Q) >= p / (p +
h)`` (Snyder & Shen, *Fundamentals of Supply Chain Theory*, ch. 4). For normal
demand ``Q* = mu + z sigma`` with ``z = Phi^{-1}(p / (p + h))`` and ``g(Q*) = (h +
p) phi(z) sigma``; for discrete demand (Poisson, negative binomial, empirical:
:mod:`workbench.inventory.demand_models`) ``Q*`` is a whole number. ``z`` is
capped at ``+-Z_MAX`` of :mod:`workbench.inventory.policy`.

Every function takes arrays (one value per item, or shapes that broadcast) and
returns a :class:`NewsvendorResult`; pass ``order_quantity`` to get the
expected cost of a given quantity instead of the optimum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from workbench.inventory.checks import as_numbers, positive, require_all
from workbench.inventory.demand_models import (
    DiscreteDemand,
    empirical_lead_time_demand,
    poisson_lead_time_demand,
)
from workbench.inventory.policy import Z_MAX, normal_loss

__all__ = [
    "NewsvendorResult",
    "newsvendor_discrete",
    "newsvendor_empirical",
    "newsvendor_normal",
    "newsvendor_poisson",
]

_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


def _out(x: Any) -> np.ndarray | float:
    x = np.asarray(x, dtype=float)
    return float(x) if x.ndim == 0 else x


@dataclass(frozen=True)
class NewsvendorResult:
    """Order quantity and expected cost of a newsvendor, per item.

    Attributes
    ----------
    order_quantity
        ``Q*`` (or the quantity evaluated).
    expected_cost
        ``h E[(Q - D)^+] + p E[(D - Q)^+]``.
    critical_ratio
        ``p / (p + h)``.
    expected_leftover
        ``E[(Q - D)^+]``, units left over.
    expected_shortage
        ``E[(D - Q)^+]``, units short.
    service_level
        ``P(D <= Q)``: probability of no stockout.
    model
        ``"normal"``, ``"poisson"``, ``"negative_binomial"`` or ``"empirical"``.
    """

    order_quantity: np.ndarray | float
    expected_cost: np.ndarray | float
    critical_ratio: np.ndarray | float
    expected_leftover: np.ndarray | float
    expected_shortage: np.ndarray | float
    service_level: np.ndarray | float
    model: str


def _costs(holding_cost: Any, stockout_cost: Any, where: str) -> tuple[np.ndarray, ...]:
    h = positive("holding_cost", holding_cost, where, " (per unit left over)")
    p = positive("stockout_cost", stockout_cost, where, " (per unit short)")
    return h, p, p / (p + h)


def _quantity(order_quantity: Any, where: str) -> np.ndarray:
    q = as_numbers("order_quantity", order_quantity, where)
    require_all("order_quantity", q, np.isfinite(q), "finite", where,
                "check order_quantity for NaN or inf.")
    return q


def newsvendor_normal(holding_cost: Any, stockout_cost: Any, mean: Any, sd: Any, *,
                      order_quantity: Any = None) -> NewsvendorResult:
    """Newsvendor with normal demand: ``Q* = mu + z sigma``, ``g* = (h + p) phi(z) sigma``.

    Parameters
    ----------
    holding_cost
        ``h``: cost per unit left over (``> 0``).
    stockout_cost
        ``p``: cost per unit short (``> 0``).
    mean, sd
        Demand mean and standard deviation (``sd >= 0``; ``sd = 0`` orders the mean).
    order_quantity
        Evaluate this quantity instead of optimising.

    Returns
    -------
    NewsvendorResult

    Examples
    --------
    Snyder & Shen, example 4.3: ``h = 0.18``, ``p = 0.70``, ``D ~ N(50, 8^2)``:
    ``alpha = 0.7955``, ``z = 0.8255``, ``Q* = 56.60``, ``g* = 0.88 x 0.2838 x 8 = 1.998``:

    >>> r = newsvendor_normal(0.18, 0.70, 50, 8)
    >>> round(r.order_quantity, 2), round(r.expected_cost, 3)
    (56.6, 1.998)
    >>> round(newsvendor_normal(0.18, 0.70, 50, 8, order_quantity=60).expected_cost, 4)
    2.1561
    """
    where = "newsvendor_normal"
    h, p, ratio = _costs(holding_cost, stockout_cost, where)
    mu = as_numbers("mean", mean, where)
    require_all("mean", mu, np.isfinite(mu), "finite", where, "check mean for NaN or inf.")
    sd = as_numbers("sd", sd, where)
    require_all("sd", sd, np.isfinite(sd) & (sd >= 0), "a finite number >= 0", where,
                "check sd for negative or missing values.")
    z = np.clip(special.ndtri(ratio), -Z_MAX, Z_MAX)
    if order_quantity is None:
        q = mu + z * sd
        cost = (h + p) * np.exp(-0.5 * z * z) * _INV_SQRT_2PI * sd
    else:
        q = _quantity(order_quantity, where)
    short = np.asarray(normal_loss(q, mu, sd))
    left = np.maximum(q - mu + short, 0.0)
    if order_quantity is not None:
        cost = h * left + p * short
    safe = np.where(sd > 0, sd, 1.0)
    csl = np.where(sd > 0, special.ndtr((q - mu) / safe), (q >= mu).astype(float))
    shape = np.broadcast_shapes(q.shape, np.shape(cost), ratio.shape)
    b = lambda v: _out(np.broadcast_to(np.asarray(v, dtype=float), shape))  # noqa: E731
    return NewsvendorResult(order_quantity=b(q), expected_cost=b(cost), critical_ratio=b(ratio),
                            expected_leftover=b(left), expected_shortage=b(short),
                            service_level=b(csl), model="normal")


def newsvendor_discrete(holding_cost: Any, stockout_cost: Any, demand: DiscreteDemand, *,
                        order_quantity: Any = None) -> NewsvendorResult:
    """Newsvendor with discrete demand: smallest whole ``Q`` with ``F(Q) >= p / (p + h)``.

    Parameters
    ----------
    holding_cost, stockout_cost
        ``h`` per unit left over and ``p`` per unit short (``> 0``).
    demand
        The demand of the period (e.g. :func:`~workbench.inventory.demand_models.demand_from_pmf`
        or any protection-interval demand of that module).
    order_quantity
        Evaluate this quantity instead of optimising (any real number).

    Returns
    -------
    NewsvendorResult

    Examples
    --------
    Demand 0, 1, 2 with probabilities 0.2, 0.5, 0.3, ``h = 1``, ``p = 3``: ``alpha =
    0.75``, ``F(1) = 0.7 < 0.75 <= F(2)``, so ``Q* = 2`` with cost ``1 x (2 x 0.2 + 1 x
    0.5) = 0.9``:

    >>> from workbench.inventory.demand_models import demand_from_pmf
    >>> r = newsvendor_discrete(1.0, 3.0, demand_from_pmf([0.2, 0.5, 0.3]))
    >>> r.order_quantity, np.round(r.expected_cost, 10)
    (array([2.]), array([0.9]))
    """
    where = "newsvendor_discrete"
    h, p, ratio = _costs(holding_cost, stockout_cost, where)
    if order_quantity is None:
        q = np.asarray(demand.quantile(ratio))
    else:
        q = _quantity(order_quantity, where)
    short = np.asarray(demand.loss(q))
    left = np.asarray(demand.complementary_loss(q))
    cost = h * left + p * short
    shape = np.broadcast_shapes(np.shape(cost), ratio.shape)
    b = lambda v: _out(np.broadcast_to(np.asarray(v, dtype=float), shape))  # noqa: E731
    return NewsvendorResult(order_quantity=b(q), expected_cost=b(cost), critical_ratio=b(ratio),
                            expected_leftover=b(left), expected_shortage=b(short),
                            service_level=b(demand.cdf(q)), model=demand.model)


def newsvendor_poisson(holding_cost: Any, stockout_cost: Any, mean: Any, *,
                       order_quantity: Any = None) -> NewsvendorResult:
    """Newsvendor with Poisson demand of the given mean (whole-unit ``Q*``).

    Examples
    --------
    ``h = 0.18``, ``p = 0.70``, ``D ~ Poisson(50)``: ``Q* = 56`` (stockpyl's
    ``newsvendor_poisson(0.18, 0.70, 50)``):

    >>> r = newsvendor_poisson(0.18, 0.70, 50)
    >>> r.order_quantity, round(r.expected_cost, 6)
    (56.0, 1.797235)
    """
    return newsvendor_discrete(holding_cost, stockout_cost,
                               poisson_lead_time_demand(mean, 1.0),
                               order_quantity=order_quantity)


def newsvendor_empirical(holding_cost: Any, stockout_cost: Any, history: Any, *,
                         order_quantity: Any = None) -> NewsvendorResult:
    """Newsvendor with each item's empirical demand distribution (one period of its history).

    ``history`` is as in :func:`~workbench.inventory.demand_models.empirical_lead_time_demand`
    (periods x items, NaN = no data, whole units).

    Examples
    --------
    Past demand 3, 5, 5, 8 (each period equally likely), ``h = 1``, ``p = 1``: the
    median, ``Q* = 5`` (``F(5) = 0.75 >= 0.5``), cost ``(2 + 0 + 0 + 3) / 4 = 1.25``:

    >>> r = newsvendor_empirical(1.0, 1.0, [[3, 5, 5, 8]])
    >>> r.order_quantity, r.expected_cost
    (array([5.]), array([1.25]))
    """
    return newsvendor_discrete(holding_cost, stockout_cost,
                               empirical_lead_time_demand(history, 1),
                               order_quantity=order_quantity)
