"""Slow points of trained networks at their checkpoints, as a labelled Dataset.

For a low-rank network the search runs in the exact K-dimensional latent flow
dkappa/dt = -kappa + n^T tanh(m kappa + b); for a full-rank one in the N-dimensional state flow
dx/dt = -x + tanh(W^T x + b). It starts from every state that the task's trials visit (one
forward pass of every trial, float64), as the paper does, and classifies each point with
:func:`analysis.ghosts.find_slow_points` (fixed point, ghost with its normal form, or slow point).
"""

from __future__ import annotations

import json

import numpy as np

from ..ghosts import find_slow_points
from .models import model_from_dict
from .tasks import make_task
from .training import checkpoint_params, combination, parameter_names, swept_axes


def trial_states(model, params: dict, task, seed: int = 0) -> np.ndarray:
    """States (steps + 1, trials, N) of every trial of ``task``, one forward pass in float64."""
    import jax
    import jax.numpy as jnp

    with jax.enable_x64(True):
        p = {k: jnp.asarray(v, jnp.float64) for k, v in params.items()}
        x0, noise = model.sample_start(jax.random.PRNGKey(seed), task.trials, task.steps, jnp.float64)
        inputs = jnp.asarray(task.inputs, jnp.float64) if task.inputs is not None else None
        states, _ = model.simulate(p, inputs, x0, noise)
    return np.asarray(states)


def network_slow_points(model, params: dict, task, **options):
    """Slow points of one network's input-free flow, started from its trials' states.

    ``options`` go to :func:`analysis.ghosts.find_slow_points`. Returns (SlowPoints, starts),
    where the starts are latent coordinates for a low-rank network.
    """
    params = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    states = trial_states(model, params, task)
    starts = states.reshape(-1, states.shape[-1])
    if model.rank is not None:
        starts = starts @ params["n"]
    return find_slow_points(model.flow_function(), starts, params=params, **options), starts


def slow_points_dataset(ds, *, lr_index: int = 0, seed_index: int = 0, **options):
    """Slow points of one run of a :func:`train_sweep` result at each of its checkpoints.

    Returns
    -------
    xarray.Dataset
        One row per point (dimension ``point``): ``checkpoint``, ``kind``, ``speed``, ``r_eff``,
        ``passage_time``, ``x`` (point, coordinate), ``stability`` (of a fixed point under the
        input-free flow, as the reference reads it) and ``map_stability`` (under the network's own
        update x -> x + alpha F(x), which can differ: a multiplier 1 + alpha lambda below -1 makes a
        flow-stable point oscillate with period 2), and per checkpoint the number of fixed points
        and of ghosts (``n_fixed``, ``n_ghosts`` over ``checkpoint``).
    """
    import xarray as xr

    if not parameter_names(ds) or ds.sizes.get("checkpoint", 0) == 0:
        raise ValueError("ds must be a train_sweep result with checkpoints")
    extra = swept_axes(ds)
    if extra:
        raise ValueError(f"ds has further swept axes {extra}: select one value of each first")
    checkpoints = checkpoint_params(ds, lr=lr_index, seed=seed_index)
    model_spec, task_spec = combination(ds)
    model, task = model_from_dict(model_spec), make_task(**task_spec)
    rows = []
    counts = {"n_fixed": [], "n_ghosts": []}
    for c, epoch in enumerate(ds.checkpoint.values):
        params = {k: v[c] for k, v in checkpoints.items()}
        found, _ = network_slow_points(model, params, task, **options)
        counts["n_fixed"].append(int(np.sum(found.kind == "fixed point")))
        counts["n_ghosts"].append(int(np.sum(found.kind == "ghost")))
        own = found.map_stability(model.alpha)  # the network's own update is the map x -> x + alpha F(x)
        for k in range(found.kind.size):
            rows.append((int(epoch), str(found.kind[k]), float(found.speed[k]), float(found.r_eff[k]),
                         float(found.passage_time[k]), found.x[k], str(found.stability[k]), str(own[k])))
    dim = model.rank if model.rank is not None else model.N
    x = np.array([r[5] for r in rows]).reshape(len(rows), dim) if rows else np.zeros((0, dim))
    return xr.Dataset(
        {"checkpoint_of_point": (("point",), np.array([r[0] for r in rows], dtype=np.int64)),
         "kind": (("point",), np.array([r[1] for r in rows], dtype=str)),
         "speed": (("point",), np.array([r[2] for r in rows])),
         "r_eff": (("point",), np.array([r[3] for r in rows])),
         "passage_time": (("point",), np.array([r[4] for r in rows])),
         "stability": (("point",), np.array([r[6] for r in rows], dtype=str)),
         "map_stability": (("point",), np.array([r[7] for r in rows], dtype=str)),
         "x": (("point", "coordinate"), x),
         **{k: (("checkpoint",), np.array(v)) for k, v in counts.items()}},
        coords={"checkpoint": ds.checkpoint.values},
        attrs={"lr": float(ds.lr.values[lr_index]), "seed": int(ds.seed.values[seed_index]),
               "space": "latent kappa" if model.rank is not None else "state x", "model": json.dumps(model_spec),
               "task": json.dumps(task_spec)},
    )
