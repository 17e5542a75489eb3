"""Compiled gradient-descent sweep: many runs, no histories, statistics on the fly.

Mirrors :func:`analysis.descend` followed by
:func:`analysis.regimes.window_stats`, which remain the plain numpy reference
that the tests compare this kernel against. Runs are spread over threads with ``prange``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

SHARP, TABLE = 0, 1
SGD, MOMENTUM, ADAM = 0, 1, 2  # the order of analysis.optimizers.OPTIMIZERS


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


@njit(cache=True, inline="always", error_model="numpy")
def _update(opt, grad, first, second, eta, mu, b1, b2, eps, bias1, bias2):
    """(delta r, first, second) of one step, operation for operation as optimizers.step.

    bias1 = 1 - b1^k and bias2 = 1 - b2^k are Adam's corrections at step k (passed in, being
    the same for every run of a step).
    """
    if opt == SGD:
        return eta * grad, first, second
    if opt == MOMENTUM:
        first = mu * first + grad
        return eta * first, first, second
    first = b1 * first + (1 - b1) * grad
    second = b2 * second + (1 - b2) * grad * grad
    return eta * (first / bias1) / (math.sqrt(second / bias2) + eps), first, second


@njit(cache=True, inline="always", error_model="numpy")
def _landscape(mode, r, T, zone_edge, r_star, per_T, grid, loss, grad):
    if mode == SHARP:
        return _sharp(r, T, zone_edge, r_star, per_T)
    return _table(r, grid, loss, grad)


@njit(parallel=True, cache=True, error_model="numpy")
def history(  # pragma: no cover - compiled
    r0, eta, mu, T, per_T, table_index, mode, grids, losses, grads, opt, b1, b2, eps,
    record, out_r, out_loss, out_grad,
):
    """Every descent for record[-1] epochs; r, loss and gradient at the epochs in ``record``.

    ``record`` is sorted and starts at 0. A run whose r turns non-finite is frozen: NaN from then
    on, as in :func:`analysis.descend`'s numpy path.
    """
    epochs = record[record.size - 1]
    for i in prange(r0.size):
        zone_edge = math.pi**2 / (16.0 * T[i] ** 2)
        r_star = math.pi**2 / (4.0 * T[i] ** 2)
        k_table = table_index[i]
        r = r0[i]
        L, g = _landscape(mode, r, T[i], zone_edge, r_star, per_T, grids[k_table], losses[k_table], grads[k_table])
        first = 0.0
        second = 0.0
        bias1 = 1.0
        bias2 = 1.0
        slot = 0
        alive = True
        for k in range(epochs + 1):
            if k == record[slot]:
                out_r[slot, i], out_loss[slot, i], out_grad[slot, i] = r, L, g
                slot += 1
            if k == epochs:
                break
            if not alive:
                continue
            bias1 *= b1
            bias2 *= b2
            delta, first, second = _update(opt, g, first, second, eta[i], mu[i], b1, b2, eps, 1 - bias1, 1 - bias2)
            r = r - delta
            if not math.isfinite(r):
                alive = False
                r, L, g = np.nan, np.nan, np.nan
                continue
            L, g = _landscape(mode, r, T[i], zone_edge, r_star, per_T, grids[k_table], losses[k_table], grads[k_table])


BLOCK = 8  # runs advanced together: their independent steps overlap in the CPU pipeline


@njit(parallel=True, cache=True, error_model="numpy")
def sweep(  # pragma: no cover - compiled
    r0, eta, mu, T, per_T, r_min, table_index, mode, grids, losses, grads, opt, b1, b2, eps,
    epochs, window, plateau_tol, learn_level,
    out_r, out_loss, out_stats,
):
    """Run every descent for ``epochs`` epochs; fill final r, loss and 13 statistics per run.

    out_stats columns, in the order of regimes.WindowStats: nonfinite, r_max, r_min_seen,
    max_deviation, deviation_head, deviation_tail, crossings, max_abs_grad, min_loss,
    drop_epoch, drop_sharpness, plateau_length, epochs_to_learn (NaN if never).

    One descent is a chain of dependent square roots and divisions, so a single run at a
    time leaves the CPU waiting on latency; runs are advanced in blocks of BLOCK, epoch by
    epoch (about 3x faster per core), and threads take whole blocks.

    This kernel must stay whole (over 100 lines): numba compiles one function, and the per-epoch
    statistics live in its registers; split into helpers, they would pass through memory.
    """
    first_window_epoch = epochs - window + 1
    quarter = max(1, window // 4)
    head_end = epochs - window + quarter  # last epoch of the window's first quarter
    tail_start = epochs - quarter + 1
    n_blocks = (r0.size + BLOCK - 1) // BLOCK
    for b in prange(n_blocks):
        lo = b * BLOCK
        m = min(BLOCK, r0.size - lo)
        r = np.empty(m)
        L = np.empty(m)
        g = np.empty(m)
        first = np.zeros(m)  # optimiser state: velocity or Adam's first moment
        second = np.zeros(m)  # Adam's second moment
        bias1 = 1.0
        bias2 = 1.0
        L0 = np.empty(m)
        prev_L = np.empty(m)
        best_drop = np.full(m, -np.inf)
        drop_epoch = np.zeros(m, np.int64)
        plateau = np.full(m, -1, np.int64)
        learn = np.full(m, -1, np.int64)
        alive = np.ones(m, np.bool_)
        r_max = np.full(m, -np.inf)
        r_low = np.full(m, np.inf)
        max_dev = np.zeros(m)
        dev_head = np.zeros(m)
        dev_tail = np.zeros(m)
        crossings = np.zeros(m, np.int64)
        max_g = np.zeros(m)
        min_L = np.full(m, np.inf)
        prev_side = np.zeros(m)
        zone_edge = np.empty(m)
        r_star = np.empty(m)
        for j in range(m):
            i = lo + j
            zone_edge[j] = math.pi**2 / (16.0 * T[i] ** 2)
            r_star[j] = math.pi**2 / (4.0 * T[i] ** 2)
            r[j] = r0[i]
            k_table = table_index[i]
            L[j], g[j] = _landscape(mode, r[j], T[i], zone_edge[j], r_star[j], per_T,
                                    grids[k_table], losses[k_table], grads[k_table])
            L0[j] = L[j]
            prev_L[j] = L[j]
            if L[j] < learn_level[i]:
                learn[j] = 0
            if first_window_epoch <= 0:
                dev = abs(r[j] - r_min[i])
                r_max[j], r_low[j], max_dev[j] = r[j], r[j], dev
                if head_end >= 0:
                    dev_head[j] = dev
                if tail_start <= 0:
                    dev_tail[j] = dev
                max_g[j], min_L[j] = abs(g[j]), L[j]
                prev_side[j] = np.sign(r[j] - r_min[i])
        for k in range(1, epochs + 1):
            bias1 *= b1
            bias2 *= b2
            in_window = k >= first_window_epoch
            count_crossing = k > first_window_epoch or first_window_epoch <= 0
            for j in range(m):
                if not alive[j]:
                    continue
                i = lo + j
                delta, first[j], second[j] = _update(
                    opt, g[j], first[j], second[j], eta[i], mu[i], b1, b2, eps, 1 - bias1, 1 - bias2)
                rj = r[j] - delta
                if not math.isfinite(rj):
                    alive[j] = False
                    r[j] = rj
                    continue
                r[j] = rj
                k_table = table_index[i]
                Lj, gj = _landscape(mode, rj, T[i], zone_edge[j], r_star[j], per_T,
                                    grids[k_table], losses[k_table], grads[k_table])
                L[j], g[j] = Lj, gj
                drop = prev_L[j] - Lj
                if drop > best_drop[j]:
                    best_drop[j], drop_epoch[j] = drop, k
                if plateau[j] < 0 and abs(Lj - L0[j]) > plateau_tol * abs(L0[j]):
                    plateau[j] = k
                if learn[j] < 0 and Lj < learn_level[i]:
                    learn[j] = k
                if in_window:
                    side = np.sign(rj - r_min[i])
                    if count_crossing and side * prev_side[j] < 0:
                        crossings[j] += 1
                    prev_side[j] = side
                    r_max[j] = max(r_max[j], rj)
                    r_low[j] = min(r_low[j], rj)
                    dev = abs(rj - r_min[i])
                    max_dev[j] = max(max_dev[j], dev)
                    if k <= head_end:
                        dev_head[j] = max(dev_head[j], dev)
                    if k >= tail_start:
                        dev_tail[j] = max(dev_tail[j], dev)
                    max_g[j] = max(max_g[j], abs(gj))
                    min_L[j] = min(min_L[j], Lj)
                prev_L[j] = Lj
        for j in range(m):
            i = lo + j
            out_r[i] = r[j]
            out_loss[i] = L[j]
            s = out_stats[i]
            s[0] = 0.0 if alive[j] else 1.0
            s[1], s[2], s[3], s[4], s[5], s[6] = r_max[j], r_low[j], max_dev[j], dev_head[j], dev_tail[j], crossings[j]
            s[7], s[8], s[9], s[10] = max_g[j], min_L[j], drop_epoch[j], best_drop[j]
            s[11] = plateau[j] if plateau[j] >= 0 else epochs
            s[12] = learn[j] if learn[j] >= 0 else np.nan
