"""The numerical engines: learning r by descent, ghosts of any flow, networks, figures, the CLI.

One subpackage per concern, layered so that each imports only from the layers below it
(:mod:`reduced` first, the shared modules next, then ``descent`` and ``ghosts``, then
``networks``, then ``plotting``, then ``figures``, then ``cli``):

* shared modules: :mod:`.regimes` (the learning regimes), :mod:`.optimizers` (momentum and
  Adam on r), :mod:`.store` (resumable chunked sweeps), :mod:`.onset` (the onset bracket on a grid
  of rates), :mod:`.cluster` (dask executors);
* :mod:`.descent`: descent and flow on r, run summaries, numeric eta_c, phase diagrams;
* :mod:`.ghosts`: slow points and ghosts of any flow or map (the user's own networks through
  adapters and a tracker), with their local normal form;
* :mod:`.networks`: the RNN engine, its tasks, presets, remedies and scaling;
* :mod:`.plotting`: every figure; :mod:`.figures`: the main job; :mod:`.cli`: the ``ghost`` command.

The names below are the public API of the 1-D numerics and of the ghost finder.
"""

from .descent import (
    REFERENCE_EPOCHS,
    Descent,
    DescentProblem,
    GradientFlow,
    GradientTable,
    PowerLawFit,
    RunSummary,
    classify,
    critical_learning_rate_numeric,
    descend,
    fit_power_law,
    gradient_flow,
    initial_r,
    phase_diagram,
    reference_experiment,
    summarize_runs,
)
from .ghosts import (
    Flow,
    Map,
    SlowPoints,
    SlowPointTracker,
    find_slow_points,
    follow_branch,
    from_torch,
    from_weights,
    measured_passage_time,
    normal_form,
    sample_states,
)
from .regimes import REGIMES, Criteria

__all__ = [
    "REFERENCE_EPOCHS",
    "REGIMES",
    "Criteria",
    "Descent",
    "DescentProblem",
    "Flow",
    "GradientFlow",
    "GradientTable",
    "Map",
    "PowerLawFit",
    "RunSummary",
    "SlowPointTracker",
    "SlowPoints",
    "classify",
    "critical_learning_rate_numeric",
    "descend",
    "find_slow_points",
    "fit_power_law",
    "follow_branch",
    "from_torch",
    "from_weights",
    "gradient_flow",
    "initial_r",
    "measured_passage_time",
    "normal_form",
    "phase_diagram",
    "reference_experiment",
    "sample_states",
    "summarize_runs",
]
