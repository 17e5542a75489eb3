"""The result of a sweep: its chunks assembled into one labelled ``xarray.Dataset``, and reading it back.

:func:`to_dataset` builds the Dataset; :func:`swept_axes` names its further swept axes and
:func:`checkpoint_params` reads the parameters of one run at its checkpoints, the idiom every
consumer of a sweep needs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from ...regimes import REGIMES
from ...store import fingerprint
from .chunk import record_epochs
from .criteria import NetworkCriteria, classify_runs

if TYPE_CHECKING:
    import xarray as xr


def swept_axes(ds: xr.Dataset) -> list[str]:
    """The further swept axes of a :func:`train_sweep` result (those besides lr, seed and epoch).

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`train_sweep` result.

    Returns
    -------
    list of str
        The names of the further axes, in the sweep's order.
    """
    return [d for d in ds.regime.dims if d not in ("lr", "seed")]


def combination(ds: xr.Dataset, *, uniform: tuple[str, ...] | None = None) -> tuple[dict, dict]:
    """The model and task (as dicts) of the combination a sweep's Dataset holds.

    After ``ds.isel(delay=1)`` (or ``.sel``) on a sweep over ``delay``, that is the combination
    with that delay, not the sweep's first one. Every swept axis must be selected, unless
    ``uniform`` names the model and task settings the caller reads and they are the same in every
    remaining combination (e.g. ``("alpha", "T")`` for a sweep over the readout gain).

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`train_sweep` result, every swept axis selected (or those of ``uniform`` alike).
    uniform : tuple of str, optional
        Model and task settings that may stay unselected because they agree across combinations.

    Returns
    -------
    model : dict
        The combination's ``to_dict()`` forms (:func:`model_from_dict`, :func:`make_task`).
    task : dict
        The combination's ``to_dict()`` forms (:func:`model_from_dict`, :func:`make_task`).
    """
    import itertools

    settings = json.loads(ds.attrs["settings"])
    axes, combos = settings["axes"], settings["combos"]
    chosen, open_axes = [], []
    for name, values in axes.items():
        if name in ds.dims:
            open_axes.append(name)
            chosen.append(None)
            continue
        value = ds[name].values.item() if name in ds.coords else None
        if value not in values:
            raise ValueError(f"ds has lost its swept axis {name!r}: select with ds.isel/ds.sel, which keep it")
        chosen.append(values.index(value))
    grid = list(itertools.product(*(range(len(v)) for v in axes.values())))
    matching = [combos[k] for k, index in enumerate(grid)
                if all(c is None or c == i for c, i in zip(chosen, index, strict=True))]
    if open_axes:
        fields = uniform or ()
        first = matching[0]
        same = all(c["model"].get(f) == first["model"].get(f) and c["task"].get(f) == first["task"].get(f)
                   for c in matching for f in fields)
        if uniform is None or not same:
            raise ValueError(f"ds has further swept axes {open_axes}: select one value of each first (ds.isel(...))")
    return matching[0]["model"], matching[0]["task"]


def parameter_names(ds) -> list[str]:
    """The names of the parameters a sweep kept at its checkpoints (``param_<name>`` variables)."""
    return [v[len("param_"):] for v in ds.data_vars if v.startswith("param_")]


def checkpoint_params(ds: xr.Dataset, *, lr: int = 0, seed: int = 0, checkpoint: int | None = None) -> dict:
    """The parameters of one run of a sweep at its checkpoints, as ``{name: array}``.

    Parameters
    ----------
    ds : xarray.Dataset
        A :func:`~analysis.networks.train_sweep` result with checkpoints and no further swept axis
        (select one combination first, e.g. ``ds.isel(rank=0)``).
    lr : int
        Positions (not values) of the run along ``lr`` and ``seed``. Default: the first run.
    seed : int
        Positions (not values) of the run along ``lr`` and ``seed``. Default: the first run.
    checkpoint : int, optional
        A position along ``checkpoint``; default: every checkpoint (a leading axis on each array).

    Returns
    -------
    dict of str to ndarray
        Shape (checkpoints, ...) per parameter, or the parameter's own shape with ``checkpoint``.
    """
    names = parameter_names(ds)
    if not names:
        raise ValueError("ds must be a train_sweep result with checkpoints (train_sweep(..., checkpoints=[...]))")
    extra = swept_axes(ds)
    if extra:
        raise ValueError(f"ds has further swept axes {extra}: select one value of each first (ds.isel(...))")
    for name, index in (("lr", lr), ("seed", seed)):
        if isinstance(index, bool) or not isinstance(index, int | np.integer) or not 0 <= index < ds.sizes[name]:
            raise ValueError(f"{name} must be a position in [0, {ds.sizes[name]}), got {index!r}")
    out = {}
    for name in names:
        value = ds[f"param_{name}"].transpose("lr", "seed", "checkpoint", ...).values[lr, seed]
        value = unpadded(ds, f"param_{name}", value)
        out[name] = value if checkpoint is None else value[checkpoint]
    return out


def unpadded(ds, key: str, value: np.ndarray) -> np.ndarray:
    """``value`` of the variable ``key`` (its trailing axes) cut to its combination's true shape.

    Only a sweep over a shape-changing setting pads (see :func:`to_dataset`); ``ds`` must then hold
    one combination (``ds.isel(rank=0)``), and ``shape_<key>`` tells the shape.
    """
    if f"shape_{key}" not in ds:
        return value
    true = np.asarray(ds[f"shape_{key}"].values)
    if true.ndim != 1:
        raise ValueError(f"ds pads {key} over its swept axes: select one value of each first (ds.isel(...))")
    keep = (slice(None),) * (value.ndim - true.size) + tuple(slice(0, int(n)) for n in true)
    return value[keep]


def to_dataset(settings: dict, chunks: list, results: list[dict], model):
    """The labelled Dataset of a sweep from its chunks' results (see :func:`~analysis.networks.train_sweep`)."""
    import xarray as xr

    axes = settings["axes"]
    merged = _merge_chunks(settings, chunks, results)
    dims = (*axes, "lr", "seed")
    data = _run_variables(merged, dims, settings) | _checkpoint_variables(merged, dims, model)
    coords = {**{k: list(v) for k, v in axes.items()}, "lr": settings["lr"], "seed": settings["seeds"],
              "epoch": record_epochs(settings["epochs"], settings["record_every"]),
              "checkpoint": np.asarray(settings["checkpoints"], dtype=np.int32)}
    return xr.Dataset(data, coords=coords, attrs=_attributes(settings))


