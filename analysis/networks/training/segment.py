"""The compiled segment: a block of epochs of every network of a chunk in one jitted ``lax.scan``.

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
"""

from __future__ import annotations

from functools import partial

import numpy as np

from ..tasks import accuracy_score
from .monitor import count_fixed_points

SEGMENT_EPOCHS = 2000  # epochs per compiled call: bounds memory and paces progress and checkpoints


def make_optimizer(name: str, momentum: float, weight_decay: float):
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


def loss_and_accuracy(model, rule: str, params, key, inputs, targets, mask, loss_scale):
    """The task loss of one network on the whole batch and its accuracy (JAX-traceable)."""
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


STAT_INIT = {  # (fill value, dtype kind)
    "initial_loss": (np.nan, "f"), "last_loss": (np.nan, "f"), "last_accuracy": (np.nan, "f"),
    "min_loss": (np.inf, "f"), "max_grad": (-np.inf, "f"), "max_accuracy": (-np.inf, "f"),
    "drop_size": (-np.inf, "f"), "drop_epoch": (-1, "i"), "plateau_length": (-1, "i"), "learn_epoch": (-1, "i"),
    "window_max_loss": (-np.inf, "f"), "window_min_loss": (np.inf, "f"), "window_max_grad": (-np.inf, "f"),
    "head_max": (-np.inf, "f"), "head_min": (np.inf, "f"), "tail_max": (-np.inf, "f"), "tail_min": (np.inf, "f"),
    "late_max_accuracy": (-np.inf, "f"), "diverged": (0, "b"), "diverged_epoch": (-1, "i"),
}


def initial_stats(runs: int, dtype):
    import jax.numpy as jnp

    kinds = {"f": dtype, "i": jnp.int32, "b": jnp.bool_}
    return {k: jnp.full((runs,), v, kinds[kind]) for k, (v, kind) in STAT_INIT.items()}


def _segment_impl(model, rule, opt_cfg, monitor, fused, params, opt_state, stats, ckpt, keys, epochs_xs, offset, slots,
                  inputs, targets, mask, loss_scale, consts):
    import jax
    import jax.numpy as jnp
    import optax

    opt = make_optimizer(*opt_cfg)(learning_rate=0.0)  # the rates live in each run's optimiser state
    loss_fn = partial(loss_and_accuracy, model, rule)
    fused_epoch = model.fused_loss_and_grad() if fused and hasattr(model, "fused_loss_and_grad") else None

    def one_run(p, state, key, epoch):
        if fused_epoch is None:
            (loss, acc), grads = jax.value_and_grad(loss_fn, has_aux=True)(
                p, jax.random.fold_in(key, epoch), inputs, targets, mask, loss_scale)
        else:  # a deterministic network: no key is drawn from
            (loss, outputs), grads = fused_epoch(p, targets, mask, loss_scale)
            acc = accuracy_score(jnp, outputs, targets, rule)
        updates, new_state = opt.update(grads, state, p)
        new_p = model.project(optax.apply_updates(p, updates))
        # the monitor's norms are traced only when asked for: without it the compiled step is unchanged
        extra = (jnp.linalg.norm(grads["W"]), jnp.linalg.norm(p["W"])) if monitor == "recurrent_norms" else ()
        return loss, acc, optax.tree.norm(grads), new_p, new_state, extra

    batched = jax.vmap(one_run, in_axes=(0, 0, 0, None))

    def body(carry, xs):
        p, state, s, ck = carry
        epoch, slot = xs
        loss, acc, gnorm, new_p, new_state, extra = batched(p, state, keys, epoch + offset)
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
        if monitor == "recurrent_norms":  # of the network whose loss this epoch records, as the loss
            columns.extend(jnp.where(valid, value, nan) for value in extra)
            s["loss_sum"] = s["loss_sum"] + jnp.where(valid, loss, 0)
            s["loss_count"] = s["loss_count"] + valid.astype(s["loss_count"].dtype)
        record = jnp.stack(columns)
        return (p, state, s, ck), record

    carry, records = jax.lax.scan(body, (params, opt_state, stats, ckpt), (epochs_xs, slots))
    return carry, records


_SEGMENT_CACHE: dict = {}


def compiled_segment(model, rule, opt_cfg, monitor=None, fused=True):
    """The jitted segment for one (model, accuracy rule, optimiser, monitor, engine): compiled once per shape.

    With ``fused``, a model whose ``fused_loss_and_grad()`` gives a function computes each epoch's
    loss, outputs and gradients with it instead of autodiff of its rollout.
    """
    key = (model, rule, opt_cfg, monitor, fused)
    if key not in _SEGMENT_CACHE:
        import jax

        _SEGMENT_CACHE[key] = jax.jit(partial(_segment_impl, model, rule, opt_cfg, monitor, fused),
                                      donate_argnums=(0, 1, 2, 3))
    return _SEGMENT_CACHE[key]
