"""Symbolic derivations of the 1-D ghost model (sympy).

Every expression here is *derived* from the definitions in docs/science.md, sections 2-4 (the
canonical form dx/dt = x^2 + r, the delayed-activation task and gradient descent on r),
never typed in as a final formula. The numeric twins in :mod:`.closed_forms` are tested
against these expressions.

Conventions
-----------
``normalized=True``
    L(r) = (1/T) int_0^{2T} (y - target)^2 dt, the time-averaged loss in [0, 1].
``normalized=False`` ("integral")
    The un-averaged error int_0^{2T} (y - target)^2 dt, as differentiated by the
    reference code; the factor T is then folded into the learning rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import sympy as sp

# Shared symbols. Assumptions matter: they select the branch sympy takes.
t = sp.Symbol("t", nonnegative=True)
x = sp.Symbol("x", real=True)
x0 = sp.Symbol("x_0", real=True)
x1 = sp.Symbol("x_1", real=True)
r = sp.Symbol("r", real=True)
T = sp.Symbol("T", positive=True)
eta = sp.Symbol("eta", positive=True)
rho = sp.Symbol("rho", positive=True)
beta = sp.Symbol("beta", positive=True)
tau = sp.Symbol("tau", nonnegative=True)
r0 = sp.Symbol("r_0", positive=True)
rho0 = sp.Symbol("rho_0", positive=True)
_q = sp.Symbol("q", positive=True)  # sqrt(|r|) in the sign-split derivations

REGIMES = ("positive", "zero", "negative")


def _r_of_q(regime: str) -> sp.Expr:
    return {"positive": _q**2, "zero": sp.Integer(0), "negative": -(_q**2)}[regime]


def _q_of_r(regime: str) -> sp.Expr:
    return {"positive": sp.sqrt(r), "zero": sp.Integer(0), "negative": sp.sqrt(-r)}[regime]


def _check_regime(regime: str) -> None:
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {REGIMES}, got {regime!r}")


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
    return sp.simplify(x_sol.subs(_q, _q_of_r(regime)))


def _antiderivative_q(regime: str) -> sp.Expr:
    # Integrated in q = sqrt(|r|) > 0 so that sympy knows which branch it is on.
    return sp.integrate(1 / (x**2 + _r_of_q(regime)), x)


def _in_r(expr: sp.Expr, regime: str) -> sp.Expr:
    return sp.simplify(expr.subs(_q, _q_of_r(regime)))


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


# ---------------------------------------------------------------------------------------
# Delayed-activation task in the sharp limit
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# Gradient descent on r, its critical learning rate and the gradient flow
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# Momentum and Adam on r
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# Finite confidence: the vanishing gradient in the no-learning zone
# ---------------------------------------------------------------------------------------
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


# ---------------------------------------------------------------------------------------
# The chain that ``ghost derive`` prints
# ---------------------------------------------------------------------------------------
def derivation_chain(normalized: bool = True) -> list[tuple[str, sp.Basic]]:
    """The derivation, step by step, as (title, sympy object) pairs."""
    conv = "normalized" if normalized else "integral"
    xs = sp.Function("x")(t)
    cb = critical_beta()
    gm = gd_map(normalized)
    rho_next = sp.Symbol("rho'")
    return [
        ("Canonical form", sp.Eq(sp.Derivative(xs, t), vector_field().subs(x, xs))),
        ("Trajectory, r > 0", sp.Eq(xs, trajectory("positive"))),
        ("Passage time x0 -> x1, r > 0", passage_time("positive")),
        ("Blow-up time from x0 = 0", sp.Eq(sp.Symbol("t_inf"), blowup_time())),
        ("Optimum r* (t_inf = T)", sp.Eq(sp.Symbol("r^*"), optimal_r())),
        ("No-learning boundary (t_inf = 2T)", sp.Eq(sp.Symbol("r^*/4"), no_learning_threshold())),
        (f"Sharp loss ({conv})", sp.Eq(sp.Symbol("L"), sharp_loss(normalized))),
        (f"Sharp gradient ({conv})", sp.Eq(sp.Symbol("dL/dr"), sharp_gradient(normalized))),
        ("GD map above r*", sp.Eq(rho_next, gm.above)),
        ("GD map below r*", sp.Eq(rho_next, gm.below)),
        (f"eta_0 ({conv})", sp.Eq(sp.Symbol("eta_0"), gm.eta_0)),
        ("Landing slope above r* (> 0)", cb.landing_slope),
        ("Lowest landing from above (rho -> 1+)", cb.lowest_landing),
        ("Critical beta (lowest landing = 1/4)", sp.Eq(sp.Symbol("beta_c"), cb.beta_c)),
        (f"Critical learning rate ({conv})", sp.Eq(sp.Symbol("eta_c"), critical_learning_rate(normalized))),
        ("Exponent of T in eta_c", critical_exponent(normalized)),
        (f"Gradient-flow time r0 -> r* ({conv})", sp.Eq(tau, gradient_flow_time(normalized))),
        ("Epochs to r* at eta_c", epochs_at_critical(normalized)),
        ("Heavy-ball map above r*: velocity", sp.Eq(sp.Symbol("u'"), momentum_map(normalized).velocity_above)),
        ("Heavy-ball map above r*: position", sp.Eq(rho_next, momentum_map(normalized).position_above)),
        ("Heavy-ball quasi-static estimate of beta_c (mu)",
         sp.Eq(sp.Symbol("beta_c"), momentum_map(normalized).quasi_static_beta_c)),
        ("Adam: step(lambda g) - step(g), eps = 0", adam_scaling().gradient_scale_invariance),
        ("Adam: exponent of T in eta_c (eta_c ~ r*)", adam_scaling().exponent),
        (f"Finite a: dL/dr at the saddle-node r = 0 ({conv})", saddle_node_gradient(normalized).exact),
        ("  leading order for large a x*", saddle_node_gradient(normalized).leading),
        (f"Finite a: GD stability bound at the minimum, large a ({conv})",
         sp.Eq(sp.Symbol("eta_s"), oscillation_threshold(normalized).eta_s)),
    ]
