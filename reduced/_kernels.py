"""Compiled (numba) kernels for the discrete-time Euler model.

Each kernel mirrors a plain numpy implementation that stays the reference: the tests run both
and require agreement to rounding. Loops run over runs in parallel (``prange``) and over time
steps serially, so memory stays O(number of runs).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always", error_model="numpy")
def _readout(u):
    """(y, 1 - y) for y = sigmoid(u), each computed without cancellation or overflow."""
    e = math.exp(-abs(u))
    big = 1.0 / (1.0 + e)
    small = e * big
    if u >= 0.0:
        return big, small
    return small, big


@njit(parallel=True, cache=True, error_model="numpy")
def euler_loss_and_grad(r, T, a, x_star, x0, dt, clip, want_grad, loss, grad):  # pragma: no cover - compiled
    """Fill ``loss`` and ``grad`` (un-normalised sums times dt) for flat, equal-length inputs."""
    for i in prange(r.size):
        n_steps = int(np.rint(2.0 * T[i] / dt[i]))
        switch = T[i] / dt[i]
        x = x0[i]
        sens = 0.0
        total = 0.0
        total_grad = 0.0
        h, ri, ci, ai, xi = dt[i], r[i], clip[i], a[i], x_star[i]
        for n in range(1, n_steps + 1):
            x_next = x + h * (x * x + ri)
            if want_grad:
                sens = sens + h * (2.0 * x * sens + 1.0)
            if not (abs(x_next) < ci):
                x_next = ci if x_next > 0 else -ci
                sens = 0.0
            x = x_next
            y, y_comp = _readout(ai * (x - xi))
            late = n > switch
            miss = y_comp if late else y
            total += miss * miss
            slope = y * y_comp
            if want_grad and slope != 0.0:  # a saturated readout ignores even an overflowed sensitivity
                total_grad += (-2.0 if late else 2.0) * miss * slope * sens
            if x == ci and ci * ci + ri > 0.0:
                # Blown up: the state is pinned at the clip for good and the sensitivity is
                # 0, so the remaining steps add a known constant each; sum them at once.
                early_left = max(0, min(n_steps, int(math.floor(switch))) - n)
                total += early_left * y * y + (n_steps - n - early_left) * y_comp * y_comp
                break
        loss[i] = h * total
        grad[i] = h * ai * total_grad
