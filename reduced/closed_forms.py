"""Numeric twins of the closed forms in :mod:`.symbolic`, vectorised over numpy arrays.

Each function validates its arguments up front, broadcasts them together, and returns a
float for scalar input or an array otherwise. The test-suite checks each one against the
lambdified symbolic expression it mirrors.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_float_array, broadcast, convention_argument, finite, positive, scalar_or_array

BETA_C = 0.75  # critical beta of the dimensionless map, derived in symbolic.critical_beta


def _antiderivative(u: np.ndarray, r: np.ndarray) -> np.ndarray:
    """F(u) with F' = 1/(u^2 + r), including its limits at u = +-inf, for every sign of r.

    Values at a fixed point (u = +-sqrt(-r), or u = 0 for r = 0) are meaningless; callers
    mask them, since no trajectory passes through a fixed point.
    """
    q = np.sqrt(np.abs(r))
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.arctan2(u, np.where(r > 0, q, 1.0)) / np.where(r > 0, q, 1.0)
        zero = np.where(np.isinf(u), 0.0, -1.0 / u)
        ratio = np.where(np.isinf(u), 1.0, (u - q) / (u + q))
        neg = np.log(np.abs(ratio)) / np.where(r < 0, 2 * q, 1.0)
    return np.where(r > 0, pos, np.where(r == 0, zero, neg))


def passage_time(r: ArrayLike, x0: ArrayLike = 0.0, x1: ArrayLike = np.inf) -> np.ndarray | float:
    """Time for dx/dt = x^2 + r to carry the state from ``x0`` to ``x1``.

    Parameters
    ----------
    r : array_like
        Scale parameter (any real value).
    x0 : array_like, optional
        Start, in [-inf, inf). Default 0.
    x1 : array_like, optional
        Target, in (-inf, inf]. Default +inf, giving the blow-up time.

    Returns
    -------
    float or ndarray
        The passage time, broadcast over the inputs. It is ``inf`` when the trajectory
        never arrives: a fixed point lies between ``x0`` and ``x1`` or on ``x1`` (for
        r <= 0 from x0 = 0 this is always so), or ``x1`` lies behind ``x0`` along the flow.
        It is never NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from reduced import passage_time
    >>> round(passage_time(np.pi**2 / 4), 12)  # t_inf(r) = pi / (2 sqrt r)
    1.0
    >>> passage_time(-1.0)
    inf
    """
    r = finite(r, "r")
    x0 = as_float_array(x0, "x0")
    x1 = as_float_array(x1, "x1")
    if np.any(x0 == np.inf):
        raise ValueError("x0 must lie in [-inf, inf)")
    if np.any(x1 == -np.inf):
        raise ValueError("x1 must lie in (-inf, inf]")
    r, x0, x1 = broadcast(r=r, x0=x0, x1=x1)
    q = np.sqrt(np.maximum(-r, 0.0))
    lo, hi = np.minimum(x0, x1), np.maximum(x0, x1)
    # A fixed point (+-q for r < 0, 0 for r = 0) anywhere in [lo, hi] blocks the passage.
    def blocks(p):
        return (r <= 0) & (lo <= p) & (p <= hi)

    blocked = blocks(q) | blocks(-q)
    with np.errstate(invalid="ignore"):
        speed_sign = np.sign(x0**2 + r)
    wrong_way = (np.sign(x1 - x0) * speed_sign) < 0
    with np.errstate(invalid="ignore"):  # inf - inf only where a fixed point blocks (masked)
        time = _antiderivative(x1, r) - _antiderivative(x0, r)
    out = np.where(blocked | wrong_way, np.inf, np.abs(time))
    return scalar_or_array(np.where(x0 == x1, 0.0, out))


def _check_T(T: ArrayLike) -> np.ndarray:
    return positive(T, "T")


def optimal_r(T: ArrayLike) -> np.ndarray | float:
    """The sharp-limit optimum r* = pi^2 / (4 T^2), where t_inf(r*) = T.

    Parameters
    ----------
    T : array_like
        Delay of the task, in (0, inf).

    Returns
    -------
    float or ndarray
        r*, broadcast over T.

    Examples
    --------
    >>> from reduced import optimal_r
    >>> round(optimal_r(100.0), 10)
    0.0002467401
    """
    T = _check_T(T)
    return scalar_or_array(np.pi**2 / (4 * T**2))


def no_learning_threshold(T: ArrayLike) -> np.ndarray | float:
    """The no-learning boundary r*/4 = pi^2 / (16 T^2), where t_inf = 2T.

    For r <= r*/4 the sharp output never switches during the trial: the loss is at its
    plateau and the gradient vanishes.

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).

    Returns
    -------
    float or ndarray
        r*/4, broadcast over T.

    Examples
    --------
    >>> from reduced import no_learning_threshold, optimal_r
    >>> no_learning_threshold(50.0) == optimal_r(50.0) / 4
    True
    """
    T = _check_T(T)
    return scalar_or_array(np.pi**2 / (16 * T**2))


def _per_T(value: np.ndarray, T: np.ndarray, normalized: bool) -> np.ndarray:
    """Apply the loss convention: time-averaged (divide by T) or the raw integral."""
    return value / T if normalized else value


def sharp_loss_and_gradient_unchecked(r: np.ndarray, T: np.ndarray, normalized: bool) -> tuple[np.ndarray, np.ndarray]:
    """Sharp loss and gradient without argument checks, for inner loops (inputs pre-validated)."""
    zone = r <= np.pi**2 / (16 * T**2)
    # One square root and one division per value: the compiled sweep kernel repeats these
    # operations in this order, so both give bit-identical descents.
    inv_root = 1.0 / np.sqrt(np.where(zone, 1.0, r))
    error = np.where(zone, T, np.abs(T - (np.pi / 2) * inv_root))
    grad = np.where(zone, 0.0, np.sign(r - np.pi**2 / (4 * T**2)) * ((np.pi / 4) * inv_root * inv_root * inv_root))
    return _per_T(error, T, normalized), _per_T(grad, T, normalized)


@convention_argument
def sharp_loss(r: ArrayLike, T: ArrayLike, normalized: bool = True) -> np.ndarray | float:
    """Loss in the sharp limit a, x* -> inf.

    L = |T - t_inf(r)| / T for r > r*/4 and 1 for r <= r*/4 (``normalized=True``); the
    ``normalized=False`` ("integral") convention is T times this.

    Parameters
    ----------
    r : array_like
        Scale parameter, any finite real.
    T : array_like
        Delay, in (0, inf).
    normalized : bool, optional
        Time-averaged loss (default) or the un-averaged integral of the reference code.

    Returns
    -------
    float or ndarray
        L(r), broadcast over r and T: in [0, 1] normalized, [0, T] integral.

    Examples
    --------
    >>> from reduced import optimal_r, sharp_loss
    >>> sharp_loss(optimal_r(100.0), 100.0)
    0.0
    >>> sharp_loss(0.0, 100.0)
    1.0
    """
    r = finite(r, "r")
    T = _check_T(T)
    r, T = broadcast(r=r, T=T)
    return scalar_or_array(sharp_loss_and_gradient_unchecked(r, T, normalized)[0])


@convention_argument
def sharp_gradient(r: ArrayLike, T: ArrayLike, normalized: bool = True) -> np.ndarray | float:
    """dL/dr in the sharp limit: sign(r - r*) pi / (4 T r^(3/2)) above r*/4, else exactly 0.

    The ``normalized=False`` convention drops the 1/T. At r = r* (the kink) it returns 0.

    Parameters
    ----------
    r : array_like
        Scale parameter, any finite real.
    T : array_like
        Delay, in (0, inf).
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention: time-averaged (default) or the reference code's un-averaged integral.

    Returns
    -------
    float or ndarray
        dL/dr, broadcast over r and T; exactly 0 in the no-learning zone r <= r*/4.

    Examples
    --------
    >>> from reduced import sharp_gradient
    >>> sharp_gradient(1e-5, 100.0)  # inside the no-learning zone
    0.0
    """
    r = finite(r, "r")
    T = _check_T(T)
    r, T = broadcast(r=r, T=T)
    return scalar_or_array(sharp_loss_and_gradient_unchecked(r, T, normalized)[1])


@convention_argument
def learning_rate_scale(T: ArrayLike, normalized: bool = True) -> np.ndarray | float:
    """eta_0 with beta = eta / eta_0 in the universal map rho' = rho - beta sign(rho-1) rho^-3/2.

    eta_0 = 4 r*^(5/2) / pi (integral) or 4 T r*^(5/2) / pi (normalized).

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention: time-averaged (default) or the reference code's un-averaged integral.

    Returns
    -------
    float or ndarray
        eta_0, broadcast over T.
    """
    T = _check_T(T)
    r_star = np.pi**2 / (4 * T**2)
    eta_0 = 4 * r_star**2.5 / np.pi * (T if normalized else 1.0)
    return scalar_or_array(eta_0)


@convention_argument
def critical_learning_rate(T: ArrayLike, normalized: bool = True) -> np.ndarray | float:
    """The critical learning rate eta_c = (3/4) eta_0 of gradient descent on r.

    Below it no run started above r*/4 is ever trapped in the no-learning zone; above it
    the step from just above r* lands in the zone. Closed form: 3 pi^4 / (32 T^4)
    (normalized) or 3 pi^4 / (32 T^5) (integral).

    Parameters
    ----------
    T : array_like
        Delay, in (0, inf).
    normalized : bool, optional
        Loss convention, see :func:`sharp_loss`.

    Returns
    -------
    float or ndarray
        eta_c, broadcast over T.

    Examples
    --------
    >>> from reduced import critical_learning_rate
    >>> f"{critical_learning_rate(100.0, normalized=False):.3e}"
    '9.132e-10'
    """
    return scalar_or_array(BETA_C * np.asarray(learning_rate_scale(T, normalized)))


@convention_argument
def gradient_flow_time(r0: ArrayLike, T: ArrayLike, normalized: bool = True) -> np.ndarray | float:
    """Gradient-flow time dr/dtau = -dL/dr needs to carry r from ``r0`` to r*.

    tau = (8 / (5 pi)) |r0^(5/2) - r*^(5/2)| (integral; times T normalized) for r0 > r*/4.

    Parameters
    ----------
    r0 : array_like
        Start, any finite real.
    T : array_like
        Delay, in (0, inf).
    normalized : bool, optional
        Loss convention.

    Returns
    -------
    float or ndarray
        The flow time; ``inf`` for r0 <= r*/4, where the gradient is zero and the flow
        never moves (the mathematical answer, not an error).

    Examples
    --------
    >>> from reduced import critical_learning_rate, gradient_flow_time, optimal_r
    >>> T = 100.0
    >>> epochs = gradient_flow_time(10 * optimal_r(T), T) / critical_learning_rate(T)
    >>> round(epochs, 6) == round(8 / 15 * (10**2.5 - 1), 6)
    True
    """
    r0 = finite(r0, "r0")
    T = _check_T(T)
    r0, T = broadcast(r0=r0, T=T)
    r_star = np.pi**2 / (4 * T**2)
    zone = r0 <= r_star / 4
    tau = 8 / (5 * np.pi) * np.abs(np.where(zone, r_star, r0) ** 2.5 - r_star**2.5)
    tau = tau * (T if normalized else 1.0)
    return scalar_or_array(np.where(zone, np.inf, tau))
