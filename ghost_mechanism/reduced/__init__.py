"""The 1-D reduced model: symbolic derivations, numeric closed forms, normal-form reduction."""

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
from .normal_form import DegenerateSaddleNodeError, SaddleNodeReduction, find_saddle_nodes, reduce_saddle_node

__all__ = [
    "DegenerateSaddleNodeError",
    "SaddleNodeReduction",
    "critical_learning_rate",
    "find_saddle_nodes",
    "gradient_flow_time",
    "learning_rate_scale",
    "no_learning_threshold",
    "optimal_r",
    "passage_time",
    "reduce_saddle_node",
    "sharp_gradient",
    "sharp_loss",
    "symbolic",
]
