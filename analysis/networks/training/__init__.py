"""Training many networks at once, and continuing them: :func:`train_sweep` and :func:`start_from`.

Modules, in the order a sweep passes through them: :mod:`.plan` (arguments checked, chunks laid
out), :mod:`.chunk` (one chunk's networks trained), :mod:`.segment` (the compiled block of epochs
and its conventions), :mod:`.monitor` (the optional fixed-point count), :mod:`.criteria` (the
regimes), :mod:`.results` (the Dataset, and reading checkpoints back), :mod:`.sweep`
(:func:`train_sweep`) and :mod:`.continuation` (:func:`start_from`).
"""

from ...optimizers import OPTIMIZERS
from .continuation import Start, check_start, start_from
from .criteria import NetworkCriteria, classify_runs
from .monitor import compact_norm_sweep, count_fixed_points, kept_run
from .plan import positive_list, seed_list
from .results import checkpoint_params, combination, parameter_names, swept_axes
from .segment import loss_and_accuracy
from .sweep import train_sweep

__all__ = [
    "OPTIMIZERS",
    "NetworkCriteria",
    "Start",
    "check_start",
    "checkpoint_params",
    "classify_runs",
    "combination",
    "compact_norm_sweep",
    "count_fixed_points",
    "kept_run",
    "loss_and_accuracy",
    "parameter_names",
    "positive_list",
    "seed_list",
    "start_from",
    "swept_axes",
    "train_sweep",
]
