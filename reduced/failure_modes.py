"""The two failure modes of learning r at finite confidence, as functions.

* **Vanishing gradient.** In the no-learning zone the output is confidently wrong and the
  gradient is exponentially small in a x*. At the saddle-node r = 0 it has the exact closed
  form derived in :func:`.symbolic.saddle_node_gradient`, with leading order
  -3 a T e^{-a x*} (normalized).
* **Oscillatory minimum.** At finite a the minimum r_min(a) has finite curvature L'', so
  plain gradient descent is stable only below eta_s = 2 / L''(r_min). As a grows the
  landscape sharpens into the kink of the sharp limit: L'' grows and eta_s falls to 0.

Rates (derived in :func:`.symbolic.oscillation_threshold`, checked in tests/test_landscape.py):

* with x* fixed, r_min(a) tends to r_x (t_s(r_x) = T, the time to reach x*), exponentially
  fast in a: r_min/r_x - 1 is 2.5e-4 at a = 0.1, 3e-6 at a = 0.3 and below 1e-9 from a = 1
  (T = 100, x* = 10); r_x itself tends to r* as O(1/x*) (r_x/r* = 0.998 at x* = 10), so with
  x* = a -> inf, r_min/r* - 1 ~ -2/(T x*) (measured at T = 100: -2.0e-3 at 10, -2.0e-5 at 1000);
* eta_s = 4 T / (a (x*^2 + r_x) t_s'(r_x)^2) (normalized) falls exactly as 1/a once a x* >~ 5
  (agreement to 1e-7 from a = 1; 9.68e-11 at a = 1, T = 100, x* = 10).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .closed_forms import optimal_r
from .landscape import loss_and_grad
from .validation import broadcast, convention_argument, finite, positive, scalar_or_array

_GRID = np.geomspace(0.3, 6.0, 241)  # r / r* scanned for the minimum before refining
_BISECTIONS = 60


@convention_argument
def no_learning_gradient(
    T: ArrayLike, a: ArrayLike, *, x_star: ArrayLike = 10.0, dt: ArrayLike | None = None, normalized: bool = True
) -> np.ndarray | float:
    """|dL/dr| at the saddle-node r = 0, a point inside the no-learning zone, from x0 = 0.

    Computed from the exact landscape (:func:`loss_and_grad`), so it applies to the
    discrete model too (``dt``). Compare :func:`no_learning_gradient_asymptotic`.

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).
    a : array_like
        Output confidence, in (0, inf).
    x_star : array_like, optional
        Readout threshold, finite. Default 10.
    dt : array_like or None, optional
        Euler step for the discrete model; None (default) for continuous time.
    normalized : bool, optional
        Loss convention.

    Returns
    -------
    float or ndarray
        |dL/dr| at r = 0, broadcast over T, a and x_star (and dt).

    Examples
    --------
    >>> from reduced import no_learning_gradient, no_learning_gradient_asymptotic
    >>> g = no_learning_gradient(100.0, 2.0)
    >>> abs(g / no_learning_gradient_asymptotic(100.0, 2.0) - 1) < 1e-8
    True
    """
    _, grad = loss_and_grad(0.0, T, a=a, x_star=x_star, dt=dt, normalized=normalized)
    return scalar_or_array(np.abs(grad))


@convention_argument
def no_learning_gradient_asymptotic(
    T: ArrayLike, a: ArrayLike, *, x_star: ArrayLike = 10.0, normalized: bool = True
) -> np.ndarray | float:
    """Leading order of |dL/dr| at r = 0 for large a x*: 3 a T e^{-a x*} (times T, integral).

    Derived in :func:`.symbolic.saddle_node_gradient`; the relative error of this leading
    order is O(e^{-a x*}).

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).
    a : array_like
        Output confidence, in (0, inf).
    x_star : array_like, optional
        Readout threshold, in (0, inf). Default 10.
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention: time-averaged (default) or the reference code's un-averaged integral.

    Returns
    -------
    float or ndarray
        The leading-order |dL/dr| at r = 0, broadcast over T, a and x_star.
    """
    T, a, x_star = broadcast(T=positive(T, "T"), a=positive(a, "a"), x_star=finite(x_star, "x_star"))
    value = 3 * a * T * np.exp(-a * x_star)
    return scalar_or_array(value if normalized else value * T)


@dataclass(frozen=True)
class Minimum:
    """The finite-confidence minimum and the gradient-descent stability bound there.

    Attributes
    ----------
    r_min : float or ndarray
        The minimiser of L(r).
    loss : float or ndarray
        L(r_min).
    curvature : float or ndarray
        L''(r_min), by a central difference of the exact gradient on a step that
        resolves the width of the smoothed kink.
    eta_s : float or ndarray
        2 / L''(r_min): plain gradient descent converges to r_min only below it.
    """

    r_min: np.ndarray | float
    loss: np.ndarray | float
    curvature: np.ndarray | float
    eta_s: np.ndarray | float


@convention_argument
def minimum(
    T: ArrayLike,
    a: ArrayLike,
    *,
    x_star: ArrayLike = 10.0,
    x0: ArrayLike = 0.0,
    dt: ArrayLike | None = None,
    normalized: bool = True,
) -> Minimum:
    """Locate the finite-confidence minimum r_min(a), its curvature and eta_s = 2 / L''.

    The loss is scanned on r / r* in [0.3, 6] (geometric grid) to bracket the minimum, which
    is then refined by bisection on the sign of the exact gradient; all of it vectorised
    over the broadcast T, a and x_star.

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).
    a : array_like
        Output confidence, in (0, inf).
    x_star : array_like, optional
        Readout threshold, finite. Default 10.
    x0 : array_like, optional
        Initial state, finite. Default 0.
    dt : array_like or None, optional
        Euler step of the discrete model; None (default) for continuous time.
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention: time-averaged (default) or the reference code's un-averaged integral.

    Returns
    -------
    Minimum
        ``r_min``, ``loss``, ``curvature`` and ``eta_s``, each broadcast over T, a and x_star.

    Examples
    --------
    >>> from reduced import minimum, optimal_r
    >>> m = minimum(100.0, 1.0)
    >>> 0.9 < m.r_min / optimal_r(100.0) < 1.1 and m.eta_s > 0
    True
    """
    T, a, x_star, x0 = broadcast(
        T=positive(T, "T"), a=positive(a, "a"), x_star=finite(x_star, "x_star"), x0=finite(x0, "x0")
    )
    kwargs = dict(dt=dt, normalized=normalized)
    expand = (...,) + (None,)
    r_star = np.asarray(optimal_r(T))
    r_grid = r_star[expand] * _GRID
    grid_loss = np.asarray(
        loss_and_grad(r_grid, T[expand], a=a[expand], x_star=x_star[expand], x0=x0[expand], **kwargs)[0]
    )
    best = np.argmin(grid_loss, axis=-1)
    lo = np.take_along_axis(r_grid, np.maximum(best - 1, 0)[expand], -1)[..., 0]
    hi = np.take_along_axis(r_grid, np.minimum(best + 1, _GRID.size - 1)[expand], -1)[..., 0]

    def grad(r):
        return np.asarray(loss_and_grad(r, T, a=a, x_star=x_star, x0=x0, **kwargs)[1])

    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        rising = grad(mid) > 0
        hi = np.where(rising, mid, hi)
        lo = np.where(rising, lo, mid)
    r_min = 0.5 * (lo + hi)
    # The minimum sits on a kink smoothed over the r-width of the output switch: a switch
    # lasting 1/(a x'(t_s)) in time, with x' = x*^2 + r and dt_s/dr ~ -T/(2r). The
    # difference step must resolve that width or L'' saturates as a grows.
    switch_width = 2 * r_min / (T * a * (x_star**2 + r_min))
    step = 1e-3 * np.minimum(r_min, switch_width)
    curvature = (grad(r_min + step) - grad(r_min - step)) / (2 * step)
    loss_min = np.asarray(loss_and_grad(r_min, T, a=a, x_star=x_star, x0=x0, **kwargs)[0])
    with np.errstate(divide="ignore"):
        eta_s = np.where(curvature > 0, 2 / curvature, np.inf)
    return Minimum(*(scalar_or_array(v) for v in (r_min, loss_min, curvature, eta_s)))


def switch_optimum(T: ArrayLike, x_star: ArrayLike = 10.0) -> np.ndarray | float:
    """r_x solving t_s(r) = T, t_s(r) = atan(x*/sqrt r)/sqrt r the time from 0 to x* > 0.

    The large-a limit of the finite-threshold minimiser r_min(a); it tends to r* as x* -> inf.
    Solved by vectorised bisection in log r on (0, r*], where t_s is decreasing.

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).
    x_star : array_like, optional
        Readout threshold, in (0, inf). Default 10.

    Returns
    -------
    float or ndarray
        r_x, broadcast over T and x_star; in (0, r*].

    Examples
    --------
    >>> from reduced import optimal_r, switch_optimum
    >>> round(switch_optimum(100.0, 10.0) / optimal_r(100.0), 6)
    0.998003
    """
    T, x_star = broadcast(T=positive(T, "T"), x_star=positive(x_star, "x_star"))
    r_star = np.pi**2 / (4 * T**2)
    lo, hi = np.log(r_star) - 30.0, np.log(r_star)
    for _ in range(_BISECTIONS + 40):
        mid = 0.5 * (lo + hi)
        root = np.exp(0.5 * mid)
        late = np.arctan(x_star / root) / root > T
        lo, hi = np.where(late, mid, lo), np.where(late, hi, mid)
    return scalar_or_array(np.exp(0.5 * (lo + hi)))


@convention_argument
def oscillation_threshold_asymptotic(
    T: ArrayLike, a: ArrayLike, *, x_star: ArrayLike = 10.0, normalized: bool = True
) -> np.ndarray | float:
    """Leading-order eta_s for large a: 2 / [F''(0) a (x*^2 + r) t_s'(r)^2 / T] at r = r_x.

    F''(0) = 1/2 is the curvature of the switch profile (:func:`.symbolic.oscillation_threshold`);
    so eta_s falls as 1/a. ``normalized=False`` drops the factor T.

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).
    a : array_like
        Output confidence, in (0, inf).
    x_star : array_like, optional
        Readout threshold, in (0, inf). Default 10.
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention: time-averaged (default) or the reference code's un-averaged integral.

    Returns
    -------
    float or ndarray
        The leading-order eta_s, broadcast over T, a and x_star.

    Examples
    --------
    >>> from reduced import minimum, oscillation_threshold_asymptotic
    >>> exact, approx = minimum(100.0, 30.0).eta_s, oscillation_threshold_asymptotic(100.0, 30.0)
    >>> abs(exact / approx - 1) < 1e-3
    True
    """
    T, a, x_star = broadcast(T=positive(T, "T"), a=positive(a, "a"), x_star=positive(x_star, "x_star"))
    r = np.asarray(switch_optimum(T, x_star))
    root = np.sqrt(r)
    eta_s = 16 * r**5 * (r + x_star**2) / (a * (r**1.5 * x_star + r * (r + x_star**2) * np.arctan(x_star / root)) ** 2)
    return scalar_or_array(eta_s * T if normalized else eta_s)
