"""Continuing a sweep: start networks from the parameters (and optimiser state) of an earlier one.

:func:`start_from` takes a checkpoint of a :func:`~analysis.networks.train_sweep` result as a
:class:`Start`; ``train_sweep(..., init=start)`` trains on from there. With the optimiser state
(``keep_state=True`` in the first sweep, ``state=True`` here), a run split in two is bit for bit
the run made in one piece; the per-epoch noise continues the earlier stream.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .results import parameter_names, swept_axes, unpadded

if TYPE_CHECKING:
    import xarray as xr


@dataclass(frozen=True)
class Start:
    """Where a continued sweep starts (see :func:`start_from`).

    Attributes
    ----------
    params : dict
        Parameter name -> array of shape (1 or n_lr, n_seed, ...): one start per seed, shared by
        every learning rate, or one per (lr, seed).
    seeds : tuple of int
        The seeds the rows belong to; the continued sweep must use the same seeds.
    epoch : int
        The epoch the start was taken at; the per-epoch noise continues from there.
    state : dict or None
        Optimiser-state leaves (``state_<k>``, ``state_count``) to continue the optimiser (the same
        kind of optimiser), or None for a fresh one.
    """

    params: dict
    seeds: tuple
    epoch: int = 0
    state: dict | None = None

    def with_params(self, **values) -> Start:
        """A copy with some parameters set to a value (broadcast), e.g. ``with_params(c=1.0)``."""
        params = dict(self.params)
        for name, value in values.items():
            if name not in params:
                raise ValueError(f"with_params: no parameter {name!r}; the start has {sorted(params)}")
            params[name] = np.broadcast_to(np.asarray(value, params[name].dtype), params[name].shape).copy()
        return Start(params, self.seeds, self.epoch, self.state)


def start_from(ds: xr.Dataset, checkpoint: int | None = None, *, state: bool = False) -> Start:
    """The parameters of a finished sweep at one of its checkpoints, as a :class:`Start`.

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`train_sweep` result with checkpoints and no further swept axis.
    checkpoint : int, optional
        The epoch (default: the last checkpoint).
    state : bool
        Also continue the optimiser state; the sweep must have been run with ``keep_state=True``
        and the checkpoint must be its last epoch (the state is kept only there).

    Returns
    -------
    Start
        The parameters (and optimiser state) per seed, for ``train_sweep(..., init=...)``.
    """
    if "epochs_per_lr" in ds.attrs:
        raise ValueError("ds joins sweeps of several epoch budgets (Preset.run with an epochs_rule); "
                         "continue one of them: open its own file (<out>.epochs-<E>.nc)")
    names = parameter_names(ds)
    if not names or "checkpoint" not in ds.dims or ds.sizes["checkpoint"] == 0:
        raise ValueError("ds must be a train_sweep result with checkpoints (train_sweep(..., checkpoints=[...]))")
    extra = swept_axes(ds)
    if extra:
        raise ValueError(f"ds has further swept axes {extra}: select one value of each first (ds.isel(...))")
    epochs = ds.checkpoint.values
    checkpoint = int(epochs[-1]) if checkpoint is None else checkpoint
    if checkpoint not in epochs:
        raise ValueError(f"checkpoint must be one of the sweep's checkpoints {epochs.tolist()}, got {checkpoint!r}")
    index = int(np.flatnonzero(epochs == checkpoint)[0])
    params = {}
    for name in names:
        every = ds[f"param_{name}"].transpose("lr", "seed", "checkpoint", ...).values
        params[name] = np.asarray(unpadded(ds, f"param_{name}", every)[:, :, index])
    kept = None
    if state:
        if "state_count" not in ds or checkpoint != int(ds.attrs["epochs"]):
            raise ValueError("state=True needs a sweep run with keep_state=True, continued from its last epoch "
                             f"({ds.attrs['epochs']})")
        kept = {v: unpadded(ds, v, np.asarray(ds[v].transpose("lr", "seed", ...).values))
                for v in ds.data_vars if v.startswith("state_")}
    offset = int(json.loads(ds.attrs["settings"]).get("epoch_offset", 0))
    return Start(params, tuple(int(v) for v in ds.seed.values), offset + checkpoint, kept)


def check_start(start, model, lr: list, seeds: list, dtype: str) -> dict:
    """The start's arrays, checked against the model and broadcast to (len(lr), len(seeds), ...)."""
    import jax

    if not isinstance(start, Start):
        raise ValueError(f"init must be a Start (from start_from), got {type(start).__name__}")
    if list(start.seeds) != list(seeds):
        raise ValueError(f"init holds seeds {list(start.seeds)} but the sweep trains seeds {list(seeds)}")
    shapes = {k: v.shape for k, v in jax.eval_shape(model.init, jax.random.PRNGKey(0)).items()}
    if set(start.params) != set(shapes):
        raise ValueError(f"init has parameters {sorted(start.params)} but the model has {sorted(shapes)}")
    arrays = {}
    for name, value in list(start.params.items()) + list((start.state or {}).items()):
        value = np.asarray(value)
        if value.ndim < 2 or value.shape[0] not in (1, len(lr)) or value.shape[1] != len(seeds):
            raise ValueError(f"init's {name} must have shape (1 or {len(lr)} learning rates, {len(seeds)} seeds, "
                             f"...), got {value.shape}")
        if name in shapes and value.shape[2:] != shapes[name]:
            raise ValueError(f"init's {name} must end in the model's shape {shapes[name]}, got {value.shape[2:]}")
        key = name if name.startswith("state_") else f"param_{name}"
        arrays[key] = np.broadcast_to(value, (len(lr), *value.shape[1:]))
    return arrays
