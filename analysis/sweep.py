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

from .dynamics import RunSummary, _landscape_constants, _validate_descent, classify, descend, kernel_landscape
from .optimizers import ADAM_DEFAULTS
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
    optimizer: str = "sgd",
    momentum: ArrayLike = 0.9,
    adam: tuple[float, float, float] = ADAM_DEFAULTS,
    backend: str = "numba",
) -> RunSummary:
    """Run every descent (broadcast over r0, eta, T, a, momentum) and return its :class:`RunSummary`.

    ``optimizer``, ``momentum`` and ``adam`` are those of :func:`.dynamics.descend`.

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
    options = dict(optimizer=optimizer, momentum=momentum, adam=adam)
    if backend == "numpy":
        gradient = "exact" if a is None else "table"
        run = descend(r0, eta, T, epochs, a=a, x_star=x_star, dt=dt, normalized=normalized, gradient=gradient,
                      backend="numpy", **options)
        return classify(run, criteria)

    from . import _kernels

    arrays, epochs, spec = _validate_descent(r0, eta, T, epochs, a, x_star, "table", **options)
    shape = np.broadcast_shapes(*(np.shape(v) for v in arrays.values()))
    r0, eta, T, mu = (np.broadcast_to(arrays[k], shape) for k in ("r0", "eta", "T", "momentum"))
    a_arr, xs = arrays.get("a"), arrays.get("x_star")
    r_min, r_zone, loss_min, zone_loss, slope_scale = _landscape_constants(T, a_arr, xs, dt, normalized)
    learn_level = criteria.learn_level(loss_min, zone_loss)
    flat = {k: np.ascontiguousarray(np.broadcast_to(v, shape), dtype=float).ravel()
            for k, v in dict(r0=r0, eta=eta, mu=mu, T=T, r_min=r_min, learn_level=learn_level).items()}
    mode, index, grids, losses, grads = kernel_landscape(T, a_arr, xs, dt, normalized, shape)
    window = criteria.window(epochs)
    out_r = np.empty(flat["r0"].size)
    out_loss = np.empty(flat["r0"].size)
    out_stats = np.empty((flat["r0"].size, 13))
    _kernels.sweep(
        flat["r0"], flat["eta"], flat["mu"], flat["T"], normalized, flat["r_min"], index, mode, grids, losses, grads,
        spec.code, spec.b1, spec.b2, spec.eps, epochs, window, criteria.plateau_tol, flat["learn_level"],
        out_r, out_loss, out_stats,
    )
    columns = [c.reshape(shape) for c in out_stats.T]
    stats = WindowStats(columns[0].astype(bool), *columns[1:6], columns[6].astype(int), *columns[7:])
    regime = decide(stats, r_min, r_zone, zone_loss, slope_scale, criteria)
    return RunSummary(regime, amplitude(stats, r_min), out_r.reshape(shape), out_loss.reshape(shape), stats)
