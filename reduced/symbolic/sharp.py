"""The delayed-activation task in the sharp limit: r*, r*/4, the loss and its gradient."""

from __future__ import annotations

from functools import cache

import sympy as sp

from .canonical import (
    blowup_time,
)
from .symbols import T, r, t


@cache
def optimal_r() -> sp.Expr:
    """r* = pi^2 / (4 T^2): the r whose blow-up time is the delay T."""
    rp = sp.Symbol("r", positive=True)
    (sol,) = sp.solve(sp.Eq(blowup_time().subs(r, rp), T), rp)
    return sol


@cache
def no_learning_threshold() -> sp.Expr:
    """r*/4: below it t_inf >= 2T and the output never switches during the trial."""
    rp = sp.Symbol("r", positive=True)
    (sol,) = sp.solve(sp.Eq(blowup_time().subs(r, rp), 2 * T), rp)
    return sol


@cache
def sharp_error_of_switch_time() -> sp.Piecewise:
    """int_0^{2T} (H(t - t_s) - H(t - T))^2 dt for an output switching at t_s.

    Integrated case by case: the output is wrong on [t_s, T] if it switches early, on
    [T, t_s] if late, and on the whole of (T, 2T] if it never switches within the trial.
    """
    ts = sp.Symbol("t_s", positive=True)
    early = sp.integrate(sp.Integer(1), (t, ts, T))
    late = sp.integrate(sp.Integer(1), (t, T, ts))
    never = sp.integrate(sp.Integer(1), (t, T, 2 * T))
    return sp.Piecewise((early, ts <= T), (late, ts < 2 * T), (never, True))


@cache
def sharp_loss(normalized: bool = True) -> sp.Piecewise:
    """Sharp-limit loss L(r): the switch time is t_inf(r), and L = 1 (or T) for r <= r*/4."""
    ts = sp.Symbol("t_s", positive=True)
    error = sharp_error_of_switch_time().subs(ts, blowup_time())
    scale = 1 / T if normalized else 1
    branches = [(sp.simplify(scale * e), c) for e, c in error.args]
    zone = sp.simplify(scale * T)
    r_star, r_quarter = optimal_r(), no_learning_threshold()
    # The conditions on t_inf(r) become conditions on r because t_inf is decreasing in r.
    return sp.Piecewise(
        (zone, r <= r_quarter),
        (branches[1][0], r < r_star),
        (branches[0][0], True),
    )


@cache
def sharp_gradient(normalized: bool = True) -> sp.Piecewise:
    """dL/dr, piece by piece; identically 0 in the no-learning zone r <= r*/4."""
    loss = sharp_loss(normalized)
    return sp.Piecewise(*[(sp.simplify(sp.diff(e, r)), c) for e, c in loss.args])


