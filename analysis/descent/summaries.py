"""Run summaries: the regime and abrupt-learning statistics of many descents, without their histories.

:func:`classify` summarises recorded runs (:class:`~analysis.descent.descend.Descent`);
:func:`summarize_runs` runs and summarises at once, which is what the critical-learning-rate
search and the phase diagrams call. ``backend="numba"`` (default) runs the compiled kernel;
``backend="numpy"`` runs :func:`analysis.descend` and :func:`classify`, the reference it is tested
against. Finite confidence always goes through a :class:`~analysis.descent.tables.GradientTable`
here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from reduced.validation import convention_argument

from ..optimizers import ADAM_DEFAULTS
from ..regimes import Criteria, WindowStats, amplitude, decide, window_stats
from .descend import Descent, descend
from .problem import DescentProblem
from .tables import kernel_landscape


@dataclass(frozen=True)
class RunSummary:
    """Per-run outcome: regime code (see :data:`REGIMES`), amplitude and statistics.

    Attributes
    ----------
    regime : ndarray of int
        Regime codes, indices into :data:`analysis.REGIMES`.
    amplitude : ndarray
        Half the range of r over the final window, relative to r_min (oscillating runs).
    final_r : ndarray
        r and the loss after the last update.
    final_loss : ndarray
        r and the loss after the last update.
    stats : WindowStats
        The final window's statistics and the abrupt-learning ones (``drop_epoch``,
        ``drop_sharpness``, ``plateau_length``, ``epochs_to_learn``).
    """

    regime: np.ndarray
    amplitude: np.ndarray
    final_r: np.ndarray
    final_loss: np.ndarray
    stats: WindowStats


def classify(run: Descent, criteria: Criteria | None = None) -> RunSummary:
    """Classify each run of a :class:`Descent` and report its abrupt-learning statistics.

    With ``record_every > 1`` the statistics are computed on the recorded epochs only.

    Parameters
    ----------
    run : Descent
        Recorded runs, from :func:`analysis.descend`.
    criteria : Criteria, optional
        The thresholds of the regimes (the defaults of :class:`Criteria`).

    Returns
    -------
    RunSummary
        Per run: the regime code (:data:`analysis.REGIMES`), the oscillation amplitude, the final r and
        loss, and the abrupt-learning statistics (drop epoch, its sharpness, plateau length).

    Examples
    --------
    >>> import numpy as np
    >>> from analysis import REGIMES, classify, descend
    >>> from reduced import critical_learning_rate, optimal_r
    >>> T = 50.0
    >>> run = descend(10 * optimal_r(T), np.array([0.01, 0.6, 1.2]) * critical_learning_rate(T), T, 5000)
    >>> [REGIMES[c] for c in classify(run).regime]  # too slow to arrive, bouncing about r*, trapped
    ['descending', 'oscillating', 'trapped']
    """
    criteria = criteria or Criteria()
    learn_level = criteria.learn_level(run.loss_min, run.zone_loss)
    stats = window_stats(run.r, run.loss, run.grad, run.epochs, run.r_min, learn_level, criteria)
    regime = decide(stats, run.r_min, run.r_zone, run.zone_loss, run.slope_scale, criteria)
    return RunSummary(regime, amplitude(stats, run.r_min), run.final_r, run.final_loss, stats)



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

    ``optimizer``, ``momentum`` and ``adam`` are those of :func:`analysis.descend`.

    Parameters
    ----------
    r0 : array_like
        Starts, any finite real.
    eta : array_like
        Learning rates, in (0, inf).
    T : array_like
        Delays, in (0, inf).
    epochs : int
        Updates per run, >= 1.
    a : array_like, optional
        Output confidence in (0, inf); None (default) for the sharp limit.
    x_star : array_like, optional
        Readout threshold at finite confidence. Default 10.
    dt : float, optional
        Euler step of the reference code's discrete model (finite confidence only).
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention.
    criteria : Criteria, optional
        The thresholds of the regimes.
    optimizer : {"sgd", "momentum", "adam"}, optional
        As for :func:`analysis.descend`.
    momentum : array_like, optional
        As for :func:`analysis.descend`.
    adam : (float, float, float), optional
        As for :func:`analysis.descend`.
    backend : {"numba", "numpy"}, optional
        The compiled kernel (default), or :func:`analysis.descend` and :func:`classify` in numpy,
        the reference the kernel is tested against.

    Returns
    -------
    RunSummary
        As :func:`classify` returns it, broadcast over the inputs.

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
        run = descend(r0, eta, T, epochs, a=a, x_star=x_star, dt=dt, normalized=normalized, gradient=gradient,
                      backend="numpy", optimizer=optimizer, momentum=momentum, adam=adam)
        return classify(run, criteria)
    problem = DescentProblem.build(r0, eta, T, epochs, a=a, x_star=x_star, dt=dt, normalized=normalized,
                                   optimizer=optimizer, momentum=momentum, adam=adam)
    return summarize_problem(problem, criteria)


def summarize_problem(problem: DescentProblem, criteria: Criteria | None = None) -> RunSummary:
    """The compiled path of :func:`summarize_runs` on a validated :class:`DescentProblem`.

    The one numba kernel runs every run to its end and keeps only the window statistics
    (finite confidence through a :class:`~analysis.descent.tables.GradientTable`).
    """
    from . import _kernels  # numba loads only when a compiled path runs

    p = problem
    criteria = criteria or Criteria()
    learn_level = criteria.learn_level(p.loss_min, p.zone_loss)
    flat = {k: np.ascontiguousarray(np.broadcast_to(v, p.shape), dtype=float).ravel()
            for k, v in dict(r0=p.r0, eta=p.eta, mu=p.momentum, T=p.T, r_min=p.r_min, learn_level=learn_level).items()}
    mode, index, grids, losses, grads = kernel_landscape(p.T, p.a, p.x_star, p.dt, p.normalized, p.shape)
    window = criteria.window(p.epochs)
    size = flat["r0"].size
    out_r, out_loss, out_stats = np.empty(size), np.empty(size), np.empty((size, 13))
    spec = p.spec
    _kernels.sweep(
        flat["r0"], flat["eta"], flat["mu"], flat["T"], p.normalized, flat["r_min"], index, mode, grids, losses,
        grads, spec.code, spec.b1, spec.b2, spec.eps, p.epochs, window, criteria.plateau_tol, flat["learn_level"],
        out_r, out_loss, out_stats,
    )
    columns = [c.reshape(p.shape) for c in out_stats.T]
    stats = WindowStats(columns[0].astype(bool), *columns[1:6], columns[6].astype(int), *columns[7:])
    regime = decide(stats, p.r_min, p.r_zone, p.zone_loss, p.slope_scale, criteria)
    return RunSummary(regime, amplitude(stats, p.r_min), out_r.reshape(p.shape), out_loss.reshape(p.shape), stats)
