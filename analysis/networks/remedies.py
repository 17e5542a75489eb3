"""The paper's two remedies, measured in networks: more trainable rank, and lower output confidence.

Each function runs one experiment of Dinc et al. (arXiv:2501.02378, Figs 6B and 8) with the
reference's settings by default (smaller ``seeds``/``epochs`` give a reduced version), and
returns an ``xarray.Dataset`` whose attrs say what was run. Every phase is a
:func:`~analysis.networks.train_sweep`, so ``out_dir=`` caches and resumes each phase
(``<out_dir>/<experiment>-<phase>.nc``) and ``executor=`` spreads it (e.g. a Dask client's).

* :func:`rank_remedy`: the fraction of networks that learn (final / initial loss < 1e-2) against
  the trainable rank K, for each learning rate (Fig 6B).
* :func:`gain_ablation`: rank-one networks trained at gain c = 10, then 100 more epochs at each
  lower gain, for the runs that learned and then fell into the trap (Fig 8B).
* :func:`learnable_gain`: the gain trained from 10, then restarted at 1 (Fig 8B, right).
* :func:`readout_normalization`: full-rank cue discrimination with Adam; after 10k epochs the
  readout is held at an L1 norm c, or left free (Fig 8C).
"""

from __future__ import annotations

import os

import numpy as np

from reduced.validation import positive_int, positive_scalar

from ..store import file_in
from .presets import RANKS, preset
from .training import start_from, train_sweep

ABLATION_GAINS = tuple(np.logspace(-3, 1, 30).tolist())  # the reference's 30 gains


def _gains(values) -> np.ndarray:
    gains = np.atleast_1d(np.asarray(values, dtype=float))
    if gains.ndim != 1 or gains.size == 0 or not np.all(np.isfinite(gains) & (gains > 0)):
        raise ValueError(f"gains must be a non-empty 1-D sequence of positive numbers, got {values!r}")
    return gains


