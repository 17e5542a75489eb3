"""Gradient descent on r: the universal map, beta_c, the critical learning rate and the gradient flow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from .sharp import no_learning_threshold, optimal_r, sharp_gradient
from .symbols import T, beta, eta, r, r0, rho, rho0


@dataclass(frozen=True)
class GDMap:
    """The gradient-descent map in rho = r/r*: rho' = rho - beta sign(rho - 1) rho^(-3/2)."""

    above: sp.Expr  # rho' for rho > 1
    below: sp.Expr  # rho' for 1/4 < rho < 1
    eta_0: sp.Expr  # eta = beta * eta_0


@cache
def gd_map(normalized: bool = True) -> GDMap:
    """Derive the dimensionless GD map from r' = r - eta dL/dr with r = rho r*."""
    r_star = optimal_r()
    grad = sharp_gradient(normalized)
    grad_above, grad_below = grad.args[2][0], grad.args[1][0]
    step_above = sp.simplify((r_star * rho - eta * grad_above.subs(r, rho * r_star)) / r_star)
    # Read eta_0 off the map: the step is -(eta/eta_0) rho^(-3/2).
    eta_0 = sp.simplify(-eta / ((step_above - rho) * rho ** sp.Rational(3, 2)))
    step_below = sp.simplify((r_star * rho - eta * grad_below.subs(r, rho * r_star)) / r_star)
    sub = {eta: beta * eta_0}
    return GDMap(
        above=sp.simplify(step_above.subs(sub)),
        below=sp.simplify(step_below.subs(sub)),
        eta_0=eta_0,
    )


@dataclass(frozen=True)
class CriticalBeta:
    """Why beta_c is where it is (docs/science.md, section 4)."""

    landing_slope: sp.Expr  # d rho'/d rho above r*: positive, so the lowest landing is at rho -> 1+
    lowest_landing: sp.Expr  # lim_{rho -> 1+} rho' = 1 - beta
    beta_c: sp.Expr  # the beta at which the lowest landing reaches the zone edge 1/4


@cache
def critical_beta() -> CriticalBeta:
    """beta_c: the largest overshoot, from just above r*, must not reach r*/4.

    Above r* the map rho -> rho - beta rho^(-3/2) is increasing, so the lowest point any
    step from above can land on is its limit at rho -> 1+. Steps from below move up. So a
    run is never trapped iff that limit stays above the zone edge rho = 1/4.
    """
    step = gd_map(True).above
    slope = sp.simplify(sp.diff(step, rho))
    lowest = sp.limit(step, rho, 1, dir="+")
    edge = sp.simplify(no_learning_threshold() / optimal_r())
    (b_c,) = sp.solve(sp.Eq(lowest, edge), beta)
    return CriticalBeta(landing_slope=slope, lowest_landing=lowest, beta_c=b_c)


@cache
def critical_learning_rate(normalized: bool = True) -> sp.Expr:
    """eta_c(T) = beta_c * eta_0(T)."""
    return sp.simplify(critical_beta().beta_c * gd_map(normalized).eta_0)


@cache
def critical_exponent(normalized: bool = True) -> sp.Expr:
    """p in eta_c ~ T^p: d log eta_c / d log T (-4 normalized, -5 integral)."""
    return sp.simplify(T * sp.diff(sp.log(critical_learning_rate(normalized)), T))


@cache
def gradient_flow_time(normalized: bool = True) -> sp.Expr:
    """tau(r0): the gradient-flow time dr/dtau = -dL/dr needs from r0 > r* to reach r*.

    Separation of variables: tau = int_{r*}^{r0} dr / (dL/dr).
    """
    grad_above = sharp_gradient(normalized).args[2][0]
    rr = sp.Symbol("r", positive=True)
    integrand = sp.simplify(1 / grad_above.subs(r, rr))
    return sp.simplify(sp.integrate(integrand, (rr, optimal_r(), r0)))


@cache
def epochs_at_critical(normalized: bool = True) -> sp.Expr:
    """tau(r0) / eta_c in terms of rho0 = r0/r*: the epochs to reach r* at eta_c."""
    epochs = gradient_flow_time(normalized) / critical_learning_rate(normalized)
    return sp.simplify(epochs.subs(r0, rho0 * optimal_r()))


