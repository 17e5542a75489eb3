"""Numerics of learning r: descent, flow, regimes, critical learning rates, phase diagrams."""

from .critical import (
    REFERENCE_EPOCHS,
    PowerLawFit,
    critical_learning_rate_numeric,
    fit_power_law,
    initial_r,
    reference_experiment,
)
from .dynamics import Descent, Flow, GradientTable, RunSummary, classify, descend, gradient_flow
from .phase import phase_diagram
from .regimes import REGIMES, Criteria
from .sweep import summarize_runs

__all__ = [
    "REFERENCE_EPOCHS",
    "REGIMES",
    "PowerLawFit",
    "critical_learning_rate_numeric",
    "fit_power_law",
    "initial_r",
    "phase_diagram",
    "reference_experiment",
    "Criteria",
    "Descent",
    "Flow",
    "GradientTable",
    "RunSummary",
    "classify",
    "descend",
    "gradient_flow",
    "summarize_runs",
]
