"""Many gradient-descent runs at once, summarised without storing their histories.

:func:`summarize_runs` is what the critical-learning-rate search and the phase diagrams call.
``backend="numba"`` (default) runs the compiled kernel; ``backend="numpy"`` runs
:func:`.dynamics.descend` and :func:`.dynamics.classify`, the reference it is tested against.
Finite confidence always goes through a :class:`.dynamics.GradientTable` here.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from reduced._validation import convention_argument

from .dynamics import RunSummary, _landscape_constants, _tables_for, _validate_descent, classify, descend
from .regimes import Criteria, WindowStats, amplitude, decide


@convention_argument
def summarize_runs(
    r0: ArrayLike,
    eta: ArrayLike,
    T: ArrayLike,
    epochs: int,
    *,
    a: ArrayLike | None = None,
    x_star: ArrayLike = 10.0,
    dt: float | None = None,
    normalized: bool = True,
    criteria: Criteria | None = None,
    backend: str = "numba",
) -> RunSummary:
    """Run every descent (broadcast over r0, eta, T, a) and return its :class:`RunSummary`.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis import REGIMES, summarize_runs
    >>> from reduced import critical_learning_rate, optimal_r
    >>> T = 100.0
    >>> s = summarize_runs(10 * optimal_r(T), np.array([0.3, 1.1]) * critical_learning_rate(T), T, 10_000)
    >>> [REGIMES[c] for c in s.regime]
    ['oscillating', 'trapped']
    """
    if backend not in ("numba", "numpy"):
        raise ValueError(f"backend must be 'numba' or 'numpy', got {backend!r}")
    criteria = criteria or Criteria()
    if backend == "numpy":
        gradient = "exact" if a is None else "table"
        run = descend(r0, eta, T, epochs, a=a, x_star=x_star, dt=dt, normalized=normalized, gradient=gradient)
        return classify(run, criteria)

    from . import _kernels

    arrays, epochs = _validate_descent(r0, eta, T, epochs, a, x_star, "table")
    r0, eta, T = arrays["r0"], arrays["eta"], arrays["T"]
    a_arr, xs = arrays.get("a"), arrays.get("x_star")
    r_min, r_zone, loss_min, zone_loss, slope_scale = _landscape_constants(T, a_arr, xs, dt, normalized)
    learn_level = criteria.learn_level(loss_min, zone_loss)
    shape = r0.shape
    flat = {k: np.ascontiguousarray(np.broadcast_to(v, shape), dtype=float).ravel()
            for k, v in dict(r0=r0, eta=eta, T=T, r_min=r_min, learn_level=learn_level).items()}
    if a_arr is None:
        mode, index = _kernels.SHARP, np.zeros(flat["r0"].size, np.int64)
        grids = losses = grads = np.zeros((1, 2))
    else:
        tables = _tables_for(T, a_arr, xs, dt, normalized)
        mode, index = _kernels.TABLE, tables.index.ravel().astype(np.int64)
        grids, losses, grads = _stack_tables(tables.tables)
    window = criteria.window(epochs)
    out_r = np.empty(flat["r0"].size)
    out_loss = np.empty(flat["r0"].size)
    out_stats = np.empty((flat["r0"].size, 13))
    _kernels.sweep(
        flat["r0"], flat["eta"], flat["T"], normalized, flat["r_min"], index, mode, grids, losses, grads,
        epochs, window, criteria.plateau_tol, flat["learn_level"],
        out_r, out_loss, out_stats,
    )
    columns = [c.reshape(shape) for c in out_stats.T]
    stats = WindowStats(columns[0].astype(bool), *columns[1:6], columns[6].astype(int), *columns[7:])
    regime = decide(stats, r_min, r_zone, zone_loss, slope_scale, criteria)
    return RunSummary(regime, amplitude(stats, r_min), out_r.reshape(shape), out_loss.reshape(shape), stats)


def _stack_tables(tables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack tables of possibly different lengths, padding each with its last entry."""
    n = max(t.r.size for t in tables)

    def pad(v):
        return np.concatenate([v, np.full(n - v.size, v[-1])])

    return tuple(np.ascontiguousarray(np.stack([pad(getattr(t, k)) for t in tables])) for k in ("r", "loss", "grad"))
