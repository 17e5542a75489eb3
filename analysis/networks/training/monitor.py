"""The optional per-epoch monitors of a sweep, computed in the scan without storing parameters.

* ``"fixed_points"``: the fixed points of a rank-one latent flow (the reference's count, Fig 3);
* ``"recurrent_norms"``: the Frobenius norms of a full-rank network's recurrent weights W and of
  their gradient, and the loss averaged over every epoch (the reference's Fig 7 logs these);
  :func:`compact_norm_sweep` keeps of such a sweep what Fig 7 draws, :func:`kept_run` one run of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

FIXED_POINT_GRID = (-15.0, 15.0, 1000)  # the reference's grid for counting latent fixed points
MONITORS = ("fixed_points", "recurrent_norms")
MONITOR_COLUMNS = {None: (), "fixed_points": ("fixed_points",), "recurrent_norms": ("grad_W_norm", "W_norm")}


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


def mean_over_records(records: xr.DataArray) -> np.ndarray:
    """Each run's mean over its records (the axis ``epoch``), NaN ignored.

    Parameters
    ----------
    records : xarray.DataArray
        Per-epoch records of a sweep, with an ``epoch`` dimension.

    Returns
    -------
    numpy.ndarray
        The means, with the other dimensions in their order; computed in float64 from one memory
        layout, so that a sweep in memory and the same sweep read from a file give the same numbers.
    """
    values = np.ascontiguousarray(records.values, dtype=np.float64)
    return np.nanmean(values, axis=records.dims.index("epoch"))


NORM_RECORDS = ("loss", "grad_W_norm", "W_norm")
"""The per-epoch records of a ``monitor="recurrent_norms"`` sweep that :func:`compact_norm_sweep` keeps."""


def compact_norm_sweep(ds: xr.Dataset, runs: Sequence[tuple[float, int]]) -> xr.Dataset:
    """The compact form of a ``monitor="recurrent_norms"`` sweep over lr and seed: what Fig 7 draws.

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`~analysis.networks.train_sweep` result over ``lr`` and ``seed`` (no other swept axis)
        with ``monitor="recurrent_norms"``.
    runs : sequence of (float, int)
        The (learning rate, seed) pairs whose records are kept whole; a pair the sweep does not hold
        is left out.

    Returns
    -------
    xarray.Dataset
        Every variable of one value per run (``mean_loss``, ``final_loss``, ``regime``, ...), as in
        ``ds``; ``grad_W_norm`` and ``W_norm`` averaged over each run's records (in float64), so
        with dimensions (lr, seed) alone; and the records ``run_loss``, ``run_grad_W_norm`` and
        ``run_W_norm`` (run, epoch) of the kept ``runs``, with coordinates ``run_lr`` and ``run_seed``
        (:func:`kept_run` reads one back). The attributes are those of ``ds``.
    """
    missing = [name for name in NORM_RECORDS if name not in ds]
    if missing:
        raise ValueError(f"ds must be a sweep with monitor='recurrent_norms' (missing {missing})")
    if set(ds.loss.dims) != {"lr", "seed", "epoch"}:
        raise ValueError(f"ds must sweep lr and seed alone, got loss dims {ds.loss.dims}")
    per_run = [v for v in ds.data_vars if set(ds[v].dims) <= {"lr", "seed"} and not v.startswith("param_")]
    compact = ds[per_run].copy()
    compact.encoding = {}  # the sweep's file layout (its unlimited checkpoint axis) does not carry over
    for name in NORM_RECORDS[1:]:
        compact[name] = (("lr", "seed"), mean_over_records(ds[name].transpose("lr", "seed", "epoch")))
    lr = np.asarray(ds.lr.values, dtype=float)
    kept = [(i, int(seed)) for rate, seed in runs
            for i in np.flatnonzero(np.isclose(lr, rate, rtol=1e-9, atol=0)) if int(seed) in ds.seed.values]
    compact = compact.assign_coords(epoch=ds.epoch.values, run_lr=("run", [lr[i] for i, _ in kept]),
                                    run_seed=("run", [seed for _, seed in kept]))
    for name in NORM_RECORDS:
        rows = [ds[name].isel(lr=i).sel(seed=seed).values for i, seed in kept]
        compact[f"run_{name}"] = (("run", "epoch"), np.stack(rows) if rows else np.zeros((0, ds.epoch.size)))
    return compact


def kept_run(compact: xr.Dataset, index: int) -> xr.Dataset:
    """One of the runs whose records :func:`compact_norm_sweep` kept whole.

    Parameters
    ----------
    compact : xarray.Dataset
        A result of :func:`compact_norm_sweep`.
    index : int
        Which kept run, from 0 (in the order of its ``runs`` argument).

    Returns
    -------
    xarray.Dataset
        ``loss``, ``grad_W_norm`` and ``W_norm`` over ``epoch``, with scalar coordinates ``lr`` and
        ``seed``: what :func:`analysis.plotting.plot_case_study` draws.
    """
    size = compact.sizes.get("run", 0)
    if not isinstance(index, int) or not 0 <= index < size:
        raise ValueError(f"index must be an integer in [0, {size}), got {index!r}")
    run = compact[[f"run_{name}" for name in NORM_RECORDS]].isel(run=index)
    return run.rename({f"run_{name}": name for name in NORM_RECORDS} | {"run_lr": "lr", "run_seed": "seed"})
