"""Compiled rollouts of the rate networks, forward and backward, one network per thread (numba).

x_{t+1} = (1 - alpha) x_t + alpha tanh(x_t W + d_t) for every step and trial of a network, with W
full rank (row convention, shape (N, N)). Arrays carry a leading
axis of networks; each network's epoch runs from its own weights, which stay in the core's cache
for all its steps (an XLA program vmapped over networks advances every network one step at a
time instead, and streams all their weights through memory at every step). The backward pass is
backpropagation through time from the kept tanh values a_t (see :mod:`.rollout`).

In float32 the tanh is the rational approximation XLA's CPU backend uses (clamped at
|x| = 7.905..., a degree-13 odd numerator over a degree-6 even denominator, maximum error 2.6e-7
against the exact tanh), written so that it vectorises; float64 uses the C library's tanh.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

_F = np.float32
_CLAMP = _F(7.90531110763549805)
_P = tuple(_F(c) for c in (-2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
                           5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04,
                           4.89352455891786e-03))
_Q = tuple(_F(c) for c in (1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03,
                           4.89352518554385e-03))
P0, P1, P2, P3, P4, P5, P6 = _P
Q0, Q1, Q2, Q3 = _Q
CLAMP = _CLAMP


@njit(inline="always", fastmath=True, error_model="numpy")
def _tanh32(x):  # pragma: no cover - compiled
    x = min(max(x, -CLAMP), CLAMP)
    x2 = x * x
    p = x2 * P0 + P1
    p = x2 * p + P2
    p = x2 * p + P3
    p = x2 * p + P4
    p = x2 * p + P5
    p = x2 * p + P6
    q = x2 * Q0 + Q1
    q = x2 * q + Q2
    q = x2 * q + Q3
    return x * p / q


def _full_forward(tanh):
    """The forward kernel with the given scalar tanh (one per dtype; the loops are the same)."""

    @njit(parallel=True, fastmath=True, cache=True, error_model="numpy")
    def forward(keep, alpha, W, drive, x0, xs, a):  # pragma: no cover - compiled
        B, S, R, N = drive.shape
        for b in prange(B):
            pre = np.empty(N, xs.dtype)
            for r in range(R):
                x = x0[b, r].copy()
                for s in range(S):
                    pre[:] = drive[b, s, r]
                    for i in range(N):
                        xi = x[i]
                        for j in range(N):
                            pre[j] += xi * W[b, i, j]
                    for j in range(N):
                        t = tanh(pre[j])
                        a[b, s, r, j] = t
                        x[j] = keep * x[j] + alpha * t
                        xs[b, s, r, j] = x[j]

    return forward


@njit(inline="always")
def _tanh64(x):  # pragma: no cover - compiled
    return np.tanh(x)


full_forward32 = _full_forward(_tanh32)
"""States xs and tanh values a, shape (B, S, R, N), of B full-rank networks (float32)."""
full_forward64 = _full_forward(_tanh64)
"""As :data:`full_forward32`, in float64 with the C library's tanh."""


@njit(parallel=True, fastmath=True, cache=True, error_model="numpy")
def full_backward(keep, alpha, W, x0, xs, a, g, dW, dz, dx0):  # pragma: no cover - compiled
    """Gradients dW (B, N, N), d drive = dz (B, S, R, N) and dx0 (B, R, N) from g = dL/dxs."""
    B, S, R, N = xs.shape
    for b in prange(B):
        G = np.empty(N, xs.dtype)
        d = np.empty(N, xs.dtype)
        dW[b] = 0
        for r in range(R):
            G[:] = 0
            for s in range(S - 1, -1, -1):
                for j in range(N):
                    G[j] += g[b, s, r, j]
                    aj = a[b, s, r, j]
                    d[j] = (alpha - alpha * aj * aj) * G[j]
                    dz[b, s, r, j] = d[j]
                prev = x0[b, r] if s == 0 else xs[b, s - 1, r]
                for i in range(N):
                    xi = prev[i]
                    acc = keep * G[i]
                    for j in range(N):
                        dW[b, i, j] += xi * d[j]
                        acc += W[b, i, j] * d[j]
                    G[i] = acc
            dx0[b, r] = G
