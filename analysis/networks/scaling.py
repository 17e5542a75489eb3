"""The scaling law in networks: the critical learning rate against the task's delay.

The critical rate is found as the reduced model's is (:func:`analysis.critical_learning_rate_numeric`):
the infimum of the learning rates at which any network of a sweep ends *trapped* (the regime of
:mod:`analysis.networks.training`: confidently wrong, its gradient collapsed). A first sweep over
``lr`` brackets the onset, (last rate with no trapped run, first rate with one]; each refinement
sweeps ``refine_points`` rates inside that bracket (common seeds throughout). The value reported
is the upper end, the smallest rate observed to trap, an upper bound on the infimum; the bracket's
width is its resolution. A power law in the delay (in units of tau, alpha T) is then fitted with
:func:`analysis.fit_power_law`.

What to compare it with (docs/science.md, section 6): the reduced model's eta_c ~ T^-4 (normalized
loss) is a statement about the rate on r, not on the network's weights; the network's rate is
that divided by |grad r_eff|^2 (:mod:`.mapping`), which itself depends on the delay. The companion
study (arXiv:2502.17433) fitted -2.72 +- 0.07 to the no-learning onset and -4.05 +- 0.10 to the
slow-point midpoint in full-rank networks trained with SGD and momentum.
"""

from __future__ import annotations

import os

import numpy as np

from reduced.validation import positive_int

from ..onset import onset_bracket
from ..regimes import LEARNED, TRAPPED
from ..store import file_in
from .training import positive_list, train_sweep

ONSETS = ("trapped", "no_learning")


def _failing(ds, onset: str, fraction: float) -> np.ndarray:
    """Per rate: does the sweep fail there (trapped, or no learning above the best rate)?"""
    if onset == "trapped":
        return (ds["regime"] == TRAPPED).mean("seed").values > fraction
    learned = (ds["regime"] == LEARNED).mean("seed").values
    above_best = np.arange(learned.size) > np.argmax(learned)
    return above_best & (learned <= fraction)


def _onset(ds, onset: str, fraction: float) -> tuple[float, float, np.ndarray, str]:
    """(lower, upper, fraction per rate, reason): the bracket, or NaN with the reason it is undefined.

    An onset needs learning below it: with no run learned at a rate below the first failing one
    (or none at all), there is no critical rate to bracket, and the bracket is (NaN, NaN).
    """
    measure = (ds["regime"] == (TRAPPED if onset == "trapped" else LEARNED)).mean("seed").values
    learned = (ds["regime"] == LEARNED).mean("seed").values
    failing = _failing(ds, onset, fraction)
    if not learned.any():
        return np.nan, np.nan, measure, "no run learned at any rate"
    lower, upper = onset_bracket(ds.lr.values, failing)
    below = ds.lr.values < upper
    if not learned[below].any():
        return np.nan, np.nan, measure, "no run learned below the first failing rate"
    return lower, upper, measure, ""


def network_critical_rates(model, task, delays, *, lr, seeds=5, epochs: int = 20_000, refine_points: int = 8,
                           refinements: int = 1, onset: str = "trapped", fraction: float = 0.0,
                           record_every: int | None = None,
                           out_dir: str | os.PathLike | None = None, executor=None, progress=None):
    """The onset of trapping against the delay, by a coarse sweep and nested refinements.

    Parameters
    ----------
    model : DelayedActivationRNN or TaskRNN
        The network.
    task : Task
        Its task; the task's delay is replaced by each of ``delays`` (steps).
    delays : sequence of int
        Delays in steps (each >= 1).
    lr : sequence of float
        The coarse grid of learning rates (ascending).
    seeds : int
        Runs per rate and their length.
    epochs : int
        Runs per rate and their length.
    refine_points : int
        Rates per refinement inside the bracket, and the number of refinements.
    refinements : int
        Rates per refinement inside the bracket, and the number of refinements.
    onset : {"trapped", "no_learning"}
        ``"trapped"`` (default): the first rate at which more than ``fraction`` of the seeds end
        trapped, the reduced model's definition. ``"no_learning"``: the first rate above the best
        one at which at most ``fraction`` of the seeds learned (regime ``learned``), the
        companion study's no-learning onset, for networks whose failure is not a trap (full rank
        fails by oscillating).
    fraction : float
        See ``onset`` (default 0).
    out_dir : path, optional
        Directory where every sweep is cached (resumable).

    Returns
    -------
    xarray.Dataset
        Over ``delay``: ``lower`` and ``upper`` ends of the onset bracket, ``delay_tau`` (alpha T),
        and the coarse sweep's ``fraction`` of seeds trapped (or learned, for ``"no_learning"``)
        over (delay, lr). Where no run learned below the first failing rate the onset is
        undefined: ``lower`` and ``upper`` are NaN and ``reason`` says why ("" where defined);
        :func:`analysis.fit_power_law` refuses NaN.
    """
    import xarray as xr

    delays = [positive_int(d, "delays") for d in np.atleast_1d(delays)]
    lr = np.sort(np.asarray(positive_list(lr, "lr")))
    points = positive_int(refine_points, "refine_points", minimum=1)
    levels = positive_int(refinements, "refinements", minimum=0)
    if onset not in ONSETS:
        raise ValueError(f"onset must be one of {ONSETS}, got {onset!r}")
    if not 0 <= fraction < 1:
        raise ValueError(f"fraction must lie in [0, 1), got {fraction!r}")
    common = dict(seeds=seeds, epochs=positive_int(epochs, "epochs"), executor=executor, progress=progress,
                  record_every=record_every or max(1, epochs // 200))
    lower, upper, coarse, reasons = [], [], [], []
    for delay in delays:
        delayed = task.with_delay(delay)

        def sweep(rates, tag, delayed=delayed, delay=delay):
            out = file_in(out_dir, f"scaling-{tag}-d{delay}-{len(rates)}")
            return train_sweep(model, delayed, lr=list(rates), out=out, **common)

        lo, hi, measure, reason = _onset(sweep(lr, "coarse"), onset, fraction)
        coarse.append(measure)
        reasons.append(reason)
        for level in range(levels):
            if not np.isfinite(hi) or not lo > 0:
                break
            rates = np.exp(np.log(lo) + np.log(hi / lo) * np.linspace(0, 1, points + 2)[1:-1])
            refined = sweep(rates, f"refine{level}-{lo:.6g}-{hi:.6g}")
            # the coarse sweep showed learning below the bracket: here only the first failure counts
            sub_lo, sub_hi = onset_bracket(refined.lr.values, _failing(refined, onset, fraction))
            # inside the bracket, the rates below the refinement's first failure did not fail
            lo, hi = (max(lo, sub_lo), sub_hi) if np.isfinite(sub_hi) else (float(rates[-1]), hi)
        lower.append(lo)
        upper.append(hi)
    alpha = float(getattr(model, "alpha", 0.5))
    return xr.Dataset(
        {"lower": (("delay",), np.asarray(lower)), "upper": (("delay",), np.asarray(upper)),
         "delay_tau": (("delay",), alpha * np.asarray(delays, dtype=float)),
         "fraction": (("delay", "lr"), np.asarray(coarse)),
         "reason": (("delay",), np.asarray(reasons, dtype=str))},
        coords={"delay": delays, "lr": lr},
        attrs={"seeds": seeds if np.ndim(seeds) == 0 else len(seeds), "epochs": common["epochs"],
               "refinements": levels, "refine_points": points, "onset": onset, "fraction_threshold": fraction,
               "fraction": "trapped" if onset == "trapped" else "learned"},
    )
