"""The canonical form dx/dt = x^2 + r: trajectories, passage times, fixed points."""

from __future__ import annotations

from functools import cache

import sympy as sp

from .symbols import SIGNS_OF_R, r, t, x, x0, x1

q = sp.Symbol("q", positive=True)  # sqrt(|r|) in the sign-split derivations


def _r_of_q(regime: str) -> sp.Expr:
    return {"positive": q**2, "zero": sp.Integer(0), "negative": -(q**2)}[regime]


def _q_of_r(regime: str) -> sp.Expr:
    return {"positive": sp.sqrt(r), "zero": sp.Integer(0), "negative": sp.sqrt(-r)}[regime]


def _check_regime(regime: str) -> None:
    if regime not in SIGNS_OF_R:
        raise ValueError(f"regime must be one of {SIGNS_OF_R}, got {regime!r}")


# ---------------------------------------------------------------------------------------
# Canonical form
# ---------------------------------------------------------------------------------------
def vector_field() -> sp.Expr:
    """The canonical saddle-node form, dx/dt = x^2 + r."""
    return x**2 + r


@cache
def trajectory(regime: str) -> sp.Expr:
    """x(t) from x(0) = x0 for r > 0 (``"positive"``), r = 0 or r < 0.

    Derived by linearising the Riccati equation: with x = -u'/u the canonical form becomes
    u'' + r u = 0, u(0) = 1, u'(0) = -x0, which sympy's ``dsolve`` solves; the result is
    rewritten in terms of r itself.
    """
    _check_regime(regime)
    u = sp.Function("u")
    ode = sp.Eq(u(t).diff(t, 2) + _r_of_q(regime) * u(t), 0)
    ics = {u(0): 1, u(t).diff(t).subs(t, 0): -x0}
    u_sol = sp.dsolve(ode, u(t), ics=ics).rhs
    x_sol = sp.simplify(-u_sol.diff(t) / u_sol)
    if regime == "negative":
        x_sol = sp.simplify(x_sol.rewrite(sp.tanh))
    return sp.simplify(x_sol.subs(q, _q_of_r(regime)))


def _antiderivative_q(regime: str) -> sp.Expr:
    # Integrated in q = sqrt(|r|) > 0 so that sympy knows which branch it is on.
    return sp.integrate(1 / (x**2 + _r_of_q(regime)), x)


def _in_r(expr: sp.Expr, regime: str) -> sp.Expr:
    return sp.simplify(expr.subs(q, _q_of_r(regime)))


@cache
def antiderivative(regime: str) -> sp.Expr:
    """F(x) with F'(x) = 1/(x^2 + r): the passage time is F(x1) - F(x0)."""
    _check_regime(regime)
    return _in_r(_antiderivative_q(regime), regime)


@cache
def passage_time(regime: str, to_infinity: bool = False) -> sp.Expr:
    """Time from x0 to x1 (or to +inf) along dx/dt = x^2 + r, by separation of variables.

    For r > 0 this is [atan(x1/sqrt r) - atan(x0/sqrt r)] / sqrt r. The expression is valid
    where the trajectory actually passes from x0 to x1 (no fixed point between them); the
    numeric twin decides reachability and returns inf otherwise.
    """
    _check_regime(regime)
    F = _antiderivative_q(regime)
    upper = sp.limit(F, x, sp.oo) if to_infinity else F.subs(x, x1)
    return _in_r(upper - F.subs(x, x0), regime)


@cache
def blowup_time() -> sp.Expr:
    """t_inf(r) = pi / (2 sqrt r): the time to reach +inf from x0 = 0, for r > 0."""
    return sp.simplify(passage_time("positive", to_infinity=True).subs(x0, 0))


@cache
def ghost_crossing_time() -> sp.Expr:
    """Time to cross the whole ghost, from -inf to +inf: pi / sqrt r."""
    F = _antiderivative_q("positive")
    return _in_r(sp.limit(F, x, sp.oo) - sp.limit(F, x, -sp.oo), "positive")


@cache
def fixed_points() -> list[tuple[sp.Expr, str]]:
    """Fixed points for r < 0 with their stability, from the sign of f'(x*) = 2 x*."""
    rn = sp.Symbol("r", negative=True)
    f = vector_field().subs(r, rn)
    points = []
    for xf in sp.solve(sp.Eq(f, 0), x):
        slope = sp.diff(f, x).subs(x, xf)
        points.append((xf.subs(rn, r), "stable" if slope.is_negative else "unstable"))
    return sorted(points, key=lambda p: p[1] != "stable")