def _merge_chunks(settings: dict, chunks: list, results: list[dict]) -> dict:
    """Every result array over (*swept axes, lr, seed, ...): chunks joined along lr, combinations stacked.

    A setting that changes a parameter's shape (a sweep over ``rank`` or ``N``) gives arrays of
    different shapes per combination: they are padded to the largest (NaN for floats, -1 for
    integers) and each combination's true shape is kept as ``shape_<key>``, so nothing the chunks
    held is lost (:func:`checkpoint_params` and :func:`start_from` cut the padding off again).
    """
    axis_shape = tuple(len(v) for v in settings["axes"].values())
    per_combo: dict[int, list[dict]] = {}
    for chunk, result in zip(chunks, results, strict=True):
        per_combo.setdefault(chunk["combo"], []).append(result)
    merged = {}
    for key in results[0]:
        stacked = [np.concatenate([r[key] for r in per_combo[i]], axis=0) for i in range(len(per_combo))]
        shapes = np.array([a.shape for a in stacked])
        if (shapes == shapes[0]).all():
            merged[key] = np.stack(stacked).reshape(*axis_shape, *stacked[0].shape)
            continue
        largest = tuple(shapes.max(axis=0))
        fill = np.nan if np.issubdtype(stacked[0].dtype, np.floating) else -1
        padded = np.full((len(stacked), *largest), fill, dtype=np.result_type(stacked[0].dtype, type(fill)))
        for i, a in enumerate(stacked):
            padded[(i, *(slice(0, n) for n in a.shape))] = a
        merged[key] = padded.reshape(*axis_shape, *largest)
        merged[f"shape_{key}"] = shapes[:, 2:].astype(np.int64).reshape(*axis_shape, -1)  # beyond (lr, seed)
    missing = [k for k in results[0] if k not in merged]
    if missing:  # never drop what a chunk computed
        raise RuntimeError(f"the sweep's results lost {missing}")
    return merged


def _run_variables(merged: dict, dims: tuple, settings: dict) -> dict:
    """The recorded histories and the per-run statistics and regimes."""
    stats = {k[5:]: v for k, v in merged.items() if k.startswith("stat_")}
    criteria = NetworkCriteria(**settings["criteria"])
    labels = classify_runs(stats, criteria)
    with np.errstate(invalid="ignore"):  # a drop only where the loss really fell: by plateau_tol of L0
        fell = stats["min_loss"] <= (1 - criteria.plateau_tol) * stats["initial_loss"]
    dropped = fell & (stats["drop_epoch"] >= 0)

    def epoch_or_nan(values):
        return np.where(values >= 0, values, np.nan).astype(float)

    return {
        "loss": ((*dims, "epoch"), merged["history_loss"]),
        "grad_norm": ((*dims, "epoch"), merged["history_grad_norm"]),
        "accuracy": ((*dims, "epoch"), merged["history_accuracy"]),
        **({"fixed_points": ((*dims, "epoch"), merged["history_fixed_points"]),
            "max_fixed_points": (dims, stats["max_fixed_points"])} if "history_fixed_points" in merged else {}),
        **({"grad_W_norm": ((*dims, "epoch"), merged["history_grad_W_norm"]),
            "W_norm": ((*dims, "epoch"), merged["history_W_norm"]),
            "mean_loss": (dims, stats["loss_sum"] / np.maximum(stats["loss_count"], 1))}
           if "history_W_norm" in merged else {}),
        "initial_loss": (dims, stats["initial_loss"]),
        "final_loss": (dims, np.where(stats["diverged"], np.nan, stats["last_loss"])),
        "min_loss": (dims, stats["min_loss"]),
        "final_accuracy": (dims, stats["last_accuracy"]),
        "max_accuracy": (dims, stats["max_accuracy"]),
        "plateau_length": (dims, np.where(stats["plateau_length"] >= 0, stats["plateau_length"],
                                          settings["epochs"]).astype(float)),
        "drop_epoch": (dims, np.where(dropped, stats["drop_epoch"], np.nan).astype(float)),
        "drop_size": (dims, np.where(dropped, stats["drop_size"], np.nan)),
        "epochs_to_learn": (dims, epoch_or_nan(stats["learn_epoch"])),
        "diverged_epoch": (dims, stats["diverged_epoch"].astype(np.int32)),
        "regime": (dims, labels["regime"]),
        "learned_reference": (dims, labels["learned_reference"].astype(np.int8)),
        "trapped_reference": (dims, labels["trapped_reference"].astype(np.int8)),
    }


def _checkpoint_variables(merged: dict, dims: tuple, model) -> dict:
    """``param_<name>`` over (*dims, checkpoint, ...) and the kept optimiser state ``state_*``."""
    data = {}
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
        elif key.startswith("shape_"):  # the true shape, per combination, of a padded variable
            data[key] = ((*dims[:-2], f"axis_{key[6:]}"), value)
    return data


def _attributes(settings: dict) -> dict:
    import jax

    device = jax.devices()[0]
    return {
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
