"""Ghosts over training in the rank-one network: the latent flow at every checkpoint, in closed form.

The rank-one network's latent variable kappa = n.x obeys, exactly,

    kappa_{t+1} = (1 - alpha) kappa_t + alpha F(kappa_t),   F(kappa) = n.tanh(m kappa + b),
    dkappa/dt = -kappa + F(kappa) =: f(kappa)                (time in units of tau),

from kappa_0 = x0 sum_i n_i (every unit starts at x0 = -0.3). Everything here is evaluated in
closed form with numpy, vectorised over runs and checkpoints:

* **fixed points**: sign changes of f on a grid of [-15, 15] (the reference's count, here on a
  finer grid);
* **ghosts**: interior local minima of |f| on the grid with no sign change around them, refined by
  Newton's method on f'(kappa) = 0 (f' and f'' in closed form); the local scale parameter is
  r_eff = (1/2) f''(kappa_g) f(kappa_g) - f'(kappa_g)^2 / 4 (the 1-D case of
  :mod:`analysis.ghosts`), kept when positive; pi / sqrt(r_eff) is its passage time in tau;
* **on the path**: a ghost lies on the trial's path when the latent trajectory of the trial
  crosses it (its minimum and maximum over the 2T steps bracket kappa_g).

Definitions used for timing (documented in the user guide, docs/guide.md):

* the **ghost epoch** of a run is the first checkpoint at which a ghost lies on the path;
* the **drop epoch** is the epoch of the largest single-epoch decrease of the loss
  (``train_sweep``'s ``drop_epoch``, taken over every epoch);
* the **lag** is ghost epoch - drop epoch: negative when the ghost appears first. Its resolution
  is the spacing of the checkpoints.
"""

from __future__ import annotations

import numpy as np

from ..regimes import TRAPPED
from .training import combination

GRID = (-15.0, 15.0, 1001)
BLOCK = 256  # flows evaluated per block: BLOCK x grid x N doubles at a time


def rank_one_params(ds, names=("m", "n", "b")):
    """Rank-one parameters from a train_sweep Dataset: arrays (..., checkpoint, N)."""
    missing = [k for k in names if f"param_{k}" not in ds]
    if missing:
        raise ValueError(f"the Dataset has no checkpoints of {missing}: train with checkpoints=[...]")
    out = []
    for k in names:
        value = np.asarray(ds[f"param_{k}"].values, dtype=float)
        out.append(value[..., 0] if k in ("m", "n") else value)  # (N, 1) -> (N,)
    return out


def latent_flow(m, n, b, kappa):
    """f(kappa) = -kappa + n.tanh(m kappa + b) and its first two derivatives, shape (..., points)."""
    kappa = np.asarray(kappa, dtype=float)
    z = m[..., None, :] * kappa[..., :, None] + b[..., None, :]
    t = np.tanh(z)
    sech2 = 1 - t**2
    f = -kappa + np.einsum("...i,...gi->...g", n, t)
    df = -1 + np.einsum("...i,...gi->...g", n * m, sech2)
    d2f = np.einsum("...i,...gi->...g", n * m**2, -2 * t * sech2)
    return f, df, d2f


def latent_trajectory(m, n, b, *, steps: int = 40, alpha: float = 0.5, x0: float = -0.3):
    """kappa_0..kappa_steps of the network's own update, shape (..., steps + 1)."""
    kappa = x0 * n.sum(axis=-1)
    path = [kappa]
    for _ in range(steps):
        kappa = (1 - alpha) * kappa + alpha * np.einsum("...i,...i->...", n, np.tanh(m * kappa[..., None] + b))
        path.append(kappa)
    return np.stack(path, axis=-1)


def flow_structure(m, n, b, *, steps: int = 40, alpha: float = 0.5, grid=GRID) -> dict:
    """Fixed points, the ghost on the path and the trajectory, for arrays of rank-one parameters.

    Returns arrays over the leading dimensions of the parameters: ``n_fixed`` (fixed-point count),
    ``n_stable_flow`` and ``n_stable_map`` (the fixed points stable under the flow, f' < 0, and under
    the network's own update, |1 + alpha f'| < 1: with alpha f' < -2 a flow-stable point oscillates
    with period 2 in the network),
    ``ghost_kappa``, ``r_eff`` and ``passage_time`` of the slowest ghost on the path (NaN if none),
    ``ghost_on_path`` (bool), ``kappa_end`` (where the trial ends) and ``n_ghosts`` (anywhere).
    """
    lead = m.shape[:-1]
    flat = [np.reshape(a, (-1, a.shape[-1])) for a in (m, n, b)]
    parts = [_structure(*(a[i:i + BLOCK] for a in flat), steps=steps, alpha=alpha, grid=grid)
             for i in range(0, flat[0].shape[0], BLOCK)]
    return {k: np.concatenate([p[k] for p in parts]).reshape(lead) for k in parts[0]}


