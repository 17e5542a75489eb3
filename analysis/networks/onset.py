"""A network's onset of trapping as a quantile over seeds, with a bootstrap interval.

In networks the fraction of runs that end trapped rises gradually with the learning rate, so the
first rate at which any of a few seeds traps moves with the seed set (at 7.5 tau, two sets of 20
seeds gave first trapping rates 12% apart). The onset is therefore defined as a quantile of the
seeds' critical rates: the rate at which a fraction ``quantile`` of the runs is trapped,

* read off the trapped fraction f(eta) on an ascending grid of rates, at the first grid rate where
  f reaches the quantile, by linear interpolation in log eta from the rate before it;
* with a bootstrap interval over seeds (the seeds are resampled with replacement, the same
  resample at every rate, because one seed is one initial network trained at every rate).

:func:`trapping_onset_sweeps` trains what the measurement needs, per delay: the dense sweep and,
at its lowest rate, the same seeds with checkpoints (the learned networks a prediction starts
from, :mod:`.own_model`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from reduced.validation import positive_int

from ..regimes import DIVERGED, LEARNED, OSCILLATING, TRAPPED
from ..store import file_in
from .rate_network import RateNetwork
from .tasks import Task
from .training import checkpoint_params, positive_list, train_sweep

if TYPE_CHECKING:
    from concurrent.futures import Executor

    import xarray as xr



def quantile_rate(rates: ArrayLike, fraction: ArrayLike, quantile: float) -> np.ndarray:
    """The rate at which ``fraction`` (along its last axis, over ascending ``rates``) first reaches
    ``quantile``, interpolated linearly in log rate from the grid rate before it.

    NaN where the fraction never reaches the quantile on the grid; the first rate where it
    reaches it already at the first rate (the grid starts too high to resolve it, so the value
    is only an upper bound).

    Examples
    --------
    >>> float(quantile_rate([1.0, 4.0], [0.0, 0.2], 0.1))  # halfway in log: sqrt(1 * 4)
    2.0
    """
    rates = np.asarray(rates, dtype=float)
    fraction = np.asarray(fraction, dtype=float)
    if rates.ndim != 1 or fraction.shape[-1:] != rates.shape or np.any(np.diff(rates) <= 0) or np.any(rates <= 0):
        raise ValueError("rates must be positive and ascending, one per entry of fraction's last axis")
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must lie in (0, 1), got {quantile!r}")
    reached = fraction >= quantile
    first = np.argmax(reached, axis=-1)
    out = np.full(fraction.shape[:-1], np.nan)
    some = reached.any(axis=-1)
    log_rates = np.log(rates)
    for index in zip(*np.nonzero(some), strict=True) if out.ndim else ([()] if some else []):
        k = first[index]
        if k == 0:
            out[index] = rates[0]
            continue
        below, above = fraction[index][k - 1], fraction[index][k]
        weight = (quantile - below) / (above - below)
        out[index] = np.exp(log_rates[k - 1] + weight * (log_rates[k] - log_rates[k - 1]))
    return out


# what counts as the failure whose onset is measured: trapping alone (the no-learning zone of the
# 1-D model), or any failure to learn that is not still descending (trapped, bouncing, diverged)
FAILURES = {"trapped": (TRAPPED,), "failed": (TRAPPED, OSCILLATING, DIVERGED)}


def failing(regime: ArrayLike, failure: str = "trapped") -> np.ndarray:
    """Booleans: is each regime code one of the ``failure`` (a key of :data:`FAILURES`) regimes?"""
    if failure not in FAILURES:
        raise ValueError(f"failure must be one of {sorted(FAILURES)}, got {failure!r}")
    return np.isin(np.asarray(regime), FAILURES[failure])


def trapped_by_seed(ds, failure: str = "trapped") -> np.ndarray:
    """(seed, lr) booleans: did each run end trapped (or, with ``failure="failed"``, fail in any way
    but descending)? Other swept axes must be absent."""
    return failing(ds["regime"].transpose("seed", "lr").values, failure)


def onset_quantile(ds: xr.Dataset, *, quantile: float = 0.1, resamples: int = 2000, confidence: float = 0.95,
                   seed: int = 0, failure: str = "trapped") -> dict:
    """The onset of trapping of a learning-rate sweep as a quantile over its seeds.

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`train_sweep` result over (lr, seed), the rates ascending and dense around the onset.
    quantile : float
        The trapped fraction that defines the onset (0.1); the 50% rate is reported beside it.
    resamples : int
        Bootstrap resamples of the seeds.
    confidence : float
        Level of the bootstrap (percentile) interval.
    seed : int
        Seed of the resampling.
    failure : {"trapped", "failed"}
        The runs counted: trapped (the default), or failed in any way but still descending
        (trapped, oscillating or diverged: :data:`FAILURES`).

    Returns
    -------
    dict
        ``value`` and ``ci`` (the onset and its interval), ``q50`` and ``q50_ci``, the trapped (failed) and
        learned fraction per rate, ``learned_below`` (the fraction of runs that learned at the rates
        below the onset: a small value says that the epoch budget, not the rate, limits them),
        ``unresolved`` (the fraction of resamples whose trapped fraction never reaches the quantile
        on the grid; those are left out of the interval) and the seed count.
    """
    positive_int(resamples, "resamples")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    rates = ds.lr.values
    trapped = trapped_by_seed(ds, failure)
    learned = ds["regime"].transpose("seed", "lr").values == LEARNED
    n_seeds = trapped.shape[0]
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_seeds, size=(resamples, n_seeds))
    boot_fraction = trapped[draws].mean(axis=1)  # (resamples, lr)
    tail = (1 - confidence) / 2
    out = {"quantile": quantile, "seeds": int(n_seeds), "lr": rates.tolist(),
           "fraction_trapped": trapped.mean(0).tolist(), "fraction_learned": learned.mean(0).tolist()}
    for name, q in (("value", quantile), ("q50", 0.5)):
        value = float(quantile_rate(rates, trapped.mean(0), q))
        boot = quantile_rate(rates, boot_fraction, q)
        finite = boot[np.isfinite(boot)]
        key = "ci" if name == "value" else "q50_ci"
        out[name] = value
        out[key] = ([float(np.quantile(finite, tail)), float(np.quantile(finite, 1 - tail))]
                    if finite.size else [np.nan, np.nan])
        if name == "value":
            out["unresolved"] = float(1 - finite.size / resamples)
    below = rates < out["value"] if np.isfinite(out["value"]) else np.ones(rates.size, bool)
    out["learned_below"] = float(learned[:, below].mean()) if below.any() else np.nan
    return out


def trapping_onset_sweeps(model: RateNetwork, task: Task, delays: Sequence[int], rates: Sequence[Sequence[float]], *,
                          seeds: int = 40, epochs: int = 30_000, checkpoint_every: int = 100,
                          out_dir: str | os.PathLike | None = None, executor: Executor | None = None,
                          progress: bool | None = None,
                          **training) -> dict:
    """Per delay: the dense learning-rate sweep and, at its lowest rate, the same seeds with checkpoints.

    Parameters
    ----------
    model : DelayedActivationRNN or TaskRNN
        The network.
    task : Task
        Its task; the task's delay is replaced by each of ``delays`` (steps).
    delays : sequence of int
        Delays in steps.
    rates : sequence of sequences of float
        The ascending grid of learning rates of each delay.
    seeds : int
        Runs per rate. Each delay has its own seeds, ``1000 * delay + (0, ..., seeds - 1)``, so that
        the delays are independent samples (what an exponent's interval assumes).
    epochs : int
        Epochs per run, and the spacing of the checkpoints of the lowest-rate runs.
    checkpoint_every : int
        Epochs per run, and the spacing of the checkpoints of the lowest-rate runs.
    out_dir : path, optional
        Where every sweep is cached (resumable).
    executor : concurrent.futures.Executor, optional
        As for :func:`train_sweep`.
    progress : bool, optional
        As for :func:`train_sweep`.
    **training
        Further options of :func:`train_sweep` for both sweeps (``optimizer``, ``momentum``,
        ``weight_decay``, ...).

    Returns
    -------
    dict
        ``{delay: {"sweep": Dataset, "learned": Dataset}}``.
    """
    delays = [positive_int(d, "delays") for d in delays]
    if len(rates) != len(delays):
        raise ValueError(f"rates must give one grid per delay ({len(delays)}), got {len(rates)}")
    seeds = positive_int(seeds, "seeds")
    epochs = positive_int(epochs, "epochs")
    every = positive_int(checkpoint_every, "checkpoint_every")
    out = {}
    for delay, grid in zip(delays, rates, strict=True):
        grid = sorted(positive_list(grid, "rates"))
        run_seeds = onset_seeds(delay, seeds)
        delayed = task.with_delay(delay)
        common = dict(seeds=run_seeds, epochs=epochs, executor=executor, progress=progress,
                      record_every=max(1, epochs // 300), **training)
        sweep = train_sweep(model, delayed, lr=grid, out=file_in(out_dir, f"onset-d{delay}-{len(grid)}"), **common)
        learned = train_sweep(model, delayed, lr=[grid[0]], checkpoints=list(range(0, epochs + 1, every)),
                              out=file_in(out_dir, f"onset-learned-d{delay}"), **common)
        out[delay] = {"sweep": sweep, "learned": learned}
    return out


def onset_seeds(delay: int, seeds: int) -> list[int]:
    """The seeds of one delay's sweeps, ``1000 * delay + (0, ..., seeds - 1)``: each delay its own."""
    return [1000 * delay + i for i in range(seeds)]


def loss_before_drop(ds) -> np.ndarray:
    """Per seed of a one-rate sweep: the last recorded loss before the run left its plateau
    (``plateau_length``); the initial loss where no record precedes it, NaN where it never left."""
    plateau = ds.plateau_length.isel(lr=0).values
    loss = ds.loss.isel(lr=0).transpose("seed", "epoch").values
    before = ds.epoch.values[None, :] < plateau[:, None]
    last = before.shape[1] - 1 - np.argmax(before[:, ::-1], axis=1)
    value = np.where(before.any(axis=1), loss[np.arange(loss.shape[0]), last], ds.initial_loss.isel(lr=0).values)
    return np.where(np.isfinite(plateau), value, np.nan)


def compact_onsets(results: dict, settings: dict, *, params: bool = True):
    """The per-run results of :func:`trapping_onset_sweeps` that the onset and its prediction need, compactly.

    Per delay: the rate grid and every run's regime; per learned network (the lowest-rate runs): its
    final rank-one parameters (``params=True``; a full-rank network's weights are too large to keep
    for many seeds, so leave them out there), its loss before the drop (the last record before it
    left the plateau) and its regime. No loss curves, so a 6-delay, 40-seed rank-one study is well
    under a megabyte.

    Returns
    -------
    xarray.Dataset
        Over (delay, seed, rate) and (delay, seed, unit); ``settings`` is kept as a JSON attribute.
    """
    import json

    import xarray as xr

    delays = sorted(results)
    sweeps = [results[d]["sweep"] for d in delays]
    learned = [results[d]["learned"] for d in delays]
    n_rates = max(s.sizes["lr"] for s in sweeps)
    n_seeds = sweeps[0].sizes["seed"]
    lr = np.full((len(delays), n_rates), np.nan)
    regime = np.full((len(delays), n_seeds, n_rates), -1, np.int8)
    for i, s in enumerate(sweeps):
        lr[i, :s.sizes["lr"]] = s.lr.values
        regime[i, :, :s.sizes["lr"]] = s["regime"].transpose("seed", "lr").values
    kept = {k: [] for k in ("m", "n", "b")} if params else {}
    start_loss, learned_regime = [], []
    for ds in learned:
        for k in kept:
            kept[k].append(np.stack([np.ravel(checkpoint_params(ds, seed=j, checkpoint=-1)[k])
                                     for j in range(ds.sizes["seed"])]))
        start_loss.append(loss_before_drop(ds))
        learned_regime.append(ds.regime.isel(lr=0).values)
    return xr.Dataset(
        {"lr_grid": (("delay", "rate"), lr), "regime": (("delay", "seed", "rate"), regime),
         **{f"final_{k}": (("delay", "seed", "unit"), np.asarray(v, np.float32)) for k, v in kept.items()},
         "start_loss": (("delay", "seed"), np.asarray(start_loss)),
         "learned_regime": (("delay", "seed"), np.asarray(learned_regime, np.int8)),
         "seed_value": (("delay", "seed"), np.asarray([s.seed.values for s in sweeps]))},
        coords={"delay": delays},
        attrs={"settings": json.dumps(settings, sort_keys=True), "regime_names": sweeps[0].attrs["regime_names"],
               "epochs": int(sweeps[0].attrs["epochs"]), "alpha": float(json.loads(sweeps[0].attrs["model"])["alpha"])},
    )


def delay_sweep(compact, delay: int):
    """One delay of :func:`compact_onsets` as an (lr, seed) Dataset that :func:`onset_quantile` reads."""
    import xarray as xr

    row = compact.sel(delay=delay)
    keep = np.isfinite(row.lr_grid.values)
    return xr.Dataset({"regime": (("seed", "lr"), row.regime.values[:, keep])},
                      coords={"lr": row.lr_grid.values[keep], "seed": row.seed_value.values})
