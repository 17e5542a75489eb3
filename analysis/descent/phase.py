"""Phase diagrams of gradient descent on r, as labelled ``xarray.Dataset`` objects.

A diagram sweeps eta against T or against the output confidence a (or all three). Each grid
point runs ``seeds`` descents from r0 = rho0 r* + N(0, r*/10) and records the regime mix
and the abrupt-learning statistics (:mod:`.regimes`).

Long sweeps are chunked along eta. With ``out=path`` every finished chunk is saved under
``path + ".parts/"`` as it completes, so an interrupted sweep rerun with the same arguments
resumes where it stopped and recomputes nothing; the finished diagram is written to ``path``
(NetCDF) and reused as it is by a rerun with the same settings. A rerun with different
settings on the same path is refused. Chunks can be spread over processes with any
``concurrent.futures.Executor``.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import Executor
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from reduced import critical_learning_rate, minimum, optimal_r, oscillation_threshold_asymptotic
from reduced.validation import convention_argument, finite, positive, positive_int

from ..optimizers import ADAM_DEFAULTS, check_momentum, optimizer_spec
from ..regimes import REGIMES, TRAPPED, Criteria
from ..store import cached_sweep, fingerprint, settings_dict
from .critical import initial_r
from .summaries import summarize_runs

if TYPE_CHECKING:
    import xarray as xr

# Part of every sweep's fingerprint: bump it when the classification or the stored variables
# change, so that saved sweeps from older code are not taken for current ones.
RESULT_VERSION = 3


def _axis(value, name: str, *, allow_none: bool = False):
    if value is None and allow_none:
        return None
    arr = positive(value, name)
    if arr.ndim > 1:
        raise ValueError(f"{name} must be a scalar or a 1-D array")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    return arr


def compute_chunk(settings: dict, eta_chunk: list) -> dict:
    """Run one chunk of the diagram (module level so that process pools can pickle it)."""
    T = np.atleast_1d(np.asarray(settings["T"], dtype=float))
    a = None if settings["a"] is None else np.atleast_1d(np.asarray(settings["a"], dtype=float))
    criteria = Criteria(**settings["criteria"])
    eta = np.asarray(eta_chunk, dtype=float)
    # grid layout (eta, T, a, seed)
    n_a = 1 if a is None else a.size
    r0 = initial_r(T, settings["rho0"], settings["seeds"], settings["seed"])  # (T, seed)
    r0 = np.broadcast_to(r0[None, :, None, :], (eta.size, T.size, n_a, settings["seeds"]))
    eta_b = eta[:, None, None, None]
    T_b = T[None, :, None, None]
    a_b = None if a is None else a[None, None, :, None]
    s = summarize_runs(
        r0, eta_b, T_b, settings["epochs"], a=a_b, x_star=settings["x_star"], dt=settings["dt"],
        normalized=settings["normalized"], criteria=criteria, optimizer=settings.get("optimizer", "sgd"),
        momentum=settings.get("momentum", 0.0), adam=tuple(settings.get("adam", ADAM_DEFAULTS)),
    )
    counts = np.stack([np.mean(s.regime == code, axis=-1) for code in range(len(REGIMES))], axis=-1)
    learned_epochs = s.stats.epochs_to_learn
    with np.errstate(all="ignore"):
        return {
            "regime_fraction": counts,
            "regime": np.argmax(counts, axis=-1).astype(np.int8),
            "fraction_trapped": counts[..., TRAPPED],
            "final_loss": np.mean(s.final_loss, axis=-1),
            "amplitude": np.median(s.amplitude, axis=-1),
            "plateau_length": np.median(s.stats.plateau_length, axis=-1),
            "drop_epoch": np.median(s.stats.drop_epoch, axis=-1),
            "drop_sharpness": np.median(s.stats.drop_sharpness, axis=-1),
            "epochs_to_learn": _nanmedian(learned_epochs),
        }


def _nanmedian(values: np.ndarray) -> np.ndarray:
    """Median over seeds of the runs that got there; NaN where none did (no warning)."""
    out = np.full(values.shape[:-1], np.nan)
    some = np.isfinite(values).any(axis=-1)
    if some.any():
        out[some] = np.nanmedian(values[some], axis=-1)
    return out


@convention_argument
def phase_diagram(
    *,
    eta: ArrayLike,
    T: ArrayLike = 100.0,
    a: ArrayLike | None = None,
    seeds: int = 10,
    epochs: int = 10_000,
    rho0: float = 10.0,
    x_star: float = 10.0,
    dt: float | None = None,
    normalized: bool = True,
    criteria: Criteria | None = None,
    seed: int = 0,
    chunk_size: int | None = None,
    out: str | os.PathLike | None = None,
    executor: Executor | None = None,
    progress: bool | None = None,
    optimizer: str = "sgd",
    momentum: float = 0.9,
    adam: tuple[float, float, float] = ADAM_DEFAULTS,
) -> xr.Dataset:
    """Sweep descent on r over eta and T and/or a; return the regimes as a Dataset.

    Parameters
    ----------
    eta : array_like
        Learning rates (1-D, each in (0, inf)).
    T : float or array_like, optional
        Delay(s). Default 100.
    a : float, array_like or None, optional
        Output confidence(s); None (default) for the sharp limit.
    seeds : int, optional
        Runs per grid point. Default 10.
    epochs : int, optional
        Epochs per run. Default 10^4.
    rho0 : float, optional
        Start r0 = rho0 r* + N(0, r*/10). Default 10.
    chunk_size : int, optional
        eta values per chunk (default: about 20 chunks).
    out : path, optional
        NetCDF file for the result; chunks are saved as they finish (see module docstring).
    executor : concurrent.futures.Executor, optional
        Runs chunks concurrently; default in-process. For a ProcessPoolExecutor use a
        "spawn" or "forkserver" context: numba's thread pool does not survive a fork.
    progress : bool or None, optional
        tqdm progress bar; None shows it only on an interactive terminal.
    optimizer : {"sgd", "momentum", "adam"}, optional
        The update rule (:func:`analysis.descend`); default plain gradient descent.
    momentum : float, optional
        Heavy-ball coefficient in [0, 1) (``"momentum"`` only). Default 0.9.
    adam : (float, float, float), optional
        Adam's (b1, b2, eps) (``"adam"`` only); default optax's.

    Returns
    -------
    xarray.Dataset
        Dimensions ``eta``, ``T``, ``a`` (sharp limit: a = inf) and ``regime_name`` (for
        ``regime_fraction``). Variables: ``regime`` (majority code; names in attrs
        ``regime_names``), ``regime_fraction``, ``fraction_trapped``, ``final_loss``,
        ``amplitude``, ``plateau_length``, ``drop_epoch``, ``drop_sharpness``,
        ``epochs_to_learn`` (medians over seeds), the closed-form ``eta_c`` over T and, for
        finite a, ``eta_s`` (finite-a GD stability bound) and ``eta_s_asymptotic`` over (T, a).
        Attributes hold every setting.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis import phase_diagram
    >>> from reduced import critical_learning_rate
    >>> ds = phase_diagram(eta=np.array([0.5, 2.0]) * critical_learning_rate(100.0), seeds=2, epochs=2000)
    >>> ds.fraction_trapped.squeeze().values
    array([0., 1.])
    """
    eta = _axis(eta, "eta")
    T_axis = _axis(T, "T")
    a_axis = _axis(a, "a", allow_none=True)
    seeds = positive_int(seeds, "seeds")
    epochs = positive_int(epochs, "epochs")
    rho0 = float(finite(rho0, "rho0"))
    x_star = float(positive(x_star, "x_star"))
    dt = None if dt is None else float(positive(dt, "dt"))
    criteria = criteria or Criteria()
    spec = optimizer_spec(optimizer, adam)
    if spec.name == "momentum" and check_momentum(momentum).ndim > 0:
        raise ValueError("momentum must be a single number here (map several with critical_learning_rate_numeric)")
    # Plain descent keeps the settings (and so the fingerprints of saved sweeps) it always had.
    update = {} if spec.name == "sgd" else {"optimizer": spec.name}
    if spec.name == "momentum":
        update["momentum"] = float(momentum)
    if spec.name == "adam":
        update["adam"] = [spec.b1, spec.b2, spec.eps]
    eta_list = np.atleast_1d(eta)
    chunk_size = positive_int(chunk_size or max(1, -(-eta_list.size // 20)), "chunk_size")
    settings = settings_dict(
        eta=eta_list, T=np.atleast_1d(T_axis), a=None if a_axis is None else np.atleast_1d(a_axis),
        seeds=seeds, epochs=epochs, rho0=rho0, x_star=x_star, dt=dt, normalized=bool(normalized),
        criteria=criteria, seed=int(seed), chunk_size=chunk_size, result_version=RESULT_VERSION, **update,
    )
    chunks = [eta_list[i:i + chunk_size].tolist() for i in range(0, eta_list.size, chunk_size)]

    def assemble(results: list[dict]):
        merged = {k: np.concatenate([chunk[k] for chunk in results], axis=0) for k in results[0]}
        return _to_dataset(merged, settings, fingerprint(settings))

    return cached_sweep(compute_chunk, settings, chunks, assemble, out=out, executor=executor, progress=progress,
                        desc="phase diagram")


def _to_dataset(merged: dict, settings: dict, fingerprint: str):
    import xarray as xr

    T = np.asarray(settings["T"], dtype=float)
    a = np.array([np.inf]) if settings["a"] is None else np.asarray(settings["a"], dtype=float)
    dims = ("eta", "T", "a")
    data = {k: (dims, v) for k, v in merged.items() if k != "regime_fraction"}
    data["regime_fraction"] = ((*dims, "regime_name"), merged["regime_fraction"])
    data["eta_c"] = (("T",), np.asarray(critical_learning_rate(T, settings["normalized"]), dtype=float).reshape(-1))
    data["r_star"] = (("T",), np.asarray(optimal_r(T), dtype=float).reshape(-1))
    if settings["a"] is not None:
        Tg, ag = np.meshgrid(T, a, indexing="ij")
        data["eta_s"] = (("T", "a"), np.asarray(minimum(
            Tg, ag, x_star=settings["x_star"], dt=settings["dt"], normalized=settings["normalized"]).eta_s))
        data["eta_s_asymptotic"] = (("T", "a"), np.asarray(oscillation_threshold_asymptotic(
            Tg, ag, x_star=settings["x_star"], normalized=settings["normalized"])))
    attrs = {
        "settings": json.dumps(settings, sort_keys=True),
        "fingerprint": fingerprint,
        "regime_names": ",".join(REGIMES),
        "convention": "normalized" if settings["normalized"] else "integral",
        "seeds": settings["seeds"],
        "epochs": settings["epochs"],
        "rho0": settings["rho0"],
        "x_star": settings["x_star"],
        "dt": "continuous" if settings["dt"] is None else settings["dt"],
        "sharp_limit": int(settings["a"] is None),
        "optimizer": settings.get("optimizer", "sgd"),
    }
    if "momentum" in settings:
        attrs["momentum"] = settings["momentum"]
    if "adam" in settings:
        attrs["adam_b1_b2_eps"] = list(settings["adam"])
    return xr.Dataset(
        data,
        coords={"eta": np.asarray(settings["eta"], dtype=float), "T": T, "a": a, "regime_name": list(REGIMES)},
        attrs=attrs,
    )
