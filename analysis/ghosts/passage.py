"""The measured passage through a ghost's bottleneck, by integrating the flow (``solve_ivp``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .dynamics import Flow, Map
from .field import as_field


def measured_passage_time(field_spec: Flow | Map | Callable | tuple, ghost_x: np.ndarray | Sequence[float],
                          v: np.ndarray | Sequence[float], w: np.ndarray | Sequence[float], half_width: float, *,
                          rtol: float = 1e-10) -> float:
    """Time a trajectory takes to cross the bottleneck from s = -half_width to s = +half_width.

    s = w.(x - x_g) is the slow coordinate of the ghost at ``ghost_x``; the trajectory starts at
    x_g - half_width v. For the canonical form the exact value is (2 / sqrt r) atan(L / sqrt r),
    which tends to pi / sqrt(r) as r -> 0 at fixed half-width L.

    Parameters
    ----------
    field_spec : Flow, Map, callable or (expressions, symbols)
        The system, as for :func:`find_slow_points`: a flow F(x) (a JAX-traceable callable or sympy
        expressions in their symbols), or a :class:`Flow` or :class:`Map`.
    ghost_x : array_like, shape (n,)
        The ghost.
    v : array_like, shape (n,)
        Its slow right and left eigenvectors (w.v = 1), e.g. from :func:`normal_form`.
    w : array_like, shape (n,)
        Its slow right and left eigenvectors (w.v = 1), e.g. from :func:`normal_form`.
    half_width : float
        Half-width L of the crossing along s, in (0, inf).
    rtol : float, optional
        Relative tolerance of ``solve_ivp``.

    Returns
    -------
    float
        The crossing time (inf if the trajectory never reaches s = +L).
    """
    import jax
    import jax.numpy as jnp
    from scipy.integrate import solve_ivp

    if not np.isfinite(half_width) or half_width <= 0:
        raise ValueError(f"half_width must be a positive finite number, got {half_width!r}")
    F = as_field(field_spec)
    x_g, v, w = (np.asarray(a, dtype=float) for a in (ghost_x, v, w))
    with jax.enable_x64(True):
        f = jax.jit(F)

        def rhs(_, y):
            return np.asarray(f(jnp.asarray(y)))

        def leave(_, y):
            return w @ (y - x_g) - half_width

        leave.terminal, leave.direction = True, 1
        horizon = 1e3 * (1 + half_width) / max(1e-300, np.linalg.norm(rhs(0, x_g)))
        sol = solve_ivp(rhs, (0, horizon), x_g - half_width * v, method="LSODA", rtol=rtol, atol=1e-12,
                        events=leave)
    if not sol.t_events[0].size:
        raise ValueError("the trajectory did not leave the bottleneck: the point is not a ghost of this flow")
    return float(sol.t_events[0][0])
