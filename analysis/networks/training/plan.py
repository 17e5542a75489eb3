"""Planning a sweep: every argument of :func:`~analysis.networks.train_sweep` checked, then its chunks.

:func:`plan_sweep` validates the arguments (ValueError naming the argument), expands the swept
axes into combinations of model and task, estimates the memory the results need, fingerprints a
continued start, and returns a :class:`SweepPlan`: the JSON settings (which fingerprint the sweep)
and the chunks the executor runs.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from reduced.validation import nonnegative_scalar, positive_int

from ...optimizers import check_momentum, optimizer_spec
from ...store import available_memory, check_memory, settings_dict
from ..models import model_from_dict
from ..tasks import Task, make_task
from .continuation import Start, check_start
from .criteria import NetworkCriteria
from .monitor import MONITORS

RESULT_VERSION = 1


@dataclass(frozen=True)
class SweepPlan:
    """The settings of a sweep (JSON; their fingerprint names it) and its chunks, in order."""

    settings: dict
    chunks: list


MAX_SEED = 2**31 - 1  # seeds enter JAX's PRNG as 32-bit integers: a larger one would wrap onto another seed
MAX_EPOCHS = 2**31 - 1  # epochs are counted in int32 inside the compiled program
MAX_RUNS = 10**6  # (lr, seed) networks of one sweep: far beyond what a sweep needs, far below what breaks


def positive_list(value, name: str) -> list[float]:
    """A non-empty 1-D list of distinct positive finite numbers (numbers as text are refused)."""
    arr = np.atleast_1d(np.asarray(value, dtype=object))
    try:
        out = np.asarray([float(v) for v in arr.ravel()]) if all(
            not isinstance(v, bool | str | bytes) for v in arr.ravel()) else None
    except (TypeError, ValueError):
        out = None
    if out is None or out.size == 0 or arr.ndim != 1 or not np.all(np.isfinite(out)) or np.any(out <= 0):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of positive finite numbers, got {value!r}")
    if np.unique(out).size != out.size:
        raise ValueError(f"{name} must not repeat a value, got {value!r}")
    return out.tolist()


def seed_list(seeds) -> list[int]:
    """A count n (seeds 0..n-1) or distinct integer seeds in [0, 2**31 - 1]."""
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if not 1 <= seeds <= MAX_RUNS:
            raise ValueError(f"seeds must be a count in [1, {MAX_RUNS}] or a sequence of seeds >= 0, got {seeds}")
        return list(range(int(seeds)))
    values = list(np.atleast_1d(np.asarray(seeds, dtype=object)).ravel())
    if not values or any(isinstance(v, bool) or not isinstance(v, int | np.integer) or not 0 <= v <= MAX_SEED
                         for v in values):
        raise ValueError(f"seeds must be a count >= 1 or a non-empty sequence of integers in [0, {MAX_SEED}], "
                         f"got {seeds!r}")
    if len(set(values)) != len(values):
        raise ValueError("seeds must not repeat")
    return [int(v) for v in values]


def check_arguments(model, task, *, lr, seeds, epochs, optimizer, momentum, weight_decay, record_every,
                    checkpoints, monitor, criteria, dtype, keep_state) -> dict:
    """The scalar and list arguments of a sweep, checked and normalised (ValueError naming each)."""
    if not hasattr(model, "to_dict") or not hasattr(model, "simulate"):
        raise ValueError(f"model must be a DelayedActivationRNN or TaskRNN, got {type(model).__name__}")
    if not isinstance(task, Task):
        raise ValueError(f"task must be a Task (delayed_activation, cue_discrimination, ...), "
                         f"got {type(task).__name__}")
    lr = positive_list(lr, "lr")
    seeds = seed_list(seeds)
    if len(lr) * len(seeds) > MAX_RUNS:
        raise ValueError(f"lr and seeds: {len(lr)} x {len(seeds)} networks is more than {MAX_RUNS} in one sweep")
    epochs = positive_int(epochs, "epochs", maximum=MAX_EPOCHS)
    optimizer_spec(optimizer)
    if momentum is not None and optimizer != "momentum":
        raise ValueError(f"momentum applies to optimizer='momentum' only; with optimizer={optimizer!r} leave it "
                         f"out (got momentum={momentum!r})")
    momentum = 0.9 if momentum is None else momentum  # the heavy-ball default, and what earlier sweeps recorded
    if check_momentum(momentum).ndim:
        raise ValueError(f"momentum must be a single number in [0, 1), got {momentum!r}")
    weight_decay = nonnegative_scalar(weight_decay, "weight_decay")
    record_every = positive_int(record_every, "record_every") if record_every is not None else max(1, epochs // 1000)
    if isinstance(checkpoints, str | bytes) or not isinstance(checkpoints, Iterable):
        raise ValueError(f"checkpoints must be a sequence of epochs in [0, epochs], got {checkpoints!r}")
    ckpts = sorted({positive_int(e, "checkpoints", minimum=0) for e in checkpoints})
    if ckpts and ckpts[-1] > epochs:
        raise ValueError(f"checkpoints must lie in [0, epochs={epochs}], got {ckpts[-1]}")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    if monitor is not None and monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {MONITORS} or None, got {monitor!r}")
    if monitor == "fixed_points" and getattr(model, "rank", None) != 1:
        raise ValueError("monitor='fixed_points' needs a rank-one network (a 1-D latent flow)")
    if monitor == "recurrent_norms" and getattr(model, "rank", None) is not None:
        raise ValueError("monitor='recurrent_norms' needs a full-rank network (recurrent weights W)")
    criteria = criteria or NetworkCriteria()
    if not isinstance(criteria, NetworkCriteria):
        raise ValueError("criteria must be a NetworkCriteria")
    if not isinstance(keep_state, bool):
        raise ValueError(f"keep_state must be a bool, got {keep_state!r}")
    return dict(lr=lr, seeds=seeds, epochs=epochs, optimizer=optimizer, momentum=float(momentum),
                weight_decay=float(weight_decay), record_every=record_every, checkpoints=ckpts, monitor=monitor,
                criteria=criteria, dtype=dtype)


def combinations(model, task: Task, sweep: Mapping[str, Sequence] | None) -> tuple[dict, list[dict]]:
    """The swept axes and every (model, task) combination of them, as dicts, checked for fit."""
    axes = {}
    for name, values in dict(sweep or {}).items():
        values = list(np.atleast_1d(np.asarray(values, dtype=object)).ravel())
        if not values:
            raise ValueError(f"sweep[{name!r}] must not be empty")
        if len({repr(v) for v in values}) != len(values):
            raise ValueError(f"sweep[{name!r}] must not repeat a value, got {values!r}")
        axes[name] = [v.item() if isinstance(v, np.generic) else v for v in values]
    combos = []
    for values in itertools.product(*axes.values()):
        m, t = model, task
        for name, value in zip(axes, values, strict=True):
            if name == "delay":
                t = t.with_delay(value)
            else:
                m = m.replace(**{name: value})
        if m.to_dict()["family"] == "TaskRNN" and t.n_in != m.n_in:
            raise ValueError(f"task has {t.n_in} input channels but model.n_in = {m.n_in}")
        if m.to_dict()["family"] == "DelayedActivationRNN" and t.n_in:
            raise ValueError(f"task {t.name!r} has {t.n_in} input channels, but a DelayedActivationRNN has no input "
                             "weights and would ignore them: use a TaskRNN, or the delayed_activation task")
        n_out = getattr(m, "n_out", 1)  # the delayed-activation family has one output
        if t.n_out != n_out:
            raise ValueError(f"task has {t.n_out} output channels but model.n_out = {n_out}")
        combos.append({"model": m.to_dict(), "task": t.to_dict()})
    return axes, combos


# Arrays of shape (trials, steps, N) a training step keeps per network: states, rates, their adjoints and
# the autodiff residuals. Set on the safe side of a measurement: on fig4-dcdt (rank 2, N = 100, 1000 trials
# x 22 steps, float32) the peak resident memory grew by 0.036 GiB per network from 1 to 10 seeds and by
# 0.031 GiB from 1 to 20, against 0.066 GiB estimated with 8 copies.
ROLLOUT_COPIES = 8


def training_bytes(model, task: Task, runs: int, dtype: str) -> float:
    """Bytes a chunk of ``runs`` networks needs while it trains: parameters, gradients, optimiser
    moments and updates (8 copies), and the rollout's activations for the backward pass."""
    import jax

    n_params = sum(int(np.prod(v.shape)) for v in jax.eval_shape(model.init, jax.random.PRNGKey(0)).values())
    trials, steps = task.targets.shape[0], task.targets.shape[1]
    itemsize = 8 if dtype == "float64" else 4
    return float(runs) * (8 * n_params + ROLLOUT_COPIES * trials * steps * model.N) * itemsize


