"""The local normal form of a ghost, for a flow and for a map: completing the square, and the passage.

Along its slow direction a ghost's coordinate s obeys, to second order,

    flow:  ds/dt   = c0 + lambda s + A s^2
    map:   s_{k+1} = s_k + c0 + lambda s_k + A s_k^2   (the slow multiplier is mu = 1 + lambda)

Both become the canonical form in y = A s + lambda / 2, with the same scale parameter
r_eff = A c0 - lambda^2 / 4: y' = y^2 + r_eff for the flow, y_{k+1} = y_k + y_k^2 + r_eff for the
map (exactly, not only to leading order). The flow passes the whole ghost in pi / sqrt(r_eff). The
map does in pi / sqrt(r_eff) *steps* as r_eff -> 0: with y = sqrt(r_eff) u its increments are
u_{k+1} - u_k = sqrt(r_eff) (1 + u_k^2), Euler steps of length h = sqrt(r_eff) of du/dt = 1 + u^2,
whose passage from -inf to inf takes pi in t, that is pi / h steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

c0, lam = sp.symbols("c_0 lambda", real=True)
A_coef = sp.Symbol("A", positive=True)
s, y, u = sp.symbols("s y u", real=True)
h = sp.Symbol("h", positive=True)  # sqrt(r_eff): the map's step in the rescaled time
r_eff = sp.Symbol("r_eff", positive=True)
TIMES = ("continuous", "discrete")


@dataclass(frozen=True)
class LocalNormalForm:
    """A ghost's second-order slow dynamics and its canonical form, derived (see the module docstring)."""

    time: str
    slow: sp.Expr  # ds/dt, or s_{k+1}, in s, c0, lambda, A
    substitution: sp.Expr  # y in terms of s
    canonical: sp.Expr  # dy/dt, or y_{k+1}, in y and r_eff
    r_eff: sp.Expr  # in c0, lambda, A
    increment: sp.Expr  # du/dt in y = sqrt(r_eff) u: the flow's, or the map's in the time t = sqrt(r_eff) k
    passage: sp.Expr  # the whole ghost: time units (flow), steps as r_eff -> 0 (map)
    slow_multiplier: sp.Expr  # 1 + lambda for a map, nan for a flow


@cache
def local_normal_form(time: str = "continuous") -> LocalNormalForm:
    """Derive the canonical form of a ghost's slow dynamics for a flow or a map (sympy)."""
    if time not in TIMES:
        raise ValueError(f"time must be one of {TIMES}, got {time!r}")
    discrete = time == "discrete"
    increment_s = c0 + lam * s + A_coef * s**2
    slow = s + increment_s if discrete else increment_s
    y_of_s = A_coef * s + lam / 2
    s_of_y = sp.solve(sp.Eq(y, y_of_s), s)[0]
    # the image of y (y_{k+1} = A s_{k+1} + lambda/2, or dy/dt = A ds/dt) written in y
    image = sp.expand((A_coef * slow + (lam / 2 if discrete else 0)).subs(s, s_of_y))
    r_sym = sp.Symbol("r", real=True)
    target = y + y**2 + r_sym if discrete else y**2 + r_sym
    solved = sp.solve(sp.Poly(image - target, y).coeffs()[-1], r_sym)
    remainder = sp.simplify(image - target.subs(r_sym, solved[0]))
    if remainder != 0 or len(solved) != 1:  # the substitution must give the canonical form exactly
        raise ArithmeticError(f"completing the square left {remainder}")
    r_expr = sp.factor(solved[0])
    canonical = (y + y**2 + r_eff) if discrete else (y**2 + r_eff)
    # rescale y = h u (h = sqrt(r_eff)): the flow's du/dt, or the map's increment per step over h
    rescaled = sp.expand(((canonical.subs(y, h * u) - (h * u if discrete else 0)) / h).subs(r_eff, h**2))
    increment = sp.simplify(rescaled / h) if discrete else sp.simplify(rescaled)
    through = sp.integrate(1 / increment, (u, -sp.oo, sp.oo))  # the passage in t (the flow's own time)
    passage = sp.simplify((through / h if discrete else through).subs(h, sp.sqrt(r_eff)))  # map: t = h k
    return LocalNormalForm(time=time, slow=slow, substitution=y_of_s, canonical=canonical, r_eff=r_expr,
                           increment=increment, passage=passage,
                           slow_multiplier=1 + lam if discrete else sp.nan)
