"""The RNN validation engine (JAX + optax): the paper's networks and tasks, trained many at once.

* :mod:`.models`: :class:`DelayedActivationRNN` (rank one, rank K, full rank; Figs 3, 6, 8B) and
  :class:`TaskRNN` (low and full rank; Figs 4, 5, 7, 8C), frozen specs over a parameter dict.
* :mod:`.tasks`: :func:`delayed_activation`, :func:`cue_discrimination`, :func:`match_to_sample`,
  and the companion study's :func:`onehot_cue_discrimination`.
* :mod:`.training`: :func:`train_sweep`, every (learning rate, seed) network of a chunk in one
  jit-compiled, vmapped program, with regimes decided from every epoch; :func:`start_from`, to
  continue a sweep from a checkpoint; :func:`checkpoint_params`, to read one run's checkpoints;
  :func:`compact_norm_sweep` and :func:`kept_run`, the compact form of a weight-norm sweep (Fig 7).
* :mod:`.rollout`: the compiled passes the training step calls: the full-rank rollout with its
  hand-written backward pass, and :func:`rank_one_loss_and_grad`, a rank-one network's whole epoch
  (forward, loss and backward) in one kernel.
* :mod:`.presets`: every experiment of the paper (and the companion study's large sweeps) as a
  named preset.
* :mod:`.flows` and :mod:`.mapping`: the rank-one latent flow in closed form, the ghost timeline,
  and the reduced model's prediction of the critical rate; :mod:`.slow`: slow points of any
  trained network (through :mod:`analysis.ghosts`).
* :mod:`.onset`, :mod:`.own_model` and :mod:`.critical_rate`: the onset of trapping as a quantile
  over seeds (:func:`onset_quantile`), and a network's critical rate predicted from its own 1-D
  model (:func:`predict_critical_rate` for any network given by a JAX loss; :func:`predict_onset`
  for the library's rank-one networks, from :func:`learned_networks`);
* :mod:`.remedies` and :mod:`.scaling`: the remedies and the scaling law in networks;
  :mod:`.companion`: the companion study's no-learning onset and exponent fit.
"""

from .critical_rate import learned_networks, predict_onset
from .models import DelayedActivationRNN, TaskRNN, model_from_dict
from .onset import onset_quantile, trapping_onset_sweeps
from .own_model import predict_critical_rate
from .presets import PRESETS, Preset, preset
from .rollout import rank_one_loss_and_grad
from .tasks import (
    Task,
    cue_discrimination,
    delayed_activation,
    make_task,
    match_to_sample,
    onehot_cue_discrimination,
)
from .training import (
    OPTIMIZERS,
    NetworkCriteria,
    Start,
    checkpoint_params,
    classify_runs,
    combination,
    compact_norm_sweep,
    kept_run,
    start_from,
    swept_axes,
    train_sweep,
)

__all__ = [
    "OPTIMIZERS",
    "PRESETS",
    "DelayedActivationRNN",
    "NetworkCriteria",
    "Preset",
    "Start",
    "Task",
    "TaskRNN",
    "checkpoint_params",
    "classify_runs",
    "combination",
    "compact_norm_sweep",
    "cue_discrimination",
    "delayed_activation",
    "kept_run",
    "learned_networks",
    "make_task",
    "match_to_sample",
    "model_from_dict",
    "onehot_cue_discrimination",
    "onset_quantile",
    "predict_critical_rate",
    "predict_onset",
    "preset",
    "rank_one_loss_and_grad",
    "start_from",
    "swept_axes",
    "train_sweep",
    "trapping_onset_sweeps",
]
