"""Whether a result computed on a cluster agrees with the one-machine result, cell by cell.

A cluster run is only worth its speed if it gives the same numbers. :func:`compare_results`
checks two frames of the same analysis (one machine, cluster): the same columns in the same
order, the same rows, text and dates equal, missing values in the same places, and numbers
equal within a tolerance: ``|a - b| <= tolerance + relative * max(|a|, |b|)`` (sums of
non-integer values added in another order differ in the last bits: 3,138,572.41 may come back
as 3,138,572.4100000006). It says where the first disagreement is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.validation import require_frame

__all__ = ["Agreement", "compare_results"]


@dataclass(frozen=True)
class Agreement:
    """Result of :func:`compare_results`.

    Attributes
    ----------
    rows, columns
        Shape of the one-machine frame.
    same_shape
        Both frames have the same columns (same order) and the same number of rows.
    mismatched_cells
        Cells that differ: text or dates not equal, a missing value on one side only, or
        numbers further apart than the tolerance (0 when the shapes differ: nothing compared).
    max_abs_difference
        Largest absolute difference over the numeric cells present on both sides.
    tolerance, relative
        Absolute and relative tolerance allowed between two numbers.
    first_mismatch
        ``(row position, column)`` of the first differing cell, or None.
    """

    rows: int
    columns: int
    same_shape: bool
    mismatched_cells: int
    max_abs_difference: float
    tolerance: float
    relative: float
    first_mismatch: tuple[int, str] | None

    @property
    def agrees(self) -> bool:
        """True when the shapes match and no cell differs."""
        return self.same_shape and self.mismatched_cells == 0


def _column_mismatch(a: pd.Series, b: pd.Series, tolerance: float,
                     relative: float) -> tuple[np.ndarray, float]:
    """Mask of differing cells and the largest numeric difference of one column."""
    na_a, na_b = a.isna().to_numpy(), b.isna().to_numpy()
    both = ~na_a & ~na_b
    if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b) \
            and not pd.api.types.is_bool_dtype(a):
        x = a.to_numpy(dtype=float, na_value=np.nan)
        y = b.to_numpy(dtype=float, na_value=np.nan)
        diff = np.where(both, np.abs(x - y), 0.0)
        allowed = tolerance + relative * np.where(both, np.maximum(np.abs(x), np.abs(y)), 0.0)
        return (na_a != na_b) | (diff > allowed), float(diff.max(initial=0.0))
    same = np.asarray(a.astype(object).to_numpy() == b.astype(object).to_numpy(), dtype=bool)
    return (na_a != na_b) | (both & ~same), 0.0


def compare_results(single: pd.DataFrame, cluster: pd.DataFrame, *,
                    tolerance: float = 1e-9, relative: float = 1e-12) -> Agreement:
    """Compare the one-machine and the cluster result of the same analysis, cell by cell.

    Rows are compared in the order given (the distributed entry points return the rows in
    the one-machine order).

    Parameters
    ----------
    single, cluster
        The two results.
    tolerance
        Absolute difference always allowed between two numbers.
    relative
        Difference allowed relative to the larger of the two (1e-12: the last few of the 16
        digits a float carries).

    Returns
    -------
    Agreement

    Raises
    ------
    FrameTypeError
        An argument is not a DataFrame.

    Examples
    --------
    >>> a = pd.DataFrame({"kpi": ["otif", "fill"], "value": [0.9, 0.5]})
    >>> compare_results(a, a.assign(value=[0.9 + 1e-12, 0.5])).agrees
    True
    >>> big = pd.DataFrame({"sum": [3138572.41]})
    >>> compare_results(big, big + 6e-10).agrees, compare_results(big, big + 1e-3).agrees
    (True, False)
    >>> r = compare_results(a, a.assign(value=[0.9, 0.4]))
    >>> r.agrees, r.mismatched_cells, r.first_mismatch, round(r.max_abs_difference, 3)
    (False, 1, (1, 'value'), 0.1)
    """
    require_frame(single, "single", hint="pass the one-machine result.")
    require_frame(cluster, "cluster", hint="pass the cluster result.")
    same_shape = (list(single.columns) == list(cluster.columns)
                  and len(single) == len(cluster))
    if not same_shape:
        return Agreement(rows=len(single), columns=single.shape[1], same_shape=False,
                         mismatched_cells=0, max_abs_difference=float("nan"),
                         tolerance=tolerance, relative=relative, first_mismatch=None)
    worst, count, first = 0.0, 0, None
    for col in single.columns:
        mask, diff = _column_mismatch(single[col].reset_index(drop=True),
                                      cluster[col].reset_index(drop=True), tolerance,
                                      relative)
        worst = max(worst, diff)
        if mask.any():
            count += int(mask.sum())
            row = int(np.flatnonzero(mask)[0])
            if first is None or row < first[0]:
                first = (row, str(col))
    return Agreement(rows=len(single), columns=single.shape[1], same_shape=True,
                     mismatched_cells=count, max_abs_difference=worst, tolerance=tolerance,
                     relative=relative, first_mismatch=first)
