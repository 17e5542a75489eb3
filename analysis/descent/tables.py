"""The finite-confidence landscape as the descent engines read it: tables and per-run constants.

:class:`GradientTable` tabulates L(r) and dL/dr of one landscape on a fine grid of r, so that long
sweeps interpolate instead of integrating. :func:`landscape_constants` gives, per run, the
quantities every regime decision needs (the minimiser, the zone edge r*/4, the plateau loss and
the slope scale), :func:`gradient_source` a function r -> (loss, grad) for the numpy loop, and
:func:`kernel_landscape` the same landscape laid out for the compiled kernels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from reduced import loss_and_grad, minimum, optimal_r, switch_optimum
from reduced.closed_forms import sharp_loss_and_gradient_unchecked
from reduced.validation import positive

_BASE_GRID = np.linspace(-3.0, 12.0, 10001)  # r / r*: the region GD visits from rho0 <= 12
_FAR_GRID = np.geomspace(12.0, 5e3, 1201)[1:]
_KINK_POINTS = np.linspace(-80.0, 80.0, 1601)  # in units of the switch width around each kink


@dataclass(frozen=True)
class GradientTable:
    """L(r) and dL/dr tabulated for one (T, a, x*, dt, convention), for fast lookups.

    The grid in rho = r/r* is uniform on [-3, 12] (spacing 0.0015), geometric up to 5000,
    and refined (1601 points over +-80 switch widths) around the two smoothed kinks: the
    minimum r_x (t_s = T) and the zone edge (t_s = 2T). Lookups interpolate linearly and
    clamp outside the grid.

    Attributes
    ----------
    T, a, x_star : float
        Delay, output confidence and readout threshold of the landscape.
    dt : float or None
        Euler step of the discrete model, or None for continuous time.
    normalized : bool
        Loss convention.
    r : ndarray
        The grid and L(r), dL/dr on it.
    loss : ndarray
        The grid and L(r), dL/dr on it.
    grad : ndarray
        The grid and L(r), dL/dr on it.
    """

    T: float
    a: float
    x_star: float
    dt: float | None
    normalized: bool
    r: np.ndarray
    loss: np.ndarray
    grad: np.ndarray

    @classmethod
    def build(cls, T: float, a: float, *, x_star: float = 10.0, dt: float | None = None, normalized: bool = True):
        """Tabulate the exact landscape (about 10^4 evaluations of :func:`loss_and_grad`)."""
        T = float(positive(T, "T"))
        a = float(positive(a, "a"))
        x_star = float(positive(x_star, "x_star"))
        r_star = optimal_r(T)
        pieces = [_BASE_GRID, _FAR_GRID]
        for delay in (T, 2 * T):
            r_kink = switch_optimum(delay, x_star)
            width = 2 * r_kink / (delay * a * (x_star**2 + r_kink))
            pieces.append((r_kink + width * _KINK_POINTS) / r_star)
        rho = np.unique(np.concatenate(pieces))
        r = rho * r_star
        loss, grad = loss_and_grad(r, T, a=a, x_star=x_star, dt=dt, normalized=normalized)
        return cls(T, a, x_star, dt, normalized, r, np.asarray(loss), np.asarray(grad))

    def __call__(self, r: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Interpolated (loss, gradient) at r."""
        r = np.asarray(r, dtype=float)
        return np.interp(r, self.r, self.loss), np.interp(r, self.r, self.grad)


@lru_cache(maxsize=256)
def _cached_table(T: float, a: float, x_star: float, dt: float | None, normalized: bool) -> GradientTable:
    # Sweeps and bisections ask for the same few landscapes again and again.
    return GradientTable.build(T, a, x_star=x_star, dt=dt, normalized=normalized)


@lru_cache(maxsize=1024)
def _cached_minimum(T: float, a: float, x_star: float, dt: float | None, normalized: bool) -> tuple:
    """(r_min, L(r_min), L(0)) of one finite-confidence landscape."""
    m = minimum(T, a, x_star=x_star, dt=dt, normalized=normalized)
    plateau = loss_and_grad(0.0, T, a=a, x_star=x_star, dt=dt, normalized=normalized)[0]
    return float(m.r_min), float(m.loss), float(plateau)


def _per_landscape(fn, T, a, x_star, dt, normalized) -> tuple[list, np.ndarray]:
    """Evaluate ``fn`` once per distinct (T, a, x*) of the batch; return values and run index."""
    keys = np.stack(np.broadcast_arrays(T, a, x_star), axis=-1).reshape(-1, 3)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    values = [fn(float(t), float(aa), float(xs), dt, normalized) for t, aa, xs in unique]
    return values, inverse.reshape(np.broadcast_shapes(T.shape, a.shape, x_star.shape))


def landscape_constants(T, a, x_star, dt, normalized):
    """r_min, r_zone, L(r_min), plateau loss and slope scale per run (broadcast arrays)."""
    r_star = np.pi**2 / (4 * T**2)
    per_T = 1 / T if normalized else np.ones_like(T)
    slope_scale = np.pi / (4 * r_star**1.5) * per_T
    if a is None:
        r_min, loss_min, zone_loss = np.array(r_star, dtype=float), np.zeros_like(T), T * per_T
    else:
        values, index = _per_landscape(_cached_minimum, T, a, x_star, dt, normalized)
        r_min, loss_min, zone_loss = (np.asarray(v)[index] for v in zip(*values, strict=True))
    return r_min, r_star / 4, loss_min, zone_loss, slope_scale


def gradient_source(T, a, x_star, dt, normalized, gradient):
    """A function r -> (loss, grad) for the whole batch."""
    if a is None:
        return lambda r: sharp_loss_and_gradient_unchecked(r, T, normalized)
    if gradient == "exact":
        return lambda r: tuple(
            np.asarray(v) for v in loss_and_grad(r, T, a=a, x_star=x_star, dt=dt, normalized=normalized)
        )
    tables = _tables_for(T, a, x_star, dt, normalized)
    index = tables.index

    def lookup(r):
        loss = np.empty_like(r)
        grad = np.empty_like(r)
        for k, table in enumerate(tables.tables):
            mask = index == k
            loss[mask], grad[mask] = table(r[mask])
        return loss, grad

    return lookup


@dataclass(frozen=True)
class _Tables:
    tables: list
    index: np.ndarray  # per run, which table


def _tables_for(T, a, x_star, dt, normalized) -> _Tables:
    """One GradientTable per distinct (T, a, x*) in the batch."""
    tables, index = _per_landscape(_cached_table, T, a, x_star, dt, normalized)
    return _Tables(tables, index)


def kernel_landscape(T, a, x_star, dt, normalized, shape):
    """(mode, per-run table index, grids, losses, grads): the landscape as the kernels take it."""
    from . import _kernels  # numba loads only when a compiled path runs

    size = int(np.prod(shape))
    if a is None:
        return _kernels.SHARP, np.zeros(size, np.int64), *(np.zeros((1, 2)),) * 3
    tables = _tables_for(T, a, x_star, dt, normalized)
    index = np.ascontiguousarray(np.broadcast_to(tables.index, shape), dtype=np.int64).ravel()
    return _kernels.TABLE, index, *_stack_tables(tables.tables)


def _stack_tables(tables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack tables of possibly different lengths, padding each with its last entry."""
    n = max(t.r.size for t in tables)

    def pad(v):
        return np.concatenate([v, np.full(n - v.size, v[-1])])

    return tuple(np.ascontiguousarray(np.stack([pad(getattr(t, k)) for t in tables])) for k in ("r", "loss", "grad"))