def rank_remedy(*, ranks=RANKS, lr=None, seeds=10, epochs: int = 500_000, record_every: int | None = None,
                out_dir: str | os.PathLike | None = None, executor=None, progress=None):
    """Fraction of networks that learn against the trainable rank K, per learning rate (Fig 6B).

    Rank-K networks with a trainable sigmoid readout of the full state, delayed activation
    T = 20, SGD; "learned" is the reference's final / initial loss < 1e-2 (``learned_reference``).
    Defaults: K in {1, 2, 3, 4, 5, 10, 30, 50, 100}, lr = logspace(-3, 0, 10), 10 seeds,
    500k epochs (cluster-scale: pass fewer epochs for a reduced version).

    Returns
    -------
    xarray.Dataset
        The sweep over (rank, lr, seed, epoch) plus ``fraction_learned`` over (rank, lr).
    """
    p = preset("fig6b-rank")
    ranks = [positive_int(k, "ranks", maximum=p.model.N) for k in np.atleast_1d(ranks)]
    epochs = positive_int(epochs, "epochs")
    lr = list(p.lr) if lr is None else lr
    ds = p.run(lr=lr, seeds=seeds, epochs=epochs, record_every=record_every or max(1, epochs // 500),
               sweep={"rank": ranks}, out=file_in(out_dir, f"rank-remedy-{epochs}"), executor=executor,
               progress=progress)
    ds["fraction_learned"] = ds.learned_reference.astype(float).mean("seed")
    ds.attrs["experiment"] = f"rank remedy, {ds.seed.size} seeds, {epochs} epochs (reference: 10 seeds, 500000)"
    return ds


def gain_ablation(*, seeds=100, lr: float = 0.02, base_epochs: int = 6000, gains=ABLATION_GAINS,
                  epochs: int = 100, out_dir: str | os.PathLike | None = None, executor=None, progress=None):
    """Lower the gain of networks caught in the trap, and watch them recover (Fig 8B).

    Rank-one networks (delayed activation T = 20, gain c = 10) train at ``lr`` for ``base_epochs``;
    then each trains ``epochs`` more at every gain c in ``gains`` (a fresh SGD at the same rate).
    The reference's rule picks the runs that learned and then fell into the trap: accuracy above
    0.5 at some epoch, and not over the last 50 epochs (``trapped_reference``).

    Returns
    -------
    xarray.Dataset
        ``base_accuracy``, ``base_grad_norm`` over (seed, base_epoch); ``accuracy``, ``grad_norm``
        and ``loss`` over (gain, seed, epoch) of the second phase (epoch counted from the switch);
        ``trapped`` over seed.
    """
    import xarray as xr

    gains = _gains(gains)
    p = preset("fig8b-ablation")
    base_epochs = positive_int(base_epochs, "base_epochs")
    base = p.run(lr=[lr], seeds=seeds, epochs=base_epochs, checkpoints=[base_epochs], record_every=1,
                 out=file_in(out_dir, f"gain-ablation-base-{base_epochs}"), executor=executor, progress=progress)
    after = train_sweep(p.model, p.task, lr=[lr], seeds=list(base.seed.values), epochs=positive_int(epochs, "epochs"),
                        record_every=1, sweep={"gain": gains.tolist()}, init=start_from(base),
                        out=file_in(out_dir, f"gain-ablation-after-{base_epochs}-{epochs}"), executor=executor,
                        progress=progress)
    after = after.isel(lr=0)
    return xr.Dataset(
        {"base_accuracy": (("seed", "base_epoch"), base.accuracy.isel(lr=0).values),
         "base_grad_norm": (("seed", "base_epoch"), base.grad_norm.isel(lr=0).values),
         "accuracy": (("gain", "seed", "epoch"), after.accuracy.values),
         "grad_norm": (("gain", "seed", "epoch"), after.grad_norm.values),
         "loss": (("gain", "seed", "epoch"), after.loss.values),
         "trapped": (("seed",), base.trapped_reference.isel(lr=0).values.astype(bool))},
        coords={"gain": gains, "seed": base.seed.values, "base_epoch": base.epoch.values, "epoch": after.epoch.values},
        attrs={"experiment": f"gain ablation: rank one, c = 10, lr {lr:g}, {base.seed.size} seeds, {base_epochs} "
                             f"epochs, then {epochs} epochs at each of {gains.size} gains (reference: 100 seeds, "
                             "6000 + 100 epochs, 30 gains)",
               "lr": lr, "base_gain": float(p.model.gain)},
    )


def learnable_gain(*, seeds=(40,), lr: float = 0.02, epochs: int = 10_000, initial_gain: float = 10.0,
                   restart_gain: float = 1.0, checkpoint_every: int = 100, out_dir: str | os.PathLike | None = None,
                   executor=None, progress=None):
    """Train the gain c with the network from ``initial_gain``, then restart it at ``restart_gain``.

    Rank-one networks, delayed activation T = 20, SGD at ``lr``, ``epochs`` in each phase (the
    reference: seed 40, 10k + 10k epochs, c from 10, then reset to 1 and trained on).

    Returns
    -------
    xarray.Dataset
        ``loss``, ``grad_norm``, ``accuracy`` over (seed, epoch) for both phases joined (epoch
        counts from the first), and the gain ``c`` over (seed, checkpoint).
    """
    import xarray as xr

    p = preset("fig8b-learnable")
    initial_gain, restart_gain = (float(positive_scalar(v, name)) for v, name in
                                  ((initial_gain, "initial_gain"), (restart_gain, "restart_gain")))
    epochs = positive_int(epochs, "epochs")
    every = positive_int(checkpoint_every, "checkpoint_every")
    model = p.model.replace(gain=initial_gain)
    phases = []
    start = None
    for k, gain in enumerate((initial_gain, restart_gain)):
        if start is not None:
            start = start.with_params(c=gain)
        ds = train_sweep(model, p.task, lr=[lr], seeds=list(np.atleast_1d(seeds)), epochs=epochs, record_every=10,
                         checkpoints=range(0, epochs + 1, every), init=start,
                         out=file_in(out_dir, f"learnable-gain-{k}-{gain:g}-{epochs}"), executor=executor,
                         progress=progress)
        start = start_from(ds)
        phases.append(ds.isel(lr=0))
    offset = [0, epochs]
    cat = {name: np.concatenate([ph[name].values for ph in phases], axis=-1) for name in ("loss", "grad_norm",
                                                                                        "accuracy")}
    checkpoints = np.concatenate([ph.checkpoint.values + o for ph, o in zip(phases, offset, strict=True)])
    c = np.concatenate([ph.param_c.values for ph in phases], axis=-1)
    return xr.Dataset(
        {**{name: (("seed", "epoch"), v) for name, v in cat.items()}, "c": (("seed", "checkpoint"), c)},
        coords={"seed": phases[0].seed.values, "checkpoint": checkpoints,
                "epoch": np.concatenate([ph.epoch.values + o for ph, o in zip(phases, offset, strict=True)])},
        attrs={"experiment": f"learnable gain: c from {initial_gain:g} for {epochs} epochs, then restarted at "
                             f"{restart_gain:g} for {epochs} more; lr {lr:g}, {len(np.atleast_1d(seeds))} seed(s)",
               "switch_epoch": epochs, "initial_gain": initial_gain, "restart_gain": restart_gain},
    )


def readout_normalization(*, seeds=100, lr: float = 0.1, epochs: int = 10_000, norms=(0.1, 0.5, 1.0, 3.0),
                          record_every: int = 200, out_dir: str | os.PathLike | None = None, executor=None,
                          progress=None):
    """Hold the readout of trained full-rank networks at an L1 norm c, or leave it free (Fig 8C).

    Full-rank cue discrimination (10 trials per class, noise 1e-3), Adam at ``lr`` for ``epochs``;
    then ``epochs`` more with the readout held at ||w_out||_1 = c for each c in ``norms`` (the
    readout is rescaled before every forward pass), or left free (c = inf). Adam's state carries
    over, as in the reference.

    Returns
    -------
    xarray.Dataset
        ``accuracy`` and ``loss`` over (norm, seed, epoch) for both phases (epoch counted from the
        start; the first phase is shared), with ``norm`` = inf for the free readout.
    """
    import xarray as xr

    p = preset("fig8c")
    norms = _gains(norms)
    epochs = positive_int(epochs, "epochs")
    base = p.run(lr=[lr], seeds=seeds, epochs=epochs, checkpoints=[epochs], record_every=record_every, keep_state=True,
                 out=file_in(out_dir, f"readout-norm-base-{epochs}"), executor=executor, progress=progress)
    start = start_from(base, state=True)
    common = dict(lr=[lr], seeds=list(base.seed.values), epochs=epochs, record_every=record_every, init=start,
                  optimizer=p.optimizer, executor=executor, progress=progress)
    held = train_sweep(p.model, p.task, sweep={"normalize": norms.tolist()},
                       out=file_in(out_dir, f"readout-norm-held-{epochs}"), **common).isel(lr=0)
    free = train_sweep(p.model, p.task, out=file_in(out_dir, f"readout-norm-free-{epochs}"), **common).isel(lr=0)
    first = base.isel(lr=0)
    data = {}
    for name in ("accuracy", "loss"):
        second = np.concatenate([held[name].values, free[name].values[None]], axis=0)  # (norm, seed, epoch)
        shared = np.broadcast_to(first[name].values, (second.shape[0], *first[name].shape))
        data[name] = (("norm", "seed", "epoch"), np.concatenate([shared, second], axis=-1))
    return xr.Dataset(
        data,
        coords={"norm": np.append(norms, np.inf), "seed": first.seed.values,
                "epoch": np.concatenate([first.epoch.values, held.epoch.values + epochs])},
        attrs={"experiment": f"readout normalisation: full-rank cue discrimination, Adam {lr:g}, "
                             f"{first.seed.size} seeds, {epochs} + {epochs} epochs (reference: 100 seeds, 10000 + "
                             "10000)", "switch_epoch": epochs},
    )
