"""Symbolic derivations of the 1-D ghost model (sympy).

Modules: :mod:`.symbols` (the shared symbols), :mod:`.canonical` (the canonical form),
:mod:`.sharp` (the task in the sharp limit), :mod:`.descent` (gradient descent and eta_c),
:mod:`.optimizers` (momentum and Adam), :mod:`.finite` (finite confidence),
:mod:`.local_forms` (a ghost's local normal form, for flows and maps) and :mod:`.chain` (what
``ghost derive`` prints). Everything is re-exported here.

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

from .canonical import (
    antiderivative,
    blowup_time,
    fixed_points,
    ghost_crossing_time,
    passage_time,
    trajectory,
    vector_field,
)
from .chain import derivation_chain
from .descent import (
    CriticalBeta,
    GDMap,
    critical_beta,
    critical_exponent,
    critical_learning_rate,
    epochs_at_critical,
    gd_map,
    gradient_flow_time,
)
from .finite import (
    OscillationThreshold,
    SaddleNodeGradient,
    a_conf,
    epsilon,
    oscillation_threshold,
    saddle_node_gradient,
    x_star,
)
from .local_forms import LocalNormalForm, local_normal_form
from .optimizers import (
    AdamScaling,
    MomentumMap,
    adam_scaling,
    momentum_map,
    mu,
    u,
)
from .sharp import (
    no_learning_threshold,
    optimal_r,
    sharp_error_of_switch_time,
    sharp_gradient,
    sharp_loss,
)
from .symbols import (
    SIGNS_OF_R,
    T,
    beta,
    eta,
    r,
    r0,
    rho,
    rho0,
    t,
    tau,
    x,
    x0,
    x1,
)

__all__ = [
    "AdamScaling",
    "CriticalBeta",
    "GDMap",
    "LocalNormalForm",
    "MomentumMap",
    "OscillationThreshold",
    "SIGNS_OF_R",
    "SaddleNodeGradient",
    "T",
    "a_conf",
    "adam_scaling",
    "antiderivative",
    "beta",
    "blowup_time",
    "critical_beta",
    "critical_exponent",
    "critical_learning_rate",
    "derivation_chain",
    "epochs_at_critical",
    "epsilon",
    "eta",
    "fixed_points",
    "gd_map",
    "ghost_crossing_time",
    "gradient_flow_time",
    "local_normal_form",
    "momentum_map",
    "mu",
    "no_learning_threshold",
    "optimal_r",
    "oscillation_threshold",
    "passage_time",
    "r",
    "r0",
    "rho",
    "rho0",
    "saddle_node_gradient",
    "sharp_error_of_switch_time",
    "sharp_gradient",
    "sharp_loss",
    "t",
    "tau",
    "trajectory",
    "u",
    "vector_field",
    "x",
    "x0",
    "x1",
    "x_star",
]
