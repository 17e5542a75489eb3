"""One chunk of a sweep: the (learning rate, seed) networks of one combination, trained segment by segment.

:func:`train_chunk` is what the sweep's executor runs (module level, so that process pools and
dask can pickle it); it returns plain numpy arrays: the recorded histories, the on-the-fly
statistics, the checkpoints and, with ``keep_state``, the final optimiser state.
"""

from __future__ import annotations

import os
import time
import zipfile
from functools import partial
from pathlib import Path

import numpy as np

from ...store import fingerprint, progress_bar
from ..models import model_from_dict
from ..tasks import Task, make_task
from .criteria import NetworkCriteria
from .monitor import MONITOR_COLUMNS
from .segment import SEGMENT_EPOCHS, compiled_segment, initial_stats, make_optimizer


def init_runs(model, seeds, base_seed: int, lr, opt_cfg, dtype, init=None):
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
    factory = make_optimizer(*opt_cfg)
    opt_state = jax.vmap(lambda p, rate: factory(learning_rate=rate).init(p))(params, lr_runs)
    if init and any(k.startswith("state_") for k in init):
        # Continue the optimiser where it stopped (Adam's moments and step count); the learning
        # rate stays this sweep's own.
        inner = jax.tree_util.tree_structure(opt_state.inner_state)
        leaves = [runs_first(init[f"state_{k}"]) for k in range(inner.num_leaves)]
        opt_state = opt_state._replace(inner_state=jax.tree_util.tree_unflatten(inner, leaves),
                                       count=runs_first(init["state_count"]))
    return params, opt_state, keys


SAVE_EVERY = 60.0  # seconds: a chunk saves its progress this often, so an interruption loses at most about this


def train_chunk(settings: dict, chunk: dict) -> dict:
    """Train every (lr, seed) network of one chunk (module level, so that executors can pickle it).

    With ``chunk["resume_file"]`` (a sweep saved to ``out=``), the chunk's whole state is saved
    there between segments about every :data:`SAVE_EVERY` seconds, and a rerun continues from it:
    the segments that follow are the same computation, so the result is the same bit for bit.
    """
    import jax
    import jax.numpy as jnp

    model = model_from_dict(settings["combos"][chunk["combo"]]["model"])
    task = make_task(**settings["combos"][chunk["combo"]]["task"])
    dtype = jnp.float64 if settings["dtype"] == "float64" else jnp.float32
    with jax.enable_x64(settings["dtype"] == "float64"):
        return _train(model, task, settings, chunk, dtype)


def _train(model, task: Task, settings: dict, chunk: dict, dtype) -> dict:
    import jax
    import jax.numpy as jnp
    lr, epochs, seeds = chunk["lr"], settings["epochs"], settings["seeds"]
    opt_cfg = (settings["optimizer"], settings["momentum"], settings["weight_decay"])
    consts = _constants(settings, dtype)
    params, opt_state, keys = init_runs(model, seeds, settings["seed"], lr, opt_cfg, dtype, chunk.get("init"))
    offset = settings.get("epoch_offset", 0)
    runs = len(lr) * len(seeds)
    stats = initial_stats(runs, dtype)
    monitor = settings.get("monitor")
    if monitor == "fixed_points":
        stats["max_fixed_points"] = jnp.zeros(runs, dtype)
    if monitor == "recurrent_norms":  # the loss over every epoch, for its time average
        stats["loss_sum"], stats["loss_count"] = jnp.zeros(runs, dtype), jnp.zeros(runs, jnp.int32)
    ckpt_epochs = np.asarray(settings["checkpoints"], dtype=int)
    ckpt = (jax.tree_util.tree_map(lambda x: jnp.zeros((ckpt_epochs.size, *x.shape), x.dtype), params)
            if ckpt_epochs.size else None)
    arrays = [jnp.asarray(a, dtype) for a in (task.inputs, task.targets, task.mask)]
    segment = compiled_segment(model, task.accuracy_rule, opt_cfg, monitor, settings.get("fused", True))
    recorded = record_epochs(epochs, settings["record_every"])
    slot_of = {int(e): i for i, e in enumerate(ckpt_epochs)}
    progress_file = chunk.get("resume_file")
    first, records, state = 0, [], (params, opt_state, stats, ckpt)
    saved = _load_progress(progress_file, settings, lr, state)
    if saved is not None:
        first, records, state = saved
    params, opt_state, stats, ckpt = state
    last_save = time.monotonic()
    starts = range(first, epochs, SEGMENT_EPOCHS)
    for start in progress_bar(not chunk.get("progress"), starts, desc="epochs", unit="segment", leave=False):
        stop = min(epochs, start + SEGMENT_EPOCHS)
        epoch_xs = np.arange(start, stop, dtype=np.int32)
        slots = np.array([slot_of.get(int(e), -1) for e in epoch_xs], dtype=np.int32)
        (params, opt_state, stats, ckpt), rec = segment(
            params, opt_state, stats, ckpt, keys, jnp.asarray(epoch_xs), jnp.asarray(offset, jnp.int32),
            jnp.asarray(slots), *arrays, jnp.asarray(task.loss_scale, dtype), consts)
        keep = recorded[(recorded >= start) & (recorded < stop)] - start
        records.append(np.asarray(rec)[keep])
        if progress_file and stop < epochs and time.monotonic() - last_save >= SAVE_EVERY:
            _save_progress(progress_file, settings, lr, stop, records, (params, opt_state, stats, ckpt))
            last_save = time.monotonic()
    return _chunk_result(settings, lr, epochs, slot_of, records, params, opt_state, stats, ckpt)


