"""The chain of derivations that ``ghost derive`` prints."""

from __future__ import annotations

import sympy as sp

from .canonical import blowup_time, passage_time, trajectory, vector_field
from .descent import (
    critical_beta,
    critical_exponent,
    critical_learning_rate,
    epochs_at_critical,
    gd_map,
    gradient_flow_time,
)
from .finite import oscillation_threshold, saddle_node_gradient
from .optimizers import adam_scaling, momentum_map
from .sharp import no_learning_threshold, optimal_r, sharp_gradient, sharp_loss
from .symbols import t, tau, x


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
