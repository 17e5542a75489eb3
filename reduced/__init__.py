"""The 1-D reduced model: symbolic derivations, closed forms, normal-form reduction, loss landscape.

This package imports nothing from :mod:`analysis`; data flows one way, from these closed forms
to the numerical engines.
"""

__version__ = "0.1.0"

from . import symbolic
from .closed_forms import (
    critical_learning_rate,
    gradient_flow_time,
    learning_rate_scale,
    no_learning_threshold,
    optimal_r,
    passage_time,
    sharp_gradient,
    sharp_loss,
)
from .failure_modes import (
    Minimum,
    minimum,
    no_learning_gradient,
    no_learning_gradient_asymptotic,
    oscillation_threshold_asymptotic,
    switch_optimum,
)
from .landscape import loss, loss_and_grad
from .saddle_node import DegenerateSaddleNodeError, SaddleNodeReduction, find_saddle_nodes, reduce_saddle_node

__all__ = [
    "__version__",
    "DegenerateSaddleNodeError",
    "Minimum",
    "loss",
    "loss_and_grad",
    "minimum",
    "no_learning_gradient",
    "no_learning_gradient_asymptotic",
    "SaddleNodeReduction",
    "critical_learning_rate",
    "find_saddle_nodes",
    "gradient_flow_time",
    "learning_rate_scale",
    "no_learning_threshold",
    "oscillation_threshold_asymptotic",
    "switch_optimum",
    "optimal_r",
    "passage_time",
    "reduce_saddle_node",
    "sharp_gradient",
    "sharp_loss",
    "symbolic",
]
