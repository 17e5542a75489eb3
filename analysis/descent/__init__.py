"""Learning the scale parameter r: gradient descent and flow, run summaries, eta_c and phase diagrams.

What this subpackage owns, module by module:

* :mod:`.tables`: the finite-confidence landscape tabulated (:class:`GradientTable`) and the
  per-run landscape constants;
* :mod:`.problem`: :class:`DescentProblem`, a batch of runs validated once;
* :mod:`.descend`: :func:`descend`, recorded descent (plain, momentum, Adam), numpy or compiled;
* :mod:`.flow`: :func:`gradient_flow`, the eta -> 0 limit;
* :mod:`.summaries`: :func:`classify` and :func:`summarize_runs`, regimes without histories;
* :mod:`.critical`: :func:`critical_learning_rate_numeric`, :func:`fit_power_law` and the
  reference experiment;
* :mod:`.phase`: :func:`phase_diagram`, resumable sweeps as an ``xarray.Dataset``;
* ``_kernels``: the numba kernels behind the compiled paths (private to this subpackage).
"""

from .critical import (
    REFERENCE_EPOCHS,
    PowerLawFit,
    critical_learning_rate_numeric,
    fit_power_law,
    initial_r,
    reference_experiment,
)
from .descend import Descent, descend, run_descent
from .flow import GradientFlow, gradient_flow
from .phase import phase_diagram
from .problem import DescentProblem
from .summaries import RunSummary, classify, summarize_problem, summarize_runs
from .tables import GradientTable

__all__ = [
    "REFERENCE_EPOCHS",
    "Descent",
    "DescentProblem",
    "GradientFlow",
    "GradientTable",
    "PowerLawFit",
    "RunSummary",
    "classify",
    "critical_learning_rate_numeric",
    "descend",
    "fit_power_law",
    "gradient_flow",
    "initial_r",
    "phase_diagram",
    "reference_experiment",
    "run_descent",
    "summarize_problem",
    "summarize_runs",
]
