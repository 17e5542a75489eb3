"""The regimes of a trained network and the thresholds that decide them.

Regimes, in the reduced model's vocabulary (``analysis.REGIMES``), decided from the whole run.
W is the final window (``window_fraction`` of the epochs), L0 the initial loss:

* **diverged**: as above.
* **trapped**: confidently wrong and stalled, the network picture of the no-learning zone: over
  W the loss never fell below (1 - ``plateau_tol``) L0, and the largest gradient norm in W is
  below ``grad_floor`` times the largest gradient norm of the run.
* **learned**: the largest loss over W is at most ``loss_threshold`` L0.
* **oscillating**: not learned, and the loss still swings over the last quarter of W: its range
  there exceeds ``swing_tol`` L0 and half its range over the first quarter of W.
* **descending**: none of the above (still on its way, or on a plateau with a live gradient).

The reference's own criteria are reported too: ``learned_reference`` (final / initial loss
< ``reference_ratio`` = 1e-2, Fig 6B) and ``trapped_reference`` (the confidence-ablation rule of
Fig 8B: the accuracy exceeded 0.5 at some epoch, and not over the last ``ablation_window`` = 50
epochs). Abrupt-learning statistics use the reduced model's definitions: ``drop_epoch`` is the
epoch k of the largest single-epoch decrease L_{k-1} - L_k, defined only for a run whose loss
really fell, to at most (1 - ``plateau_tol``) L0 at some epoch (NaN otherwise: a run that never
dropped has only rounding-sized decreases, and no drop epoch), ``plateau_length`` the epochs before
the loss first leaves ``plateau_tol`` (relative) of L0, ``epochs_to_learn`` the first epoch with a
loss at most ``loss_threshold`` L0 (NaN if never).
"""


from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np

from ...regimes import DESCENDING, DIVERGED, LEARNED, OSCILLATING, TRAPPED


@dataclass(frozen=True)
class NetworkCriteria:
    """Thresholds of the network regimes; see the module docstring.

    Parameters
    ----------
    window_fraction : float
        The final window W as a fraction of the epochs. Default 0.1.
    loss_threshold : float
        Learned: the largest loss over W at most this times L0. Default 0.05.
    plateau_tol : float
        Trapped: the loss never below (1 - plateau_tol) L0 over W. Default 0.05.
    grad_floor : float
        Trapped: the largest gradient norm in W below this times the run's largest. Default 1e-3.
    swing_tol : float
        Oscillating: the loss's range over the last quarter of W above this times L0. Default 0.05.
    reference_ratio : float
        The reference's "learned": final / initial loss below it. Default 1e-2.
    ablation_window : int
        The reference's "trapped" (Fig 8B): no accuracy above 0.5 over these last epochs. Default 50.
    """

    window_fraction: float = 0.1
    loss_threshold: float = 0.05
    plateau_tol: float = 0.05
    grad_floor: float = 1e-3
    swing_tol: float = 0.05
    reference_ratio: float = 1e-2
    ablation_window: int = 50

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not np.isfinite(value) or value <= 0:
                raise ValueError(f"NetworkCriteria.{f.name} must be a positive finite number, got {value!r}")
        if self.window_fraction > 1:
            raise ValueError("NetworkCriteria.window_fraction must lie in (0, 1]")


def classify_runs(stats: Mapping[str, np.ndarray], criteria: NetworkCriteria | None = None) -> dict:
    """Regime codes and the reference's criteria from the on-the-fly statistics of a sweep.

    Parameters
    ----------
    stats : mapping of str to ndarray
        Per run: ``initial_loss``, ``diverged``, and the loss and gradient statistics of the last
        window of epochs that the training loop keeps.
    criteria : NetworkCriteria, optional
        The thresholds (its defaults).

    Returns
    -------
    dict
        ``regime`` (codes of :data:`analysis.REGIMES`), ``learned_reference`` and
        ``trapped_reference`` (the reference's own criteria), each shaped like the runs.
    """
    c = criteria or NetworkCriteria()
    L0 = stats["initial_loss"]
    diverged = stats["diverged"].astype(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        trapped = (stats["window_min_loss"] >= (1 - c.plateau_tol) * L0) & (
            stats["window_max_grad"] < c.grad_floor * stats["max_grad"])
        learned = stats["window_max_loss"] <= c.loss_threshold * L0
        tail_range = stats["tail_max"] - stats["tail_min"]
        head_range = stats["head_max"] - stats["head_min"]
        oscillating = ~learned & (tail_range > c.swing_tol * L0) & (tail_range > 0.5 * head_range)
        regime = np.full(L0.shape, DESCENDING, np.int8)
        regime[oscillating] = OSCILLATING
        regime[learned] = LEARNED
        regime[trapped] = TRAPPED
        regime[diverged] = DIVERGED
        learned_reference = ~diverged & (stats["last_loss"] / L0 < c.reference_ratio)
        trapped_reference = (stats["max_accuracy"] > 0.5) & ~(stats["late_max_accuracy"] > 0.5)
    return {"regime": regime, "learned_reference": learned_reference, "trapped_reference": trapped_reference}