def _constants(settings: dict, dtype) -> dict:
    import jax.numpy as jnp

    epochs = settings["epochs"]
    crit = NetworkCriteria(**settings["criteria"])
    window = max(1, int(round(crit.window_fraction * epochs)))
    consts = {
        "epochs": epochs, "window_start": epochs - window, "quarter": max(1, window // 4),
        "ablation_window": crit.ablation_window, "plateau_tol": crit.plateau_tol,
        "loss_threshold": crit.loss_threshold,
    }
    return {k: jnp.asarray(v, dtype if isinstance(v, float) else jnp.int32) for k, v in consts.items()}


def _chunk_result(settings, lr, epochs, slot_of, records, params, opt_state, stats, ckpt) -> dict:
    import jax

    seeds = settings["seeds"]
    if ckpt is not None and epochs in slot_of:  # the final parameters, after the last update
        ckpt = jax.tree_util.tree_map(
            lambda buf, leaf: buf.at[slot_of[epochs]].set(leaf), ckpt, params)
    history = np.concatenate(records, axis=0)  # (records, 3, runs)
    shape = (len(lr), len(seeds))
    names = ("loss", "grad_norm", "accuracy", *MONITOR_COLUMNS[settings.get("monitor")])
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


def _progress_key(settings: dict, lr: list) -> str:
    return fingerprint({"settings": settings, "lr": list(lr)})


def _save_progress(path: str, settings: dict, lr: list, next_epoch: int, records: list, state) -> None:
    """The chunk's whole state after a segment, written atomically; best effort (an executor elsewhere
    may not see the store's folder)."""
    import jax

    leaves = jax.tree_util.tree_leaves(state)
    arrays = {f"leaf_{k}": np.asarray(v) for k, v in enumerate(leaves)}
    arrays["records"] = np.concatenate(records, axis=0)
    arrays["next_epoch"] = np.asarray(next_epoch)
    arrays["key"] = np.asarray(_progress_key(settings, lr))
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, target)
    except OSError:
        pass


def _load_progress(path: str | None, settings: dict, lr: list, template):
    """(next epoch, records, state) saved by an interrupted run of this chunk, or None."""
    import jax
    import jax.numpy as jnp

    if not path or not Path(path).exists():
        return None
    try:
        with np.load(path) as saved:
            if str(saved["key"]) != _progress_key(settings, lr):
                return None  # another sweep's progress: not this chunk's
            treedef = jax.tree_util.tree_structure(template)
            count = treedef.num_leaves
            leaves = [jnp.asarray(saved[f"leaf_{k}"]) for k in range(count)]
            return int(saved["next_epoch"]), [saved["records"]], jax.tree_util.tree_unflatten(treedef, leaves)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # unreadable progress is recomputed, never trusted


def record_epochs(epochs: int, record_every: int) -> np.ndarray:
    return np.unique(np.r_[np.arange(0, epochs, record_every), epochs - 1])