def _structure(m, n, b, *, steps: int, alpha: float, grid) -> dict:
    kappa = np.linspace(*grid)
    f, df, _ = latent_flow(m, n, b, kappa)
    positive = f > 0
    crossing = positive[..., 1:] != positive[..., :-1]
    n_fixed = np.sum(crossing, axis=-1)
    slope = 0.5 * (df[..., 1:] + df[..., :-1])  # f' at each fixed point, to the grid's resolution
    n_stable_flow = np.sum(crossing & (slope < 0), axis=-1)
    n_stable_map = np.sum(crossing & (np.abs(1 + alpha * slope) < 1), axis=-1)  # |multiplier| < 1
    a = np.abs(f)
    interior = (a[..., 1:-1] < a[..., :-2]) & (a[..., 1:-1] <= a[..., 2:])
    same_sign = (positive[..., :-2] == positive[..., 1:-1]) & (positive[..., 1:-1] == positive[..., 2:])
    candidate = interior & same_sign  # (..., G-2)
    path = latent_trajectory(m, n, b, steps=steps, alpha=alpha)
    low, high = path.min(axis=-1), path.max(axis=-1)
    shape = f.shape[:-1]
    out = {"n_fixed": n_fixed, "n_stable_flow": n_stable_flow, "n_stable_map": n_stable_map,
           "ghost_kappa": np.full(shape, np.nan), "r_eff": np.full(shape, np.nan),
           "ghost_on_path": np.zeros(shape, bool), "kappa_end": path[..., -1], "n_ghosts": np.zeros(shape, int)}
    index = np.argwhere(candidate)
    if index.size:
        lead, g = tuple(index[:, :-1].T), index[:, -1] + 1
        k = kappa[g].copy()
        mm, nn, bb = m[lead], n[lead], b[lead]
        for _ in range(30):  # Newton on f'(kappa) = 0 from the grid minimum
            _, df, d2f = latent_flow(mm, nn, bb, k[:, None])
            k = k - np.where(d2f[:, 0] != 0, df[:, 0] / d2f[:, 0], 0.0)
        fg, dfg, d2fg = (v[:, 0] for v in latent_flow(mm, nn, bb, k[:, None]))
        r = 0.5 * d2fg * fg - dfg**2 / 4
        ok = (r > 0) & np.isfinite(r) & (np.abs(k - kappa[g]) < 2 * (kappa[1] - kappa[0]) * 10)
        np.add.at(out["n_ghosts"], lead, ok.astype(int))
        on_path = ok & (low[lead] < k) & (k < high[lead]) & (fg > 0)
        # the slowest ghost on the path (smallest r_eff) of each run and checkpoint
        order = np.argsort(-np.where(on_path, r, -np.inf), kind="stable")
        for j in order[on_path[order]]:
            where = tuple(x[j] for x in lead)
            if not out["ghost_on_path"][where] or r[j] < out["r_eff"][where]:
                out["ghost_on_path"][where] = True
                out["ghost_kappa"][where], out["r_eff"][where] = k[j], r[j]
    out["passage_time"] = np.pi / np.sqrt(out["r_eff"])
    return out


def ghost_timeline(ds, *, grid=GRID):
    """The flow structure at every checkpoint of a rank-one sweep, as an xarray.Dataset.

    ``ds`` is a :func:`train_sweep` result of a rank-one ``DelayedActivationRNN`` with checkpoints.
    """
    import xarray as xr

    model, task = combination(ds, uniform=("rank", "alpha", "T"))
    if model.get("rank") != 1:
        raise ValueError("ghost_timeline needs a rank-one network")
    m, n, b = rank_one_params(ds)
    dims = tuple(d for d in ds["param_b"].dims if not d.startswith("unit"))
    s = flow_structure(m, n, b, steps=2 * task["T"], alpha=model["alpha"], grid=grid)
    return xr.Dataset({k: (dims, v) for k, v in s.items()},
                      coords={d: ds[d].values for d in dims})


