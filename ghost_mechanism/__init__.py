"""ghost-mechanism: abrupt learning through saddle-node ghost points.

Subpackages
-----------
reduced
    The 1-D reduced model dx/dt = x^2 + r: symbolic derivations, numeric closed forms,
    the saddle-node normal-form reduction and the finite-confidence loss landscape.
analysis
    Learning dynamics of r: gradient descent, gradient flow, regimes, critical learning
    rates, phase diagrams and plots.
"""

from . import analysis, reduced
from .reduced import (
    critical_learning_rate,
    gradient_flow_time,
    no_learning_threshold,
    optimal_r,
    passage_time,
    reduce_saddle_node,
    sharp_gradient,
    sharp_loss,
)

__version__ = "0.1.0"

__all__ = [
    "analysis",
    "critical_learning_rate",
    "gradient_flow_time",
    "no_learning_threshold",
    "optimal_r",
    "passage_time",
    "reduce_saddle_node",
    "reduced",
    "sharp_gradient",
    "sharp_loss",
]
