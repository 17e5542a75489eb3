"""Train many networks at once: every (learning rate, seed) network of a chunk in one compiled program.

:func:`train_sweep` runs validate -> plan (:mod:`.plan`) -> run (:mod:`.chunk`, the compiled
:mod:`.segment`, through the shared :func:`analysis.store.cached_sweep`) -> assemble
(:mod:`.results`). The conventions of the engine are in :mod:`.segment`, the regimes in
:mod:`.criteria`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from functools import partial
from typing import TYPE_CHECKING

from ...store import cached_sweep, progress_file
from ..rate_network import RateNetwork
from ..tasks import Task
from .chunk import train_chunk
from .continuation import Start
from .criteria import NetworkCriteria
from .plan import plan_sweep
from .results import to_dataset

if TYPE_CHECKING:
    import xarray as xr



def train_sweep(
    model: RateNetwork,
    task: Task,
    *,
    lr: float | Sequence[float],
    seeds: int | Sequence[int] = 10,
    epochs: int,
    optimizer: str = "sgd",
    momentum: float | None = None,
    weight_decay: float = 0.0,
    record_every: int | None = None,
    checkpoints: Sequence[int] = (),
    sweep: Mapping[str, Sequence] | None = None,
    monitor: str | None = None,
    criteria: NetworkCriteria | None = None,
    dtype: str = "float32",
    chunk_size: int | None = None,
    out: str | os.PathLike | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    seed: int = 0,
    init: Start | None = None,
    keep_state: bool = False,
    fused: bool = True,
) -> xr.Dataset:
    """Train every (learning rate, seed) network, full batch, and return a labelled Dataset.

    Parameters
    ----------
    model : DelayedActivationRNN or TaskRNN
    task : Task
        From :func:`delayed_activation`, :func:`cue_discrimination` or :func:`match_to_sample`.
    lr : sequence of float
        Learning rates, each > 0.
    seeds : int or sequence of int
        A count n (seeds 0..n-1) or explicit seeds >= 0. A seed fixes the initial network and the
        per-epoch noise, identically at every learning rate.
    epochs : int
        Epochs (full-batch steps) per network.
    optimizer : {"sgd", "momentum", "adam"}
        optax's SGD, SGD with heavy-ball ``momentum`` (PyTorch's convention), or Adam (its
        default betas and eps); ``weight_decay`` adds L2 decay before the update.
    momentum : float, optional
        The heavy-ball coefficient in [0, 1) of ``optimizer="momentum"`` (default 0.9); refused
        with the other optimizers, which would ignore it.
    record_every : int, optional
        Keep loss, gradient norm and accuracy every this many epochs (and at the last epoch).
        Default: about 1000 records per run.
    checkpoints : sequence of int
        Epochs in [0, epochs] at which to keep the parameters (see the module docstring).
    sweep : mapping, optional
        Further swept axes, e.g. ``{"gain": [1, 10]}`` or ``{"rank": [1, 2]}`` (any model setting)
        or ``{"delay": [10, 20]}`` (the task's delay). Each combination is trained as its own set
        of chunks.
    monitor : {"fixed_points", "recurrent_norms"} or None
        ``"fixed_points"``: also count, at every epoch, the fixed points of a rank-one network's
        latent flow (sign changes of dkappa/dt on 1000 points of [-15, 15], the reference's count)
        without storing the flows: recorded as ``fixed_points`` every ``record_every`` epochs, and
        its maximum over all epochs as ``max_fixed_points``. Costs about as much again as the
        training. ``"recurrent_norms"`` (full rank): record ``W_norm`` and ``grad_W_norm``, the
        Frobenius norms of the recurrent weights and of their gradient, and ``mean_loss``, the loss
        averaged over every epoch (not only the recorded ones): what the reference's Fig 7 plots.
    criteria : NetworkCriteria, optional
        Thresholds of the regimes.
    dtype : {"float32", "float64"}
        float32 as in the reference; float64 for checks.
    chunk_size : int, optional
        Learning rates per chunk (default: all of them in one compiled program).
    out : path, optional
        NetCDF file: chunks are saved as they finish, and a running chunk saves its progress about
        every minute, so an interrupted sweep resumes losing at most about a minute
        (:mod:`analysis.store`); the result is the same bit for bit.
    executor : concurrent.futures.Executor, optional
        Runs chunks concurrently (process pools need a "spawn" context).
    progress : bool, optional
        tqdm bars; None shows them only on an interactive terminal.
    seed : int
        Base of every seed's random stream.
    init : Start, optional
        Continue from given parameters (and optimiser state) instead of a fresh network: a
        :class:`Start` from :func:`start_from`, e.g. the last checkpoint of an earlier sweep, shared
        by every swept value. Epochs and checkpoints count from the start; the per-epoch noise
        continues the earlier run's stream. Used by the remedies' second phases.
    keep_state : bool
        Keep the final optimiser state (``state_*`` variables), so that :func:`start_from` can
        continue it.
    fused : bool
        Train a network that has a fused epoch (the noise-free rank-one delayed-activation network
        with its fixed-gain readout: :func:`analysis.networks.rank_one_loss_and_grad`) with its
        forward and backward pass in one compiled kernel per epoch (default). False runs the XLA
        program (autodiff of the scan) instead. The two sum in different orders, so they agree to
        rounding, and a run whose outcome hangs on rounding can end in another regime (the
        guide's conventions give the Fig 6A comparison).

    Returns
    -------
    xarray.Dataset
        Dimensions (*sweep, lr, seed, epoch) and ``checkpoint``; variables ``loss``,
        ``grad_norm``, ``accuracy`` (recorded), per-run ``initial_loss``, ``final_loss``,
        ``min_loss``, ``final_accuracy``, ``max_accuracy``, ``plateau_length``, ``drop_epoch``,
        ``drop_size``, ``epochs_to_learn``, ``regime`` (codes into attrs ``regime_names``),
        ``learned_reference``, ``trapped_reference``, ``diverged_epoch`` (-1 if never), and
        ``param_<name>`` checkpoints. Attributes hold every setting and the device used.

    Examples
    --------
    >>> from analysis.networks import DelayedActivationRNN, delayed_activation, train_sweep
    >>> ds = train_sweep(DelayedActivationRNN(N=20), delayed_activation(5), lr=[0.1], seeds=2, epochs=50)
    >>> ds.loss.dims, ds.loss.shape
    (('lr', 'seed', 'epoch'), (1, 2, 50))
    """
    plan = plan_sweep(model, task, lr=lr, seeds=seeds, epochs=epochs, optimizer=optimizer, momentum=momentum,
                      weight_decay=weight_decay, record_every=record_every, checkpoints=checkpoints, sweep=sweep,
                      monitor=monitor, criteria=criteria, dtype=dtype, chunk_size=chunk_size, seed=seed, init=init,
                      keep_state=keep_state, progress=progress, fused=fused)
    chunks = plan.chunks
    if out is not None:  # long chunks save their progress as they go, and resume from it
        chunks = [chunk | {"resume_file": str(progress_file(out, i))} for i, chunk in enumerate(chunks)]
    assemble = partial(to_dataset, plan.settings, chunks, model=model)
    return cached_sweep(train_chunk, plan.settings, chunks, assemble, out=out, executor=executor,
                        progress=progress, desc="train sweep")
