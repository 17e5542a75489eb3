"""Finite confidence: the vanishing gradient in the no-learning zone and the oscillation threshold."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

from .canonical import (
    passage_time,
    trajectory,
)
from .symbols import T, r, t, x0, x1

a_conf = sp.Symbol("a", positive=True)
x_star = sp.Symbol("x^*", positive=True)
epsilon = sp.Symbol("epsilon", positive=True)  # e^{-a x*}, small when the output is confident


@dataclass(frozen=True)
class SaddleNodeGradient:
    """dL/dr at the saddle-node r = 0 (inside the no-learning zone), readout sigmoid(a(x - x*))."""

    exact: sp.Expr  # in a, x*, T
    leading: sp.Expr  # leading order in epsilon = e^{-a x*}


@cache
def saddle_node_gradient(normalized: bool = True) -> SaddleNodeGradient:
    """Exact and leading-order dL/dr at r = 0 from x0 = 0, at finite confidence a.

    At r = 0 the state stays at the ghost, x(t) = 0, so the readout is the constant
    s0 = sigmoid(-a x*), while the sensitivity dx/dr = lim_{r->0} d/dr x(t; r) = t grows
    linearly. Then dL/dr = (1/T) int 2 (s0 - target) s0 (1 - s0) a t dt, exactly; expanding in
    epsilon = e^{-a x*} gives the leading order -3 a T epsilon (normalized).
    """
    x_traj = trajectory("zero").subs(x0, 0)
    rp = sp.Symbol("r", positive=True)
    sensitivity = sp.limit(sp.diff(trajectory("positive").subs(x0, 0).subs(r, rp), rp), rp, 0)
    readout = 1 / (1 + sp.exp(-a_conf * (x_traj - x_star)))
    slope = readout * (1 - readout)
    integrand_early = 2 * readout * slope * a_conf * sensitivity
    integrand_late = 2 * (readout - 1) * slope * a_conf * sensitivity
    grad = sp.integrate(integrand_early, (t, 0, T)) + sp.integrate(integrand_late, (t, T, 2 * T))
    grad = sp.simplify(grad / T if normalized else grad)
    in_eps = sp.simplify(grad.subs(sp.exp(a_conf * x_star), 1 / epsilon))
    leading = sp.series(in_eps, epsilon, 0, 2).removeO()
    return SaddleNodeGradient(exact=grad, leading=sp.simplify(leading.subs(epsilon, sp.exp(-a_conf * x_star))))


@dataclass(frozen=True)
class OscillationThreshold:
    """Leading-order eta_s = 2 / L''(r_min) for large a, at finite threshold x*."""

    switch_time: sp.Expr  # t_s(r): time from 0 to x*; the minimum sits where t_s = T
    profile: sp.Expr  # F(c) = int (sigmoid(v + c) - H(v))^2 dv, c the scaled switch offset
    profile_curvature: sp.Expr  # F''(0) = 1/2
    eta_s: sp.Expr  # in a, x*, T and r (to be evaluated at t_s(r) = T)


@cache
def oscillation_threshold(normalized: bool = True) -> OscillationThreshold:
    """eta_s for large a: the kink of the sharp loss, smoothed over the output switch.

    Near the minimum the output switches at t_s(r) with speed x' = x*^2 + r, so with
    c = a x' (T - t_s(r)) the loss is L = F(c) / (T a x') to leading order in 1/a, where
    F(c) = int (sigmoid(v + c) - H(v))^2 dv. Then L'' = F''(0) a x' t_s'(r)^2 / T at c = 0.
    """
    v, c = sp.Symbol("v", real=True), sp.Symbol("c", real=True)
    sig = 1 / (1 + sp.exp(-(v + c)))
    profile = sp.simplify(sp.integrate(sig**2, (v, -sp.oo, 0)) + sp.integrate((sig - 1) ** 2, (v, 0, sp.oo)))
    curvature = sp.simplify(sp.diff(profile, c, 2).subs(c, 0))
    rp = sp.Symbol("r", positive=True)
    ts = passage_time("positive").subs({x0: 0, x1: x_star}).subs(r, rp)
    speed = x_star**2 + rp
    loss_curvature = curvature * a_conf * speed * sp.diff(ts, rp) ** 2 / (T if normalized else 1)
    return OscillationThreshold(
        switch_time=ts.subs(rp, r),
        profile=profile,
        profile_curvature=curvature,
        eta_s=sp.simplify((2 / loss_curvature).subs(rp, r)),
    )


