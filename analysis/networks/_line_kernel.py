"""The compiled 1-D descent of :func:`analysis.networks.own_model.descend_line` (numba).

One run is a chain of dependent lookups, so runs are spread over threads and each is advanced
through all its epochs in registers; the statistics are those of the network engine's
``_update_stats`` (:mod:`.training.segment`), over the same window and quarters. The step is
heavy-ball momentum in PyTorch's (and optax's) convention, v <- mu v + g, s <- s - eta v; with
mu = 0 it is plain gradient descent, bit for bit (v = 0 v + g = g for the table's finite slopes).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

STATS = ("initial_loss", "last_loss", "max_grad", "window_min_loss", "window_max_loss", "window_max_grad",
         "head_max", "head_min", "tail_max", "tail_min")


@njit(parallel=True, cache=True, error_model="numpy")
def descend(first, step, n_points, loss, slope, start, table_of, eta, momentum, epochs, window_start, quarter,
            out_stats, out_s, out_left):  # pragma: no cover - compiled
    """Advance run i from start[table_of[i]] at rate eta[i]; fill its statistics (columns of STATS)."""
    for i in prange(eta.size):
        k = table_of[i]
        base = k * n_points
        s = start[k]
        v = 0.0
        far = first[k] + step[k] * (n_points - 1)
        max_g = -np.inf
        w_min, w_max, w_g = np.inf, -np.inf, -np.inf
        h_max, h_min, t_max, t_min = -np.inf, np.inf, -np.inf, np.inf
        L = np.nan
        L0 = np.nan
        left = False
        for epoch in range(epochs):
            position = (s - first[k]) / step[k]
            if position < 0.0:
                position = 0.0
            elif position > n_points - 1.0:
                position = n_points - 1.0
            j = min(int(position), n_points - 2)
            w = position - j
            L = loss[base + j] + w * (loss[base + j + 1] - loss[base + j])
            g = slope[base + j] + w * (slope[base + j + 1] - slope[base + j])
            if epoch == 0:
                L0 = L
            a = abs(g)
            if a > max_g:
                max_g = a
            if epoch >= window_start:
                w_min, w_max, w_g = min(w_min, L), max(w_max, L), max(w_g, a)
                if epoch < window_start + quarter:
                    h_max, h_min = max(h_max, L), min(h_min, L)
            if epoch >= epochs - quarter:
                t_max, t_min = max(t_max, L), min(t_min, L)
            v = momentum * v + g
            s = s - eta[i] * v
            if s > far:
                left = True
        out_stats[i, 0], out_stats[i, 1], out_stats[i, 2] = L0, L, max_g
        out_stats[i, 3], out_stats[i, 4], out_stats[i, 5] = w_min, w_max, w_g
        out_stats[i, 6], out_stats[i, 7], out_stats[i, 8], out_stats[i, 9] = h_max, h_min, t_max, t_min
        out_s[i] = s
        out_left[i] = left
