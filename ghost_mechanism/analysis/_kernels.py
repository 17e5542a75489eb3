"""Compiled gradient-descent sweep: many runs, no histories, statistics on the fly.

Mirrors :func:`ghost_mechanism.analysis.dynamics.descend` followed by
:func:`ghost_mechanism.analysis.regimes.window_stats`, which remain the plain numpy reference
that the tests compare this kernel against. Runs are spread over threads with ``prange``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

SHARP, TABLE = 0, 1


@njit(cache=True, inline="always", error_model="numpy")
def _sharp(r, T, zone_edge, r_star, per_T):
    """Sharp loss and gradient, operation for operation as the numpy closed form."""
    if r <= zone_edge:
        loss, slope = T, 0.0
    else:
        inv_root = 1.0 / math.sqrt(r)
        loss = abs(T - (math.pi / 2) * inv_root)
        slope = (math.pi / 4) * inv_root * inv_root * inv_root
        if r < r_star:
            slope = -slope
        elif r == r_star:
            slope = 0.0
    if per_T:
        return loss / T, slope / T
    return loss, slope


@njit(cache=True, inline="always", error_model="numpy")
def _table(r, grid, loss, grad):
    """Piecewise-linear lookup clamped at the ends, in numpy.interp's arithmetic."""
    n = grid.size
    if r <= grid[0]:
        return loss[0], grad[0]
    if r >= grid[n - 1]:
        return loss[n - 1], grad[n - 1]
    j = np.searchsorted(grid, r, side="right") - 1
    if r == grid[j]:
        return loss[j], grad[j]
    span = grid[j + 1] - grid[j]
    return ((loss[j + 1] - loss[j]) / span) * (r - grid[j]) + loss[j], ((grad[j + 1] - grad[j]) / span) * (
        r - grid[j]
    ) + grad[j]


@njit(parallel=True, cache=True, error_model="numpy")
def sweep(  # pragma: no cover - compiled
    r0, eta, T, per_T, r_min, table_index, mode, grids, losses, grads,
    epochs, window, plateau_tol, learn_level,
    out_r, out_loss, out_stats,
):
    """Run every descent for ``epochs`` epochs; fill final r, loss and 13 statistics per run.

    out_stats columns, in the order of regimes.WindowStats: nonfinite, r_max, r_min_seen,
    max_deviation, deviation_head, deviation_tail, crossings, max_abs_grad, min_loss,
    drop_epoch, drop_sharpness, plateau_length, epochs_to_learn (NaN if never).
    """
    first_window_epoch = epochs - window + 1
    quarter = max(1, window // 4)
    head_end = epochs - window + quarter  # last epoch of the window's first quarter
    tail_start = epochs - quarter + 1
    for i in prange(r0.size):
        r = r0[i]
        k_table = table_index[i]
        zone_edge = math.pi**2 / (16.0 * T[i] ** 2)
        r_star = math.pi**2 / (4.0 * T[i] ** 2)
        if mode == SHARP:
            L, g = _sharp(r, T[i], zone_edge, r_star, per_T)
        else:
            L, g = _table(r, grids[k_table], losses[k_table], grads[k_table])
        L0 = L
        prev_L = L
        best_drop, drop_epoch = -np.inf, 0
        plateau, learn = -1, -1
        if L < learn_level[i]:
            learn = 0
        nonfinite = False
        r_max, r_low, max_dev, crossings = -np.inf, np.inf, 0.0, 0
        dev_head, dev_tail = 0.0, 0.0
        max_g, min_L = 0.0, np.inf
        prev_side = 0.0
        if first_window_epoch <= 0:
            r_max, r_low, max_dev = r, r, abs(r - r_min[i])
            if head_end >= 0:
                dev_head = max_dev
            if tail_start <= 0:
                dev_tail = max_dev
            max_g, min_L = abs(g), L
            prev_side = np.sign(r - r_min[i])
        for k in range(1, epochs + 1):
            r = r - eta[i] * g
            if not math.isfinite(r):
                nonfinite = True
                break
            if mode == SHARP:
                L, g = _sharp(r, T[i], zone_edge, r_star, per_T)
            else:
                L, g = _table(r, grids[k_table], losses[k_table], grads[k_table])
            drop = prev_L - L
            if drop > best_drop:
                best_drop, drop_epoch = drop, k
            if plateau < 0 and abs(L - L0) > plateau_tol * abs(L0):
                plateau = k
            if learn < 0 and L < learn_level[i]:
                learn = k
            if k >= first_window_epoch:
                side = np.sign(r - r_min[i])
                if k > first_window_epoch or first_window_epoch <= 0:
                    if side * prev_side < 0:
                        crossings += 1
                prev_side = side
                r_max = max(r_max, r)
                r_low = min(r_low, r)
                dev = abs(r - r_min[i])
                max_dev = max(max_dev, dev)
                if k <= head_end:
                    dev_head = max(dev_head, dev)
                if k >= tail_start:
                    dev_tail = max(dev_tail, dev)
                max_g = max(max_g, abs(g))
                min_L = min(min_L, L)
            prev_L = L
        out_r[i] = r
        out_loss[i] = L
        s = out_stats[i]
        s[0] = 1.0 if nonfinite else 0.0
        s[1], s[2], s[3], s[4], s[5], s[6] = r_max, r_low, max_dev, dev_head, dev_tail, crossings
        s[7], s[8], s[9], s[10] = max_g, min_L, drop_epoch, best_drop
        s[11] = plateau if plateau >= 0 else epochs
        s[12] = learn if learn >= 0 else np.nan
