"""Momentum and Adam on r: the heavy-ball map and Adam's scale invariance."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from .descent import (
    gd_map,
)
from .sharp import no_learning_threshold, optimal_r, sharp_gradient
from .symbols import T, beta, eta, r, rho

mu = sp.Symbol("mu", nonnegative=True)  # heavy-ball coefficient, in [0, 1)
u = sp.Symbol("u", real=True)  # velocity in units of the sharp slope at r*


@dataclass(frozen=True)
class MomentumMap:
    """Heavy-ball descent v' = mu v + dL/dr, r' = r - eta v' in rho = r/r*, u = v / |dL/dr(r*)|.

    velocity_above/below and position_above/below give (u', rho') for rho > 1 and 1/4 < rho < 1
    in terms of (rho, u, beta, mu), with beta = eta / eta_0 and the same eta_0 as plain descent:
    the map is universal (no T left), so eta_c(mu) = beta_c(mu) eta_0(T) keeps the exponent of
    plain descent. ``quasi_static_velocity`` is the fixed point u = g / (1 - mu) of the velocity
    under a constant gradient g (the effective rate beta / (1 - mu) far from r*), and
    ``quasi_static_beta_c`` the beta at which a step from just above r* at that velocity lands
    on r*/4: (3/4)(1 - mu). It is an estimate, not a bound: it ignores the lag of the velocity
    behind a growing gradient (which lowers the overshoot) and the steps that momentum keeps
    taking downhill after the crossing (which raise it); the exact beta_c(mu) has no closed
    form that we know of and is measured on the map (``analysis.critical_learning_rate_numeric``).
    At mu = 0 the map is :func:`gd_map` and beta_c = 3/4 exactly.
    """

    velocity_above: sp.Expr
    velocity_below: sp.Expr
    position_above: sp.Expr
    position_below: sp.Expr
    eta_0: sp.Expr
    quasi_static_velocity: sp.Expr
    quasi_static_beta_c: sp.Expr


@cache
def momentum_map(normalized: bool = True) -> MomentumMap:
    """Derive the dimensionless heavy-ball map from its definition in r and v."""
    r_star = optimal_r()
    grad = sharp_gradient(normalized)
    slope_at_star = sp.simplify(grad.args[2][0].subs(r, r_star))  # |dL/dr| just above r*
    eta_0 = gd_map(normalized).eta_0
    maps = {}
    for side, g in (("above", grad.args[2][0]), ("below", grad.args[1][0])):
        v_next = mu * u * slope_at_star + g.subs(r, rho * r_star)
        r_next = rho * r_star - eta * v_next
        maps[side] = (
            sp.simplify(v_next / slope_at_star),
            sp.simplify((r_next / r_star).subs(eta, beta * eta_0)),
        )
    g = sp.Symbol("g", real=True)
    (u_fixed,) = sp.solve(sp.Eq(u, mu * u + g), u)
    # From rho -> 1+ with the quasi-static velocity of the gradient there (g = 1).
    first_landing = sp.limit(maps["above"][1].subs(u, u_fixed.subs(g, 1)), rho, 1, dir="+")
    edge = sp.simplify(no_learning_threshold() / r_star)
    (b_c,) = sp.solve(sp.Eq(first_landing, edge), beta)
    return MomentumMap(
        velocity_above=maps["above"][0], velocity_below=maps["below"][0],
        position_above=maps["above"][1], position_below=maps["below"][1],
        eta_0=eta_0, quasi_static_velocity=u_fixed, quasi_static_beta_c=sp.factor(b_c),
    )


@dataclass(frozen=True)
class AdamScaling:
    """Why Adam's critical rate is a number times r*, so that it falls as T^-2.

    ``gradient_scale_invariance`` is the Adam step (eps = 0) for the gradients lambda g_k minus
    the step for g_k, simplified: zero, so the loss convention and the size of the sharp slope
    drop out. The step is then eta times a number of order one in units of r, i.e.
    beta = eta / r* in units of rho, and eta_c = kappa(b1, b2) r*(T) with a constant kappa
    measured on the map. ``exponent`` is d log r* / d log T.
    """

    gradient_scale_invariance: sp.Expr
    eta_unit: sp.Expr
    exponent: sp.Expr


@cache
def adam_scaling() -> AdamScaling:
    """Derive the scale invariance of Adam's first two steps and the exponent of its eta_c."""
    b1, b2, lam = sp.symbols("b_1 b_2 lambda", positive=True)
    g1, g2 = sp.symbols("g_1 g_2", positive=True)

    def second_step(scale):
        m = (1 - b1) * scale * g1
        v = (1 - b2) * (scale * g1) ** 2
        m = b1 * m + (1 - b1) * scale * g2
        v = b2 * v + (1 - b2) * (scale * g2) ** 2
        return (m / (1 - b1**2)) / sp.sqrt(v / (1 - b2**2))

    invariance = sp.simplify(second_step(lam) - second_step(1))
    unit = optimal_r()
    return AdamScaling(invariance, unit, sp.simplify(T * sp.diff(sp.log(unit), T)))


