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
    x = np.minimum(np.maximum(x, -CLAMP), CLAMP)  # faster than the builtins (measured), the same values
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


RANK_ONE_BLOCK = 4
"""Networks per task of the rank-one epoch: their loops interleave (measured: as fast as one network per
task on one core, and it allocates a task's buffers once for all of them)."""


def _rank_one_forward(tanh, exp):
    """The forward pass of the fused rank-one epoch with the given scalar tanh and exp (one pair per dtype)."""

    @njit(inline="always", fastmath=True, error_model="numpy")
    def forward(keep, alpha, gain, x0, m, n, b, targets, mask, scale, outputs, k0, r, xs, a, kappa, g_kappa, x,
                total):  # pragma: no cover - compiled
        """One trial of a block of networks: states, tanh values, outputs, loss and dL/dkappa."""
        nl, N = x.shape
        dt = m.dtype
        for q in range(nl):
            nk, xl = n[k0 + q], x[q]
            acc = dt.type(0)
            for j in range(N):
                xl[j] = x0
                acc += nk[j] * x0
            kappa[0, q] = acc
        xs[0] = x
        for s in range(targets.shape[2]):  # kappa_s = n . x_s, x_{s+1} = keep x_s + alpha tanh(m kappa_s + b)
            for q in range(nl):
                mk, bk, at, ks = m[k0 + q], b[k0 + q], a[s, q], kappa[s, q]
                for j in range(N):
                    at[j] = tanh(mk[j] * ks + bk[j])
            for q in range(nl):
                nk, at, xl = n[k0 + q], a[s, q], x[q]
                acc = dt.type(0)
                for j in range(N):
                    v = keep * xl[j] + alpha * at[j]
                    xl[j] = v
                    acc += nk[j] * v
                kappa[s + 1, q] = acc
            xs[s + 1] = x
            for q in range(nl):  # the readout after the update, the loss and dL/dkappa_{s+1}
                k = k0 + q
                y = 1 / (1 + exp(-gain * (kappa[s + 1, q] - 1)))
                outputs[k, r, s] = y
                e = y - targets[k, r, s]
                total[q] += mask[k, r, s] * e * e
                g_kappa[s + 1, q] = 2 * scale[k] * mask[k, r, s] * e * gain * y * (1 - y)

    return forward


@njit(inline="always", fastmath=True, error_model="numpy")
def _rank_one_backward(keep, alpha, m, n, k0, a, g_kappa, d_kappa, G):  # pragma: no cover - compiled
    """Backpropagation through one trial: dL/d(pre) into ``a`` (in place) and dL/dkappa_s into ``d_kappa``."""
    nl, N = G.shape
    G[:] = 0
    for s in range(a.shape[0] - 1, -1, -1):  # G: dL/dx_{s+1} from the later steps on entry, dL/dx_s on exit
        for q in range(nl):
            g, nk, mk, at, Gl = g_kappa[s + 1, q], n[k0 + q], m[k0 + q], a[s, q], G[q]
            acc = m.dtype.type(0)
            for j in range(N):
                Gj = Gl[j] + g * nk[j]
                aj = at[j]
                dz = (alpha - alpha * aj * aj) * Gj
                at[j] = dz
                Gl[j] = Gj
                acc += dz * mk[j]
            d_kappa[s, q] = acc
        for q in range(nl):
            nk, Gl, dk = n[k0 + q], G[q], d_kappa[s, q]
            for j in range(N):
                Gl[j] = keep * Gl[j] + dk * nk[j]


def _rank_one_epoch(forward):
    """The fused rank-one epoch around a forward pass of :func:`_rank_one_forward` (the loops are the same
    for every dtype)."""
    L = RANK_ONE_BLOCK

    @njit(parallel=True, fastmath=True, cache=True, error_model="numpy")
    def epoch(keep, alpha, gain, x0, m, n, b, targets, mask, scale, loss, outputs, dm, dn, db):  # pragma: no cover
        B, R, S = targets.shape
        N = m.shape[1]
        dt = m.dtype
        for block in prange((B + L - 1) // L):
            k0 = block * L
            nl = min(L, B - k0)
            xs = np.empty((S + 1, nl, N), dt)  # the block's states and tanh values stay in the core's cache
            a = np.empty((S, nl, N), dt)  # the tanh values, then in place the adjoints dL/d(pre)
            kappa, g_kappa = np.empty((S + 1, nl), dt), np.empty((S + 1, nl), dt)
            d_kappa = np.empty((S, nl), dt)
            x, G = np.empty((nl, N), dt), np.empty((nl, N), dt)
            total = np.zeros(nl, dt)
            dm[k0:k0 + nl], dn[k0:k0 + nl], db[k0:k0 + nl] = 0, 0, 0
            for r in range(R):
                forward(keep, alpha, gain, x0, m, n, b, targets, mask, scale, outputs, k0, r, xs, a, kappa, g_kappa,
                        x, total)
                _rank_one_backward(keep, alpha, m, n, k0, a, g_kappa, d_kappa, G)
                for q in range(nl):  # the parameters' gradients, summed over the steps
                    dmk, dnk, dbk = dm[k0 + q], dn[k0 + q], db[k0 + q]
                    for s in range(S):
                        dz, xp, xn = a[s, q], xs[s, q], xs[s + 1, q]
                        ks, g, dk = kappa[s, q], g_kappa[s + 1, q], d_kappa[s, q]
                        for j in range(N):
                            dbk[j] += dz[j]
                            dmk[j] += ks * dz[j]
                            dnk[j] += g * xn[j] + dk * xp[j]
            for q in range(nl):
                loss[k0 + q] = scale[k0 + q] * total[q]

    return epoch


@njit(inline="always", fastmath=True, error_model="numpy")
def _exp(x):  # pragma: no cover - compiled
    return np.exp(x)


rank_one_epoch32 = _rank_one_epoch(_rank_one_forward(_tanh32, _exp))
"""Loss (B,), outputs (B, R, S) and gradients dm, dn, db (B, N) of B rank-one networks with the fixed-gain
latent readout sigmoid(gain (n . x - 1)) read after each update, every unit starting at ``x0`` (float32)."""
rank_one_epoch64 = _rank_one_epoch(_rank_one_forward(_tanh64, _exp))
"""As :data:`rank_one_epoch32`, in float64."""
