"""What a gradient-descent run on r did: its regime and its abrupt-learning statistics.

Definitions (every threshold is a field of :class:`Criteria`; W is the final window of
``window`` epochs, r_min the minimiser, r_zone = r*/4 the no-learning boundary):

* **diverged**: r or the loss became non-finite.
* **trapped**: in the no-learning zone. Either r stayed at or below r_zone throughout W, or
  the gradient stayed below ``grad_floor`` (relative to the sharp slope at r*) throughout
  W while the loss stayed at its plateau (within ``plateau_tol`` of the zone loss).
* **oscillating**: a sustained cycle about the minimum, however small (as just above
  eta_s = 2 / L''): r crossed r_min at least twice within W, and over the last quarter of W
  |r - r_min| is still more than half of what it was over the first quarter and above
  1e-9 r_min (rounding). The amplitude (max - min of r over W, halved, relative to r_min)
  is reported.
* **learned**: not oscillating, and |r - r_min| <= ``rtol`` r_min over the last quarter of W.
* **descending**: none of the above: still on its way to the minimum when the run ended.

Abrupt-learning statistics of the loss history L_0, ..., L_E:

* ``drop_epoch``: the epoch k with the largest single-epoch decrease L_{k-1} - L_k;
* ``drop_sharpness``: that decrease (loss units per epoch);
* ``plateau_length``: the epochs before the loss first leaves ``plateau_tol`` (relative)
  of L_0 (E if it never does);
* ``epochs_to_learn``: the first epoch with L_k below L_min + ``loss_threshold`` (L_zone - L_min),
  L_min = L(r_min) and L_zone the plateau loss in the zone (L(0) at finite a), so the same
  number serves both conventions and every confidence; NaN if never.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

REGIMES = ("learned", "oscillating", "trapped", "diverged", "descending")
LEARNED, OSCILLATING, TRAPPED, DIVERGED, DESCENDING = range(len(REGIMES))


@dataclass(frozen=True)
class Criteria:
    """Thresholds of the regime classification; see the module docstring.

    Parameters
    ----------
    rtol : float
        Learned: |r - r_min| <= rtol r_min over the last quarter of the window. Default 0.02.
    window_fraction : float
        The final window W as a fraction of the epochs. Default 0.1.
    loss_threshold : float
        ``epochs_to_learn``: the first epoch within this fraction of the way from L_min to the
        zone's loss. Default 0.05.
    plateau_tol : float
        Relative distance from the plateau loss that still counts as on it. Default 0.05.
    grad_floor : float
        Trapped: the gradient below this fraction of the sharp slope at r* throughout W. Default 1e-4.
    """

    rtol: float = 0.02
    window_fraction: float = 0.1
    loss_threshold: float = 0.05
    plateau_tol: float = 0.05
    grad_floor: float = 1e-4

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"Criteria.{f.name} must be a positive finite number, got {value!r}")
        if self.window_fraction > 1:
            raise ValueError("Criteria.window_fraction must lie in (0, 1]")

    def learn_level(self, loss_min, zone_loss):
        """The loss below which a run counts as having learned (see ``epochs_to_learn``)."""
        return loss_min + self.loss_threshold * (zone_loss - loss_min)

    def window(self, epochs: int) -> int:
        return max(1, int(round(self.window_fraction * epochs)))

    @staticmethod
    def quarter(window: int) -> int:
        return max(1, window // 4)


@dataclass(frozen=True)
class WindowStats:
    """Statistics of the final window and of the whole loss history, one entry per run."""

    nonfinite: np.ndarray
    r_max: np.ndarray
    r_min_seen: np.ndarray
    max_deviation: np.ndarray  # max |r - r_min| over the window
    deviation_head: np.ndarray  # max |r - r_min| over the first quarter of the window
    deviation_tail: np.ndarray  # max |r - r_min| over the last quarter of the window
    crossings: np.ndarray  # sign changes of r - r_min within the window
    max_abs_grad: np.ndarray
    min_loss: np.ndarray
    drop_epoch: np.ndarray
    drop_sharpness: np.ndarray
    plateau_length: np.ndarray
    epochs_to_learn: np.ndarray


def window_stats(r, loss, grad, epochs_recorded, r_min, learn_level, criteria: Criteria) -> WindowStats:
    """Compute :class:`WindowStats` from recorded histories (axis 0 is the record index).

    This is the plain numpy reference; the compiled sweep kernel computes the same numbers
    on the fly, epoch by epoch.
    """
    epochs_recorded = np.asarray(epochs_recorded)
    last = epochs_recorded[-1]
    window = criteria.window(int(last))
    quarter = criteria.quarter(window)
    in_window = epochs_recorded > last - window
    rw, lw, gw = r[in_window], loss[in_window], grad[in_window]
    deviation = np.abs(rw - r_min)
    head = epochs_recorded[in_window] <= last - window + quarter
    tail = epochs_recorded[in_window] > last - quarter
    head[0] = tail[-1] = True  # sparse records: a quarter holds at least its nearest record
    nonfinite = ~np.all(np.isfinite(r) & np.isfinite(loss), axis=0)
    side = np.sign(rw - r_min)
    crossings = np.sum((side[1:] * side[:-1]) < 0, axis=0) if rw.shape[0] > 1 else np.zeros(r.shape[1:], int)

    decrease = loss[:-1] - loss[1:]
    drop_index = np.argmax(decrease, axis=0)
    drop_epoch = epochs_recorded[1:][drop_index]
    drop_sharpness = np.take_along_axis(decrease, drop_index[None], 0)[0] / np.diff(epochs_recorded)[drop_index]
    left = np.abs(loss - loss[0]) > criteria.plateau_tol * np.abs(loss[0])
    plateau_length = np.where(left.any(axis=0), epochs_recorded[np.argmax(left, axis=0)], last)
    learned_mask = loss < learn_level
    epochs_to_learn = np.where(learned_mask.any(axis=0), epochs_recorded[np.argmax(learned_mask, axis=0)], np.nan)
    return WindowStats(
        nonfinite=nonfinite,
        r_max=rw.max(axis=0),
        r_min_seen=rw.min(axis=0),
        max_deviation=deviation.max(axis=0),
        deviation_head=deviation[head].max(axis=0),
        deviation_tail=deviation[tail].max(axis=0),
        crossings=crossings,
        max_abs_grad=np.abs(gw).max(axis=0),
        min_loss=lw.min(axis=0),
        drop_epoch=drop_epoch.astype(float),
        drop_sharpness=drop_sharpness,
        plateau_length=plateau_length.astype(float),
        epochs_to_learn=epochs_to_learn.astype(float),
    )


def decide(stats: WindowStats, r_min, r_zone, zone_loss, slope_scale, criteria: Criteria) -> np.ndarray:
    """Regime codes (indices into :data:`REGIMES`) from window statistics.

    ``slope_scale`` is the sharp |dL/dr| just above r*, the unit of ``grad_floor``.
    """
    in_zone = stats.r_max <= r_zone
    stalled = (stats.max_abs_grad < criteria.grad_floor * slope_scale) & (
        stats.min_loss >= (1 - criteria.plateau_tol) * zone_loss
    )
    scale = np.abs(r_min)
    oscillating = (
        (stats.crossings >= 2)
        & (stats.deviation_tail > 0.5 * stats.deviation_head)
        & (stats.deviation_tail > 1e-9 * scale)
    )
    learned = ~oscillating & (stats.deviation_tail <= criteria.rtol * scale)
    regime = np.full(np.shape(stats.r_max), DESCENDING, dtype=np.int8)
    regime = np.where(learned, LEARNED, regime)
    regime = np.where(oscillating, OSCILLATING, regime)
    regime = np.where(in_zone | stalled, TRAPPED, regime)
    return np.where(stats.nonfinite, DIVERGED, regime).astype(np.int8)


def amplitude(stats: WindowStats, r_min) -> np.ndarray:
    """Half the peak-to-peak range of r over the window, relative to r_min (NaN if diverged)."""
    with np.errstate(invalid="ignore"):
        return np.where(stats.nonfinite, np.nan, (stats.r_max - stats.r_min_seen) / (2 * np.abs(r_min)))
