"""Array-wide checks of the inventory models' parameters, naming the first bad element.

The inventory functions take one value per item (or any shapes that broadcast),
so a rule is checked on every element at once; the error names the parameter,
the function, the first offending value and its position. Scalar rules (counts,
choices, dates) are in :mod:`workbench.validation`. Every array check here raises
:class:`~workbench.exceptions.RangeError`; :func:`one_of` is
:func:`~workbench.validation.check_choice` with the function named in the message
(:class:`~workbench.exceptions.ChoiceError`); both are ``ConfigError``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from workbench.exceptions import RangeError
from workbench.validation import check_choice

__all__ = [
    "as_numbers",
    "nonnegative",
    "one_of",
    "positive",
    "probability",
    "require_all",
    "whole_numbers",
]


def as_numbers(name: str, value: Any, where: str) -> np.ndarray:
    """``value`` as a float array.

    Parameters
    ----------
    name
        Parameter name, used in the message.
    value
        A number, or anything ``numpy.asarray`` turns into numbers.
    where
        The function that checks it, used in the message.

    Raises
    ------
    RangeError
        ``value`` is not numeric.

    Examples
    --------
    >>> as_numbers("lead_time", [1, 2], "lead_time_demand")
    array([1., 2.])
    """
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise RangeError(
            f"{where}: {name} must be a number or an array of numbers; got {value!r} ({exc}).",
            key=name, value=value, fix=f"pass {name} as a float or a NumPy array of floats.",
        ) from None


def require_all(name: str, arr: np.ndarray, ok: Any, rule: str, where: str, fix: str) -> None:
    """Raise at the first element of ``arr`` where ``ok`` is False (or NaN).

    Parameters
    ----------
    name
        Parameter name, used in the message.
    arr
        The values (broadcast against ``ok``).
    ok
        Boolean array: where the rule holds.
    rule
        The rule, completing "``name`` must be ...".
    where
        The function that checks it.
    fix
        How to correct it.

    Raises
    ------
    RangeError
        Some element breaks the rule; the message gives its value, position and
        how many break it.

    Examples
    --------
    >>> arr = np.array([1.0, -2.0])
    >>> require_all("sd_demand", arr, arr >= 0, ">= 0", "f", "fix it.")
    Traceback (most recent call last):
    ...
    workbench.exceptions.RangeError: f: sd_demand must be >= 0; got -2.0 at position 1 ...
    """
    ok = np.asarray(ok, dtype=bool)
    if ok.all():
        return
    bad = ~np.broadcast_to(ok, np.broadcast_shapes(ok.shape, arr.shape))
    full = np.broadcast_to(arr, bad.shape)
    flat = np.flatnonzero(bad.ravel())
    pos = int(flat[0])
    value = full.ravel()[pos]
    value = float(value) if np.issubdtype(np.asarray(value).dtype, np.number) else value
    loc = ""
    if full.ndim:
        idx = np.unravel_index(pos, full.shape)
        at = idx[0] if full.ndim == 1 else tuple(int(i) for i in idx)
        loc = f" at position {at} ({flat.size} of {full.size} values break the rule)"
    raise RangeError(f"{where}: {name} must be {rule}; got {value!r}{loc}.",
                     key=name, value=value, fix=fix)


def nonnegative(name: str, value: Any, where: str, unit: str = "") -> np.ndarray:
    """``value`` as floats, each finite and ``>= 0`` (``unit`` is shown after the rule)."""
    arr = as_numbers(name, value, where)
    require_all(name, arr, np.isfinite(arr) & (arr >= 0), f"a finite number >= 0{unit}", where,
                f"check {name} for negative, missing (NaN) or infinite values.")
    return arr


def positive(name: str, value: Any, where: str, unit: str = "") -> np.ndarray:
    """``value`` as floats, each finite and ``> 0`` (``unit`` is shown after the rule)."""
    arr = as_numbers(name, value, where)
    require_all(name, arr, np.isfinite(arr) & (arr > 0), f"a finite number > 0{unit}", where,
                f"check {name} for zero, negative, missing (NaN) or infinite values.")
    return arr


def probability(name: str, value: Any, where: str) -> np.ndarray:
    """``value`` as floats, each strictly between 0 and 1 (a service level, a confidence).

    Examples
    --------
    >>> probability("service_level", 95, "policy_for_service")
    Traceback (most recent call last):
    ...
    workbench.exceptions.RangeError: policy_for_service: service_level must be strictly between 0 and 1 (e.g. 0.95); got 95.0. ...
    """
    arr = as_numbers(name, value, where)
    require_all(name, arr, (arr > 0) & (arr < 1), "strictly between 0 and 1 (e.g. 0.95)", where,
                f"give {name} as a fraction, e.g. 0.95 rather than 95; 0 and 1 cannot be "
                "targeted (1 needs infinite stock).")
    return arr


def whole_numbers(name: str, value: Any, where: str, minimum: int) -> np.ndarray:
    """``value`` as int64, each a whole number of periods ``>= minimum``."""
    arr = as_numbers(name, value, where)
    require_all(name, arr, np.isfinite(arr) & (arr >= minimum) & (arr == np.round(arr)),
                f"a whole number of periods >= {minimum}", where,
                f"round {name} to whole periods (e.g. np.rint(lead_time_days / 7)).")
    return arr.astype(np.int64)


def one_of(name: str, value: Any, options: tuple[str, ...], where: str) -> str:
    """Check an option parameter (``policy``, ``mode``, ...); the message names ``where``.

    Examples
    --------
    >>> one_of("policy", "weekly", ("periodic", "continuous"), "policy_for_service")
    Traceback (most recent call last):
    ...
    workbench.exceptions.ChoiceError: policy_for_service: policy='weekly' is not one of 'periodic', 'continuous' ...
    """
    check_choice(value, options, key=name, what=f"{where}: {name}={value!r}")
    return value