def fitting_chunk_size(combos: list[dict], lr: list, seeds: list, dtype: str, chunk_size: int | None) -> int:
    """The learning rates per chunk: all of them if they fit in memory, else as many as fit.

    The runs of a chunk share no arithmetic, so a sweep split into smaller chunks gives the same
    numbers (tested); a chunk of one learning rate that does not fit is refused.
    """
    worst = max(training_bytes(model_from_dict(c["model"]), make_task(**c["task"]), len(seeds), dtype)
                for c in combos)  # one learning rate's networks
    room = available_memory()
    if chunk_size is not None:
        chunk_size = positive_int(chunk_size, "chunk_size")
        if chunk_size * worst > room:
            raise ValueError(f"chunk_size={chunk_size}: its networks would need about {chunk_size * worst / 2**30:.1f} "
                             f"GiB to train, more than the {room / 2**30:.1f} GiB available; lower chunk_size")
        return chunk_size
    if worst > room:
        raise ValueError(f"one learning rate's {len(seeds)} networks would need about {worst / 2**30:.1f} GiB to "
                         f"train, more than the {room / 2**30:.1f} GiB available: train fewer seeds at a time, or "
                         "fewer trials")
    return int(min(len(lr), room // worst))


def check_result_memory(model, runs: int, epochs: int, record_every: int, checkpoints: int, dtype: str) -> None:
    """Refuse up front a sweep whose histories and checkpoints cannot fit in memory."""
    import jax

    n_records = -(-epochs // record_every) + 1  # at most; the recorded epochs themselves are built later
    n_params = sum(int(np.prod(v.shape)) for v in jax.eval_shape(model.init, jax.random.PRNGKey(0)).values())
    itemsize = 8 if dtype == "float64" else 4
    check_memory(runs * (3 * n_records + checkpoints * n_params) * itemsize * 2,
                 "the sweep's histories and checkpoints (reduce record_every, epochs, seeds or checkpoints)")


def continuation(init: Start | None, model, lr: list, seeds: list, dtype: str, keep_state: bool):
    """The checked start arrays (or None) and the settings that fingerprint a continued sweep."""
    start = None if init is None else check_start(init, model, lr, seeds, dtype)
    extra = {}
    if start is not None:
        digest = hashlib.sha256()
        for name in sorted(start):  # independent of the order the arrays come in
            value = np.ascontiguousarray(start[name])
            digest.update(f"{name}:{value.dtype.str}:{value.shape}".encode() + value.tobytes())
        extra = {"init_digest": digest.hexdigest()[:16], "epoch_offset": int(init.epoch)}
    if keep_state:
        extra["keep_state"] = True
    return start, extra


def engine_settings(fused: bool) -> dict:
    """What a sweep records of its engine: nothing for the default (so that sweeps saved before the
    fused epoch existed still resume), ``fused=False`` when the XLA program was asked for."""
    return {} if fused else {"fused": False}


def plan_sweep(model, task: Task, *, sweep=None, chunk_size=None, seed: int = 0, init: Start | None = None,
               keep_state: bool = False, progress: bool | None = None, fused: bool = True, **arguments) -> SweepPlan:
    """Validate a sweep and lay out its chunks (``arguments`` as :func:`check_arguments` takes them)."""
    if not isinstance(fused, bool):
        raise ValueError(f"fused must be a bool, got {fused!r}")
    checked = check_arguments(model, task, keep_state=keep_state, **arguments)
    lr, seeds = checked["lr"], checked["seeds"]
    axes, combos = combinations(model, task, sweep)
    chunk_size = fitting_chunk_size(combos, lr, seeds, checked["dtype"], chunk_size)
    check_result_memory(model, len(combos) * len(lr) * len(seeds), checked["epochs"], checked["record_every"],
                        len(checked["checkpoints"]), checked["dtype"])
    start, extra = continuation(init, model, lr, seeds, checked["dtype"], keep_state)
    if init is not None and len(combos) > 1:  # every combination continues the same arrays: they must fit each
        for combo in combos[1:]:
            try:
                check_start(init, model_from_dict(combo["model"]), lr, seeds, checked["dtype"])
            except ValueError as exc:
                raise ValueError(f"init does not fit every combination of sweep={axes}: {exc}") from None
    seed = positive_int(seed, "seed", minimum=0, maximum=MAX_SEED)
    settings = settings_dict(**extra, **engine_settings(fused), **checked, axes=axes, combos=combos, seed=seed,
                             chunk_size=chunk_size, result_version=RESULT_VERSION)
    chunks = [{"combo": i, "lr": lr[j:j + chunk_size], "progress": bool(progress),
               **({} if start is None else {"init": {k: v[j:j + chunk_size] for k, v in start.items()}})}
              for i in range(len(combos)) for j in range(0, len(lr), chunk_size)]
    return SweepPlan(settings, chunks)
