"""What every recipe of the main job shares: its sizes, its output and one cache helper.

Every sweep a recipe runs is cached under ``OUT/.cache`` (NetCDF, resumable), in a file named
after the sweep and a digest of its settings (:func:`cache_path`), so a rerun reuses it.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..descent import phase_diagram
from ..store import write_netcdf


@dataclass(frozen=True)
class Settings:
    """Grid sizes of the main job's reduced-model figures; ``quick`` is the coarse variant."""

    quick: bool
    eta_T_grid: tuple[int, int]
    eta_a_grid: tuple[int, int]
    seeds: int
    epochs: int
    scaling_T: int

    @classmethod
    def make(cls, quick: bool) -> Settings:
        if quick:
            return cls(True, (40, 10), (28, 8), 4, 4000, 5)
        return cls(False, (200, 50), (100, 30), 10, 10_000, 9)


SCALES = ("quick", "default", "reference")


@dataclass(frozen=True)
class RNNSettings:
    """Sizes of the RNN experiments of the main job: ``quick``, ``default`` or ``reference``.

    ``reference`` runs an experiment at the reference's own sizes where its recipe names them
    (``pick``'s third value); a recipe that names none runs its default sizes there too.
    """

    quick: bool
    scale: str = "default"

    def pick(self, quick_value, full_value, reference_value=None):
        if self.quick:
            return quick_value
        if self.scale == "reference" and reference_value is not None:
            return reference_value
        return full_value


@dataclass(frozen=True)
class Context:
    """The output directory, the image format, the sizes and the executor of one run of the main job."""

    out: Path
    fmt: str
    settings: Settings
    executor: object | None = None
    scale: str = "default"

    @property
    def rnn(self) -> RNNSettings:
        return RNNSettings(self.settings.quick, "quick" if self.settings.quick else self.scale)


def cache_path(ctx: Context, name: str, key) -> Path:
    """``OUT/.cache/<name>-<digest of key>.nc``: one file per distinct setting (``key`` JSON-able)."""
    (ctx.out / ".cache").mkdir(exist_ok=True)
    digest = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return ctx.out / ".cache" / f"{name}-{digest}.nc"


def cache_dir(ctx: Context, name: str, key=()) -> Path:
    """A cache directory (for functions that keep several sweeps), named like :func:`cache_path`."""
    path = cache_path(ctx, name, list(key)).with_suffix("")
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_diagram(ctx: Context, name: str, **kwargs):
    """:func:`analysis.phase_diagram` cached under OUT/.cache (never refused: the name holds the settings)."""
    key = {k: np.asarray(v).tolist() for k, v in kwargs.items()}
    return phase_diagram(**kwargs, out=cache_path(ctx, name, key), executor=ctx.executor)


def scale_entry(parts: dict[str, tuple[dict, dict | None]], note: str = "") -> dict:
    """What a network figure was drawn at, for ``summary.json["scales"]`` (a recipe returns it as ``"scale"``).

    Parameters
    ----------
    parts : dict
        Per part of the figure (an experiment), ``(used, reference)``: the sizes it ran (epochs,
        seeds, rates, ...) and the reference's sizes under the same keys, or None where the
        experiment is this project's own (no reference to compare with).
    note : str
        What else differs from the reference (a rate, a task's trials), for people.

    Returns
    -------
    dict
        ``drawn_at``: "reference" when every part meets every size its reference names, "reduced"
        when some part falls short, "own experiment" when no part has a reference; ``parts`` with,
        per part, ``used``, ``reference`` and ``reduced_by`` (reference / used for each size that
        falls short).
    """
    out_parts, states = {}, set()
    for name, (used, reference) in parts.items():
        short = {} if reference is None else {
            key: round(ref / used[key], 3) for key, ref in reference.items()
            if isinstance(ref, int | float) and isinstance(used.get(key), int | float) and used[key] < ref}
        states.add("own experiment" if reference is None else ("reduced" if short else "reference"))
        out_parts[name] = {"used": used, "reference": reference, "reduced_by": short}
    drawn_at = "reduced" if "reduced" in states else ("reference" if "reference" in states else "own experiment")
    return {"drawn_at": drawn_at, "parts": out_parts, **({"note": note} if note else {})}


def same_config(saved, config, rel_tol: float = 1e-12) -> bool:
    """Whether a saved configuration (read back from JSON) is ``config``: the same keys, lengths and
    values, floats to ``rel_tol``. A rate grid such as ``np.logspace(-4, -1, 30)`` differs in its last
    bit between numpy builds (seen: 0.0001610262027560939 against 0.00016102620275609394), which must
    not hide the results kept in the repository."""
    if isinstance(saved, dict) and isinstance(config, dict):
        return saved.keys() == config.keys() and all(same_config(saved[k], config[k], rel_tol) for k in saved)
    if isinstance(saved, list | tuple) and isinstance(config, list | tuple):
        return len(saved) == len(config) and all(same_config(a, b, rel_tol) for a, b in zip(saved, config, strict=True))
    if isinstance(saved, bool) or isinstance(config, bool):
        return saved is config
    if isinstance(saved, float | int) and isinstance(config, float | int | np.number):
        return math.isclose(float(saved), float(config), rel_tol=rel_tol, abs_tol=0.0)
    return saved == config


def saved_data(ctx: Context, name: str, config: dict, attr: str = "settings"):
    """The compact results ``name`` made with ``config`` (JSON in the attribute ``attr``; floats equal to
    rounding, :func:`same_config`): from OUT/data, else from the repository's figures/data; None when
    neither holds them (a figure then trains and saves them)."""
    import xarray as xr

    for folder in (ctx.out / "data", Path(__file__).resolve().parents[2] / "figures" / "data"):
        path = folder / name
        if path.is_file():
            with xr.open_dataset(path) as ds:
                if attr in ds.attrs and same_config(json.loads(ds.attrs[attr]), config):
                    return xr.load_dataset(path)
    return None


def save_data(ctx: Context, data, name: str) -> None:
    """Keep a full run's compact results in OUT/data (a quick run's are not worth keeping)."""
    if not ctx.rnn.quick:
        (ctx.out / "data").mkdir(exist_ok=True)
        write_netcdf(data, ctx.out / "data" / name, overwrite=True)


def finite_or_none(value) -> float | None:
    """A number for summary.json: None where it is undefined (None, NaN, or never reached: inf)."""
    return float(value) if value is not None and np.isfinite(value) else None
