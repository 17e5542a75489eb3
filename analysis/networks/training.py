"""Train many networks at once: every (learning rate, seed) network of a chunk in one compiled program.

The epoch loop is a ``lax.scan`` inside ``jax.jit`` over a block of epochs (a *segment*), and
each epoch is ``jax.vmap``-ed over the networks of the chunk, so no Python loop runs over
networks or epochs. Per-run statistics are accumulated on the fly over *every* epoch, not
only the recorded ones; the loss, gradient norm and accuracy are kept every
``record_every`` epochs.

Conventions (as in the reference code, Dinc et al., arXiv:2501.02378):

* full-batch training, one step per epoch; the loss at epoch k is computed from the parameters
  *before* the k-th update, and a checkpoint at epoch k holds those parameters (a checkpoint at
  ``epochs`` holds the final ones);
* the gradient norm is the L2 norm over all trained parameters;
* the same seed gives the same initial network, and the same per-epoch noise, at every
  learning rate (common random numbers); reruns reproduce bit for bit.

A run whose loss, gradient or parameters become non-finite is marked *diverged* from that
epoch on and frozen at its last finite parameters; its recorded loss is NaN afterwards. The
other runs of the chunk are unaffected (vmapped runs share no arithmetic).

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
epoch k of the largest single-epoch decrease L_{k-1} - L_k, ``plateau_length`` the epochs before
the loss first leaves ``plateau_tol`` (relative) of L0, ``epochs_to_learn`` the first epoch with a
loss at most ``loss_threshold`` L0 (NaN if never).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, fields
from functools import partial

import numpy as np

from reduced._validation import positive_int

from ..chunks import Store, check_memory, fingerprint, run_chunks, settings_dict
from ..optimizers import OPTIMIZERS, check_momentum, optimizer_spec  # noqa: F401 - OPTIMIZERS re-exported
from ..regimes import DESCENDING, DIVERGED, LEARNED, OSCILLATING, REGIMES, TRAPPED
from .continuation import Start, check_start
from .models import model_from_dict
from .tasks import Task, accuracy_score, make_task

RESULT_VERSION = 1
SEGMENT_EPOCHS = 2000  # epochs per compiled call: bounds memory and paces progress and checkpoints


@dataclass(frozen=True)
class NetworkCriteria:
    """Thresholds of the network regimes; see the module docstring."""

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


# --- the compiled segment ------------------------------------------------------------------------
def _optimizer(name: str, momentum: float, weight_decay: float):
    import optax

    def build(learning_rate):
        if name == "adam":
            base = optax.adam(learning_rate)
        else:
            base = optax.sgd(learning_rate, momentum=momentum if name == "momentum" else None)
        if weight_decay:
            base = optax.chain(optax.add_decayed_weights(weight_decay), base)
        return base

    return optax.inject_hyperparams(build)


def _loss_and_accuracy(model, rule: str, params, key, inputs, targets, mask, loss_scale):
    x0, noise = model.sample_start(key, inputs.shape[0], inputs.shape[1], inputs.dtype)
    _, outputs = model.simulate(params, inputs, x0, noise)
    loss = loss_scale * (mask * (outputs - targets) ** 2).sum()
    import jax.numpy as jnp

    return loss, accuracy_score(jnp, outputs, targets, rule)


def _tree_where(flags, new, old):
    import jax
    import jax.numpy as jnp

    def pick(n, o):
        return jnp.where(flags.reshape(flags.shape + (1,) * (n.ndim - 1)), n, o)

    return jax.tree_util.tree_map(pick, new, old)


def _all_finite(tree):
    import jax
    import jax.numpy as jnp

    leaves = [jnp.isfinite(leaf).reshape(leaf.shape[0], -1).all(axis=1) for leaf in jax.tree_util.tree_leaves(tree)]
    return jnp.stack(leaves).all(axis=0)


def _update_stats(s, epoch, loss, acc, gnorm, valid, c):
    """One epoch of the on-the-fly statistics (every entry has one value per run)."""
    import jax.numpy as jnp

    inf = jnp.inf
    first = epoch == 0
    L0 = jnp.where(first, loss, s["initial_loss"])
    in_window = epoch >= c["window_start"]
    head = in_window & (epoch < c["window_start"] + c["quarter"])
    tail = epoch >= c["epochs"] - c["quarter"]
    last_a = epoch >= c["epochs"] - c["ablation_window"]
    v_loss = jnp.where(valid, loss, jnp.nan)
    decrease = jnp.where(valid & ~first & jnp.isfinite(s["last_loss"]), s["last_loss"] - loss, -inf)
    better = decrease > s["drop_size"]
    left = valid & (jnp.abs(loss - L0) > c["plateau_tol"] * jnp.abs(L0))
    learned_now = valid & (loss <= c["loss_threshold"] * L0)

    def upd(name, cond, value):
        return jnp.where(cond, value, s[name])

    return {
        **s,  # statistics of optional monitors pass through
        "initial_loss": L0,
        "last_loss": upd("last_loss", valid, loss),
        "last_accuracy": upd("last_accuracy", valid, acc),
        "min_loss": jnp.fmin(s["min_loss"], v_loss),
        "max_grad": jnp.fmax(s["max_grad"], jnp.where(valid, gnorm, jnp.nan)),
        "max_accuracy": jnp.fmax(s["max_accuracy"], jnp.where(valid, acc, jnp.nan)),
        "drop_size": jnp.where(better, decrease, s["drop_size"]),
        "drop_epoch": jnp.where(better, epoch, s["drop_epoch"]),
        "plateau_length": jnp.where((s["plateau_length"] < 0) & left, epoch, s["plateau_length"]),
        "learn_epoch": jnp.where((s["learn_epoch"] < 0) & learned_now, epoch, s["learn_epoch"]),
        "window_max_loss": upd("window_max_loss", in_window & valid, jnp.fmax(s["window_max_loss"], loss)),
        "window_min_loss": upd("window_min_loss", in_window & valid, jnp.fmin(s["window_min_loss"], loss)),
        "window_max_grad": upd("window_max_grad", in_window & valid, jnp.fmax(s["window_max_grad"], gnorm)),
        "head_max": upd("head_max", head & valid, jnp.fmax(s["head_max"], loss)),
        "head_min": upd("head_min", head & valid, jnp.fmin(s["head_min"], loss)),
        "tail_max": upd("tail_max", tail & valid, jnp.fmax(s["tail_max"], loss)),
        "tail_min": upd("tail_min", tail & valid, jnp.fmin(s["tail_min"], loss)),
        "late_max_accuracy": upd("late_max_accuracy", last_a & valid, jnp.fmax(s["late_max_accuracy"], acc)),
        "diverged": s["diverged"],
        "diverged_epoch": s["diverged_epoch"],
    }


_STAT_INIT = {  # (fill value, dtype kind)
    "initial_loss": (np.nan, "f"), "last_loss": (np.nan, "f"), "last_accuracy": (np.nan, "f"),
    "min_loss": (np.inf, "f"), "max_grad": (-np.inf, "f"), "max_accuracy": (-np.inf, "f"),
    "drop_size": (-np.inf, "f"), "drop_epoch": (-1, "i"), "plateau_length": (-1, "i"), "learn_epoch": (-1, "i"),
    "window_max_loss": (-np.inf, "f"), "window_min_loss": (np.inf, "f"), "window_max_grad": (-np.inf, "f"),
    "head_max": (-np.inf, "f"), "head_min": (np.inf, "f"), "tail_max": (-np.inf, "f"), "tail_min": (np.inf, "f"),
    "late_max_accuracy": (-np.inf, "f"), "diverged": (0, "b"), "diverged_epoch": (-1, "i"),
}


def _initial_stats(runs: int, dtype):
    import jax.numpy as jnp

    kinds = {"f": dtype, "i": jnp.int32, "b": jnp.bool_}
    return {k: jnp.full((runs,), v, kinds[kind]) for k, (v, kind) in _STAT_INIT.items()}


FIXED_POINT_GRID = (-15.0, 15.0, 1000)  # the reference's grid for counting latent fixed points
MONITORS = ("fixed_points",)


def count_fixed_points(model, params, grid=FIXED_POINT_GRID):
    """Fixed points of a rank-one latent flow: sign changes of F on a grid (the reference's count).

    JAX-traceable; ``params`` of one network.
    """
    import jax
    import jax.numpy as jnp

    kappa = jnp.linspace(*grid, dtype=params["b"].dtype)[:, None]
    F = jax.vmap(model.flow(params))(kappa)[:, 0]
    positive = F > 0
    return jnp.sum(positive[1:] != positive[:-1])


def _segment_impl(model, rule, opt_cfg, monitor, params, opt_state, stats, ckpt, keys, epochs_xs, offset, slots,
                  inputs, targets, mask, loss_scale, consts):
    import jax
    import jax.numpy as jnp
    import optax

    opt = _optimizer(*opt_cfg)(learning_rate=0.0)  # the rates live in each run's optimiser state
    loss_fn = partial(_loss_and_accuracy, model, rule)

    def one_run(p, state, key, epoch):
        (loss, acc), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            p, jax.random.fold_in(key, epoch), inputs, targets, mask, loss_scale)
        updates, new_state = opt.update(grads, state, p)
        new_p = model.project(optax.apply_updates(p, updates))
        return loss, acc, optax.tree.norm(grads), new_p, new_state

    batched = jax.vmap(one_run, in_axes=(0, 0, 0, None))

    def body(carry, xs):
        p, state, s, ck = carry
        epoch, slot = xs
        loss, acc, gnorm, new_p, new_state = batched(p, state, keys, epoch + offset)
        valid = ~s["diverged"] & jnp.isfinite(loss) & jnp.isfinite(gnorm)
        healthy = valid & _all_finite(new_p)
        if ck is not None:
            ck = jax.lax.cond(slot >= 0, lambda c: jax.tree_util.tree_map(
                lambda buf, leaf: jax.lax.dynamic_update_index_in_dim(buf, leaf, slot, 0), c, p), lambda c: c, ck)
        s = _update_stats(s, epoch, loss, acc, gnorm, valid, consts)
        newly = ~s["diverged"] & ~healthy
        s["diverged_epoch"] = jnp.where(newly, epoch, s["diverged_epoch"])
        s["diverged"] = s["diverged"] | ~healthy
        p = _tree_where(healthy, new_p, p)
        state = _tree_where(healthy, new_state, state)
        nan = jnp.asarray(jnp.nan, loss.dtype)
        columns = [jnp.where(valid, loss, nan), jnp.where(valid, gnorm, nan), jnp.where(valid, acc, nan)]
        if monitor == "fixed_points":  # of the network whose loss this epoch records
            count = jax.vmap(partial(count_fixed_points, model))(p).astype(loss.dtype)
            s["max_fixed_points"] = jnp.where(valid, jnp.maximum(s["max_fixed_points"], count), s["max_fixed_points"])
            columns.append(jnp.where(valid, count, nan))
        record = jnp.stack(columns)
        return (p, state, s, ck), record

    carry, records = jax.lax.scan(body, (params, opt_state, stats, ckpt), (epochs_xs, slots))
    return carry, records


_SEGMENT_CACHE: dict = {}


def _segment(model, rule, opt_cfg, monitor=None):
    """The jitted segment for one (model, accuracy rule, optimiser, monitor): compiled once per shape."""
    key = (model, rule, opt_cfg, monitor)
    if key not in _SEGMENT_CACHE:
        import jax

        _SEGMENT_CACHE[key] = jax.jit(partial(_segment_impl, model, rule, opt_cfg, monitor),
                                      donate_argnums=(0, 1, 2, 3))
    return _SEGMENT_CACHE[key]


# --- one chunk -----------------------------------------------------------------------------------
def _init_runs(model, seeds, base_seed: int, lr, opt_cfg, dtype, init=None):
    """Parameters, optimiser states and per-epoch keys of every (lr, seed) run, lr-major.

    ``init`` (optional) holds starting parameters ``param_<name>`` and optimiser-state leaves
    ``state_<k>``, each of shape (len(lr), len(seeds), ...), in place of a fresh start.
    """
    import jax
    import jax.numpy as jnp

    seed_keys = jax.vmap(lambda s: jax.random.fold_in(jax.random.PRNGKey(base_seed), s))(jnp.asarray(seeds))
    init_keys, train_keys = jax.vmap(lambda k: jax.random.split(k))(seed_keys).transpose(1, 0, 2)
    params = jax.vmap(lambda k: model.init(k, dtype))(init_keys)
    n_lr, n_seed = len(lr), len(seeds)
    tile = partial(jax.tree_util.tree_map, lambda x: jnp.broadcast_to(x[None], (n_lr, *x.shape)).reshape(
        n_lr * n_seed, *x.shape[1:]))
    params, keys = tile(params), tile(train_keys)
    lr_runs = jnp.repeat(jnp.asarray(lr, dtype), n_seed)
    if init:
        def runs_first(value):
            value = jnp.asarray(value, dtype if np.issubdtype(np.asarray(value).dtype, np.floating) else None)
            return value.reshape(n_lr * n_seed, *value.shape[2:])

        params = jax.vmap(model.project)({name: runs_first(init[f"param_{name}"]) for name in params})
    factory = _optimizer(*opt_cfg)
    opt_state = jax.vmap(lambda p, rate: factory(learning_rate=rate).init(p))(params, lr_runs)
    if init and any(k.startswith("state_") for k in init):
        # Continue the optimiser where it stopped (Adam's moments and step count); the learning
        # rate stays this sweep's own.
        inner = jax.tree_util.tree_structure(opt_state.inner_state)
        leaves = [runs_first(init[f"state_{k}"]) for k in range(inner.num_leaves)]
        opt_state = opt_state._replace(inner_state=jax.tree_util.tree_unflatten(inner, leaves),
                                       count=runs_first(init["state_count"]))
    return params, opt_state, keys


def _train_chunk(settings: dict, chunk: dict) -> dict:
    """Train every (lr, seed) network of one chunk (module level, so that executors can pickle it)."""
    import jax
    import jax.numpy as jnp

    model = model_from_dict(settings["combos"][chunk["combo"]]["model"])
    task = make_task(**settings["combos"][chunk["combo"]]["task"])
    dtype = jnp.float64 if settings["dtype"] == "float64" else jnp.float32
    with jax.enable_x64(settings["dtype"] == "float64"):
        return _train(model, task, settings, chunk["lr"], dtype, chunk.get("progress"), chunk.get("init"))


def _train(model, task: Task, settings: dict, lr: list, dtype, progress, init=None) -> dict:
    import jax
    import jax.numpy as jnp
    from tqdm.auto import tqdm

    epochs, seeds = settings["epochs"], settings["seeds"]
    opt_cfg = (settings["optimizer"], settings["momentum"], settings["weight_decay"])
    crit = NetworkCriteria(**settings["criteria"])
    window = max(1, int(round(crit.window_fraction * epochs)))
    consts = {
        "epochs": epochs, "window_start": epochs - window, "quarter": max(1, window // 4),
        "ablation_window": crit.ablation_window, "plateau_tol": crit.plateau_tol,
        "loss_threshold": crit.loss_threshold,
    }
    consts = {k: jnp.asarray(v, dtype if isinstance(v, float) else jnp.int32) for k, v in consts.items()}
    params, opt_state, keys = _init_runs(model, seeds, settings["seed"], lr, opt_cfg, dtype, init)
    offset = settings.get("epoch_offset", 0)
    runs = len(lr) * len(seeds)
    stats = _initial_stats(runs, dtype)
    monitor = settings.get("monitor")
    if monitor == "fixed_points":
        stats["max_fixed_points"] = jnp.zeros(runs, dtype)
    ckpt_epochs = np.asarray(settings["checkpoints"], dtype=int)
    ckpt = (jax.tree_util.tree_map(lambda x: jnp.zeros((ckpt_epochs.size, *x.shape), x.dtype), params)
            if ckpt_epochs.size else None)
    arrays = [jnp.asarray(a, dtype) for a in (task.inputs, task.targets, task.mask)]
    segment = _segment(model, task.accuracy_rule, opt_cfg, monitor)
    recorded = _record_epochs(epochs, settings["record_every"])
    records = []
    slot_of = {int(e): i for i, e in enumerate(ckpt_epochs)}
    for start in tqdm(range(0, epochs, SEGMENT_EPOCHS), desc="epochs", unit="segment", leave=False,
                      disable=not progress):
        stop = min(epochs, start + SEGMENT_EPOCHS)
        epoch_xs = np.arange(start, stop, dtype=np.int32)
        slots = np.array([slot_of.get(int(e), -1) for e in epoch_xs], dtype=np.int32)
        (params, opt_state, stats, ckpt), rec = segment(
            params, opt_state, stats, ckpt, keys, jnp.asarray(epoch_xs), jnp.asarray(offset, jnp.int32),
            jnp.asarray(slots), *arrays, jnp.asarray(task.loss_scale, dtype), consts)
        keep = recorded[(recorded >= start) & (recorded < stop)] - start
        records.append(np.asarray(rec)[keep])
    if ckpt is not None and epochs in slot_of:  # the final parameters, after the last update
        ckpt = jax.tree_util.tree_map(
            lambda buf, leaf: buf.at[slot_of[epochs]].set(leaf), ckpt, params)
    history = np.concatenate(records, axis=0)  # (records, 3, runs)
    shape = (len(lr), len(seeds))
    names = ("loss", "grad_norm", "accuracy", "fixed_points")[:history.shape[1]]
    out = {f"history_{name}": history[:, i].T.reshape(*shape, -1) for i, name in enumerate(names)}
    out.update({f"stat_{k}": np.asarray(v).reshape(shape) for k, v in stats.items()})
    if ckpt is not None:
        for name, buf in ckpt.items():
            buf = np.asarray(buf)  # (checkpoints, runs, ...)
            out[f"param_{name}"] = np.moveaxis(buf, 0, 1).reshape(*shape, *buf.shape[:1], *buf.shape[2:])
    if settings.get("keep_state"):  # the final optimiser state, to continue training later
        leaves = jax.tree_util.tree_leaves(opt_state.inner_state)
        for k, leaf in enumerate(leaves):
            out[f"state_{k}"] = np.asarray(leaf).reshape(*shape, *np.shape(leaf)[1:])
        out["state_count"] = np.asarray(opt_state.count).reshape(shape)
    return out


def _record_epochs(epochs: int, record_every: int) -> np.ndarray:
    return np.unique(np.r_[np.arange(0, epochs, record_every), epochs - 1])


def swept_axes(ds) -> list[str]:
    """The further swept axes of a :func:`train_sweep` result (those besides lr, seed and epoch)."""
    return [d for d in ds.regime.dims if d not in ("lr", "seed")]


# --- classification ------------------------------------------------------------------------------
def classify_runs(stats: Mapping[str, np.ndarray], criteria: NetworkCriteria | None = None) -> dict:
    """Regime codes and the reference's criteria from the on-the-fly statistics of a sweep."""
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


# --- the public sweep ----------------------------------------------------------------------------
def _positive_list(value, name: str) -> list[float]:
    arr = np.atleast_1d(np.asarray(value, dtype=object))
    try:
        out = np.asarray([float(v) for v in arr.ravel()]) if all(
            not isinstance(v, bool | str) for v in arr.ravel()) else None
    except (TypeError, ValueError):
        out = None
    if out is None or out.size == 0 or arr.ndim != 1 or not np.all(np.isfinite(out)) or np.any(out <= 0):
        raise ValueError(f"{name} must be a non-empty 1-D sequence of positive finite numbers, got {value!r}")
    return out.tolist()


def _seed_list(seeds) -> list[int]:
    if isinstance(seeds, int | np.integer) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds must be a count >= 1 or a sequence of seeds >= 0, got {seeds}")
        return list(range(int(seeds)))
    values = list(np.atleast_1d(np.asarray(seeds, dtype=object)).ravel())
    if not values or any(isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 0 for v in values):
        raise ValueError(f"seeds must be a count >= 1 or a non-empty sequence of integers >= 0, got {seeds!r}")
    if len(set(values)) != len(values):
        raise ValueError("seeds must not repeat")
    return [int(v) for v in values]


def train_sweep(
    model,
    task: Task,
    *,
    lr,
    seeds=10,
    epochs: int,
    optimizer: str = "sgd",
    momentum: float = 0.9,
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
):
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
    record_every : int, optional
        Keep loss, gradient norm and accuracy every this many epochs (and at the last epoch).
        Default: about 1000 records per run.
    checkpoints : sequence of int
        Epochs in [0, epochs] at which to keep the parameters (see the module docstring).
    sweep : mapping, optional
        Further swept axes, e.g. ``{"gain": [1, 10]}`` or ``{"rank": [1, 2]}`` (any model setting)
        or ``{"delay": [10, 20]}`` (the task's delay). Each combination is trained as its own set
        of chunks.
    monitor : {"fixed_points"} or None
        Also count, at every epoch, the fixed points of a rank-one network's latent flow (sign
        changes of dkappa/dt on 1000 points of [-15, 15], the reference's count) without storing
        the flows: recorded as ``fixed_points`` every ``record_every`` epochs, and its maximum over
        all epochs as ``max_fixed_points``. Costs about as much again as the training.
    criteria : NetworkCriteria, optional
        Thresholds of the regimes.
    dtype : {"float32", "float64"}
        float32 as in the reference; float64 for checks.
    chunk_size : int, optional
        Learning rates per chunk (default: all of them in one compiled program).
    out : path, optional
        NetCDF file: chunks are saved as they finish and an interrupted sweep resumes
        (:mod:`analysis.chunks`).
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
    import jax
    import xarray as xr

    if not hasattr(model, "to_dict") or not hasattr(model, "simulate"):
        raise ValueError(f"model must be a DelayedActivationRNN or TaskRNN, got {type(model).__name__}")
    if not isinstance(task, Task):
        raise ValueError(f"task must be a Task (delayed_activation, cue_discrimination, ...), "
                         f"got {type(task).__name__}")
    lr = _positive_list(lr, "lr")
    seeds = _seed_list(seeds)
    epochs = positive_int(epochs, "epochs")
    optimizer_spec(optimizer)
    if check_momentum(momentum).ndim:
        raise ValueError(f"momentum must be a single number in [0, 1), got {momentum!r}")
    if isinstance(weight_decay, bool) or not np.isfinite(weight_decay) or weight_decay < 0:
        raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay!r}")
    record_every = positive_int(record_every, "record_every") if record_every is not None else max(1, epochs // 1000)
    ckpts = sorted({positive_int(e, "checkpoints", minimum=0) for e in checkpoints})
    if ckpts and ckpts[-1] > epochs:
        raise ValueError(f"checkpoints must lie in [0, epochs={epochs}], got {ckpts[-1]}")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
    if monitor is not None and monitor not in MONITORS:
        raise ValueError(f"monitor must be one of {MONITORS} or None, got {monitor!r}")
    if monitor == "fixed_points" and getattr(model, "rank", None) != 1:
        raise ValueError("monitor='fixed_points' needs a rank-one network (a 1-D latent flow)")
    criteria = criteria or NetworkCriteria()
    if not isinstance(criteria, NetworkCriteria):
        raise ValueError("criteria must be a NetworkCriteria")
    sweep = dict(sweep or {})
    axes = {}
    for name, values in sweep.items():
        values = list(np.atleast_1d(np.asarray(values, dtype=object)).ravel())
        if not values:
            raise ValueError(f"sweep[{name!r}] must not be empty")
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
        n_out = getattr(m, "n_out", 1)  # the delayed-activation family has one output
        if t.n_out != n_out:
            raise ValueError(f"task has {t.n_out} output channels but model.n_out = {n_out}")
        combos.append({"model": m.to_dict(), "task": t.to_dict()})
    chunk_size = positive_int(chunk_size, "chunk_size") if chunk_size is not None else len(lr)
    n_records = -(-epochs // record_every) + 1  # at most; the recorded epochs themselves are built later
    n_params = sum(int(np.prod(v.shape)) for v in jax.eval_shape(model.init, jax.random.PRNGKey(0)).values())
    itemsize = 8 if dtype == "float64" else 4
    check_memory(len(combos) * len(lr) * len(seeds) * (3 * n_records + len(ckpts) * n_params) * itemsize * 2,
                 "the sweep's histories and checkpoints (reduce record_every, epochs, seeds or checkpoints)")

    if not isinstance(keep_state, bool):
        raise ValueError(f"keep_state must be a bool, got {keep_state!r}")
    start = None if init is None else check_start(init, model, lr, seeds, dtype)
    continuation = {}
    if start is not None:
        digest = hashlib.sha256()
        for name in sorted(start):  # independent of the order the arrays come in
            value = np.ascontiguousarray(start[name])
            digest.update(f"{name}:{value.dtype.str}:{value.shape}".encode() + value.tobytes())
        digest = digest.hexdigest()
        continuation = {"init_digest": digest[:16], "epoch_offset": int(init.epoch)}
    if keep_state:
        continuation["keep_state"] = True
    settings = settings_dict(
        **continuation,
        lr=lr, seeds=seeds, epochs=epochs, optimizer=optimizer, momentum=float(momentum),
        weight_decay=float(weight_decay), record_every=record_every, checkpoints=ckpts, axes=axes,
        combos=combos, monitor=monitor, criteria=criteria, dtype=dtype, seed=int(seed), chunk_size=chunk_size,
        result_version=RESULT_VERSION,
    )
    store = Store(out, settings) if out is not None else None
    if store is not None and (done := store.finished()) is not None:
        return done
    show = progress if progress is not None else None
    chunks = [{"combo": i, "lr": lr[j:j + chunk_size], "progress": bool(show),
               **({} if start is None else {"init": {k: v[j:j + chunk_size] for k, v in start.items()}})}
              for i in range(len(combos)) for j in range(0, len(lr), chunk_size)]
    results = run_chunks(_train_chunk, settings, chunks, store=store, executor=executor, progress=progress,
                         desc="train sweep")
    ds = _to_dataset(settings, chunks, results, model, xr)
    if store is not None:
        store.finish(ds)
    return ds


def _to_dataset(settings: dict, chunks: list, results: list[dict], model, xr):
    import jax

    axes = settings["axes"]
    axis_shape = tuple(len(v) for v in axes.values())
    per_combo: dict[int, list[dict]] = {}
    for chunk, result in zip(chunks, results, strict=True):
        per_combo.setdefault(chunk["combo"], []).append(result)
    merged = {}
    for key in results[0]:
        stacked = [np.concatenate([r[key] for r in per_combo[i]], axis=0) for i in range(len(per_combo))]
        if all(s.shape == stacked[0].shape for s in stacked):
            merged[key] = np.stack(stacked).reshape(*axis_shape, *stacked[0].shape)
    stats = {k[5:]: v for k, v in merged.items() if k.startswith("stat_")}
    labels = classify_runs(stats, NetworkCriteria(**settings["criteria"]))
    dims = (*axes, "lr", "seed")
    epochs_rec = _record_epochs(settings["epochs"], settings["record_every"])

    def epoch_or_nan(values):
        return np.where(values >= 0, values, np.nan).astype(float)

    data = {
        "loss": ((*dims, "epoch"), merged["history_loss"]),
        "grad_norm": ((*dims, "epoch"), merged["history_grad_norm"]),
        "accuracy": ((*dims, "epoch"), merged["history_accuracy"]),
        **({"fixed_points": ((*dims, "epoch"), merged["history_fixed_points"]),
            "max_fixed_points": (dims, stats["max_fixed_points"])} if "history_fixed_points" in merged else {}),
        "initial_loss": (dims, stats["initial_loss"]),
        "final_loss": (dims, np.where(stats["diverged"], np.nan, stats["last_loss"])),
        "min_loss": (dims, stats["min_loss"]),
        "final_accuracy": (dims, stats["last_accuracy"]),
        "max_accuracy": (dims, stats["max_accuracy"]),
        "plateau_length": (dims, np.where(stats["plateau_length"] >= 0, stats["plateau_length"],
                                          settings["epochs"]).astype(float)),
        "drop_epoch": (dims, epoch_or_nan(stats["drop_epoch"])),
        "drop_size": (dims, np.where(stats["drop_epoch"] >= 0, stats["drop_size"], np.nan)),
        "epochs_to_learn": (dims, epoch_or_nan(stats["learn_epoch"])),
        "diverged_epoch": (dims, stats["diverged_epoch"].astype(np.int32)),
        "regime": (dims, labels["regime"]),
        "learned_reference": (dims, labels["learned_reference"].astype(np.int8)),
        "trapped_reference": (dims, labels["trapped_reference"].astype(np.int8)),
    }
    param_dims = model.param_dims()
    for key, value in merged.items():
        if key.startswith("param_"):
            name = key[6:]
            extra = tuple(f"{d}_{name}" if d is not None else f"dim{i}_{name}"
                          for i, d in enumerate(param_dims.get(name, ())))
            if len(extra) != value.ndim - len(dims) - 1:
                extra = tuple(f"dim{i}_{name}" for i in range(value.ndim - len(dims) - 1))
            data[key] = ((*dims, "checkpoint", *extra), value)
        elif key.startswith("state_"):
            data[key] = ((*dims, *(f"dim{i}_{key}" for i in range(value.ndim - len(dims)))), value)
    coords = {**{k: list(v) for k, v in axes.items()}, "lr": settings["lr"], "seed": settings["seeds"],
              "epoch": epochs_rec, "checkpoint": np.asarray(settings["checkpoints"], dtype=np.int32)}
    device = jax.devices()[0]
    attrs = {
        "settings": json.dumps(settings, sort_keys=True),
        "fingerprint": fingerprint(settings),
        "regime_names": ",".join(REGIMES),
        "model": json.dumps(settings["combos"][0]["model"]),
        "task": json.dumps(settings["combos"][0]["task"]),
        "optimizer": settings["optimizer"],
        "epochs": settings["epochs"],
        "dtype": settings["dtype"],
        "device": f"{device.platform}:{device.device_kind}",
        "jax_version": jax.__version__,
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)