def ghost_lag(ds, timeline=None) -> dict:
    """Ghost epoch, drop epoch and their lag for every run (see the module docstring).

    Returns arrays over (*sweep, lr, seed): ``ghost_epoch`` (NaN if no ghost ever lay on the path),
    ``drop_epoch`` and ``lag``, plus ``resolution`` (the largest checkpoint spacing).
    """
    timeline = ghost_timeline(ds) if timeline is None else timeline
    epochs = timeline["checkpoint"].values.astype(float)
    on = timeline["ghost_on_path"].values
    first = np.where(on.any(axis=-1), epochs[np.argmax(on, axis=-1)], np.nan)
    drop = ds["drop_epoch"].values.astype(float)
    return {"ghost_epoch": first, "drop_epoch": drop, "lag": first - drop,
            "resolution": float(np.max(np.diff(epochs))) if epochs.size > 1 else np.nan}


def lag_summary(lag: dict) -> dict:
    """The distribution of ghost epoch - drop epoch over the runs where both exist, with its sign."""
    values = np.asarray(lag["lag"], dtype=float).ravel()
    values = values[np.isfinite(values)]
    total = int(np.asarray(lag["lag"]).size)
    if not values.size:
        return {"runs": total, "with_ghost": 0}
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {
        "runs": total,
        "with_ghost": int(values.size),
        "median": float(median), "q1": float(q1), "q3": float(q3),
        "min": float(values.min()), "max": float(values.max()),
        "fraction_before_drop": float(np.mean(values < 0)),
        "fraction_after_drop": float(np.mean(values > 0)),
        "resolution": lag["resolution"],
    }


def trapped_flows(ds, timeline) -> dict:
    """The flow after the last large step of every run that ends trapped, in the reduced model's terms.

    Returns, over the trapped runs: the number of fixed points at the last checkpoint, where the
    trial's trajectory ends (below the readout threshold kappa = 1 means the output stays off),
    and whether a ghost still lies on the path.
    """
    trapped = ds["regime"].values == TRAPPED
    last = {k: timeline[k].values[..., -1][trapped] for k in ("n_fixed", "kappa_end", "ghost_on_path")}
    return {"runs": int(trapped.sum()), **last}


def dwell_time(m, n, b, kappa_g, half_width: float, *, alpha: float = 0.5, max_steps: int = 100_000) -> dict:
    """Time the network's own latent update spends crossing a ghost's bottleneck, against the theory.

    Starting at kappa_g - half_width, the map kappa <- (1 - alpha) kappa + alpha n.tanh(m kappa + b)
    (the network's update in its latent variable: an Euler step of dt = alpha tau of the flow) is
    iterated until kappa > kappa_g + half_width. The time, steps x alpha in units of tau, is set
    against the canonical form's crossing time (2 / sqrt r) atan(|A| L / sqrt r) for the half-width
    L (A = f''(kappa_g) / 2) and against the full passage pi / sqrt(r_eff).
    Arrays of parameters (..., N) and kappa_g (...) are handled at once.
    """
    if not np.isfinite(half_width) or half_width <= 0:
        raise ValueError(f"half_width must be a positive finite number, got {half_width!r}")
    m, n, b = (np.asarray(a, dtype=float) for a in (m, n, b))
    kappa_g = np.asarray(kappa_g, dtype=float)
    f, df, d2f = (v[..., 0] for v in latent_flow(m, n, b, kappa_g[..., None]))
    r = 0.5 * d2f * f - df**2 / 4
    A = 0.5 * d2f
    kappa = kappa_g - half_width
    steps = np.zeros(kappa_g.shape, dtype=int)
    active = np.isfinite(kappa) & (r > 0)
    for _ in range(max_steps):
        if not active.any():
            break
        update = (1 - alpha) * kappa + alpha * np.einsum("...i,...i->...", n, np.tanh(m * kappa[..., None] + b))
        kappa = np.where(active, update, kappa)
        steps = steps + active
        active = active & (kappa <= kappa_g + half_width)
    measured = np.where(active | ~(r > 0), np.nan, steps * alpha)
    with np.errstate(invalid="ignore"):
        crossing = 2 / np.sqrt(r) * np.arctan(np.abs(A) * half_width / np.sqrt(r))
    return {"measured": measured, "predicted_crossing": crossing, "passage_time": np.pi / np.sqrt(r), "r_eff": r}
