"""Gradient flow of the scale parameter r: dr/dtau = -dL/dr, integrated with ``solve_ivp``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp

from reduced import loss_and_grad, optimal_r
from reduced.closed_forms import sharp_loss_and_gradient_unchecked
from reduced.validation import convention_argument, finite, positive


@dataclass(frozen=True)
class GradientFlow:
    """Solution of the gradient flow dr/dtau = -dL/dr.

    Attributes
    ----------
    tau : ndarray
        The dense solution on the requested times (the flow stops at r*, where it stays).
    r : ndarray
        The dense solution on the requested times (the flow stops at r*, where it stays).
    tau_at_r_star : float
        The time at which r* is reached (inf if never within the horizon).
    tau_at_zone : float
        The time at which r*/4 is reached (inf if never).
    """

    tau: np.ndarray
    r: np.ndarray
    tau_at_r_star: float
    tau_at_zone: float


@convention_argument
def gradient_flow(
    r0: float,
    T: float,
    tau: ArrayLike,
    *,
    a: float | None = None,
    x_star: float = 10.0,
    normalized: bool = True,
    rtol: float = 1e-12,
) -> GradientFlow:
    """Integrate dr/dtau = -dL/dr with ``solve_ivp``, with events at r* and r*/4.

    In the sharp case the right-hand side switches sign at r*, so the flow is integrated on
    the branch that points towards r* and stopped there (it stays at the kink). With finite
    ``a`` the smooth exact gradient is used and the flow approaches r_min.

    Parameters
    ----------
    r0 : float
        Start, finite.
    T : float
        Delay, in (0, inf).
    tau : array_like
        Times at which the solution is returned, ascending, from 0.
    a : float, optional
        Output confidence in (0, inf); None (default) for the sharp limit.
    x_star : float, optional
        Readout threshold at finite confidence. Default 10.
    normalized : bool or {"normalized", "integral"}, optional
        Loss convention.
    rtol : float, optional
        Relative tolerance of ``solve_ivp``.

    Returns
    -------
    GradientFlow
        ``tau``, ``r``, and the times at which r* and r*/4 are reached (inf if never).

    Examples
    --------
    >>> from analysis import gradient_flow
    >>> from reduced import gradient_flow_time, optimal_r
    >>> flow = gradient_flow(5 * optimal_r(40.0), 40.0, [0.0, 1.0])
    >>> abs(flow.tau_at_r_star / gradient_flow_time(5 * optimal_r(40.0), 40.0) - 1) < 1e-8
    True
    """
    r0 = float(finite(r0, "r0"))
    T = float(positive(T, "T"))
    tau = np.atleast_1d(finite(tau, "tau"))
    if tau.size == 0 or np.any(tau < 0) or np.any(np.diff(tau) < 0):
        raise ValueError("tau must be a non-empty, non-decreasing array of times >= 0")
    r_star = optimal_r(T)
    side = np.sign(r0 - r_star)
    if a is None:
        def rhs(_, y):
            grad = sharp_loss_and_gradient_unchecked(np.asarray(y), np.asarray(T), normalized)[1]
            return -side * np.abs(grad)
    else:
        def rhs(_, y):
            return -np.asarray(loss_and_grad(y[0], T, a=a, x_star=x_star, normalized=normalized)[1]).reshape(1)

    def at_r_star(_, y):
        return y[0] - r_star

    def at_zone(_, y):
        return y[0] - r_star / 4

    at_r_star.terminal = a is None
    horizon = float(tau[-1])
    if side == 0 or (a is None and r0 <= r_star / 4):  # at the optimum, or in the zone: no motion
        return GradientFlow(tau, np.full(tau.shape, r0), 0.0 if side == 0 else np.inf,
                            0.0 if r0 <= r_star / 4 else np.inf)
    # The finite-a flow is stiff near its minimum (L'' ~ a): an implicit method there.
    method = "DOP853" if a is None else "LSODA"
    sol = solve_ivp(rhs, (0.0, horizon), [r0], events=(at_r_star, at_zone), dense_output=True,
                    rtol=rtol, atol=rtol * r_star, method=method)
    t_end = sol.t[-1]
    r_path = np.where(tau <= t_end, sol.sol(np.minimum(tau, t_end))[0], sol.y[0, -1])
    hit_star = sol.t_events[0]
    hit_zone = sol.t_events[1]
    return GradientFlow(
        tau,
        r_path,
        float(hit_star[0]) if hit_star.size else np.inf,
        float(hit_zone[0]) if hit_zone.size else np.inf,
    )
