"""Closed-form trajectory x(t; r, x0) of dx/dt = x^2 + r and its sensitivity dx/dr.

With x = -u'/u the Riccati equation becomes u'' + r u = 0 (see
:func:`.symbolic.trajectory`), so x(t) = N / D with

    C = cos(sqrt(r) t),  S = sin(sqrt(r) t) / sqrt(r),  N = x0 C + r S,  D = C - x0 S,

C and S being entire in r (cos/cosh, sin/sinh, and 1, t at r = 0). Differentiating N / D and
using C^2 + r S^2 = 1 gives the sensitivity in a form without cancellation:

    dx/dr = [S C - x0 S^2 + (r + x0^2) * 2 t^3 E(4 r t^2)] / D^2,   E(z) = (1 - sin(sqrt z)/sqrt z) / z.

The trajectory blows up where D first vanishes; from then on x = +inf (the output has
switched for good) and dx/dr is set to 0.
"""

from __future__ import annotations

import numpy as np

from .closed_forms import passage_time

_SERIES_Z = 1e-2  # below |z| = 0.01 the Taylor series of E is exact to double precision
_SCALED_ST = 20.0  # for r < 0 and sqrt(-r) t above this, work with tanh to avoid overflow


def _entire_pair(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Psi(z) = cos(sqrt z) and Phi(z) = sin(sqrt z)/sqrt z, continued to z < 0 by cosh, sinh.

    Each element takes only its own branch (boolean indexing), which halves the number of
    transcendental evaluations compared with computing both and selecting.
    """
    root = np.sqrt(np.abs(z))
    psi = np.empty_like(z)
    odd = np.empty_like(z)
    pos = z >= 0
    neg = ~pos
    psi[pos] = np.cos(root[pos])
    odd[pos] = np.sin(root[pos])
    with np.errstate(over="ignore"):
        psi[neg] = np.cosh(root[neg])
        odd[neg] = np.sinh(root[neg])
    tiny = root == 0
    phi = odd / np.where(tiny, 1.0, root)
    phi[tiny] = 1.0
    return psi, phi


def _e_function(z: np.ndarray, phi_z: np.ndarray) -> np.ndarray:
    """E(z) = (1 - Phi(z)) / z given Phi(z), by its Taylor series near 0."""
    small = np.abs(z) < _SERIES_Z
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = (1 - phi_z) / np.where(small, 1.0, z)
    zs = z[small]
    out[small] = 1 / 6 - zs / 120 + zs**2 / 5040 - zs**3 / 362880
    return out


def trajectory_and_sensitivity(t, r, x0=0.0, blowup=None) -> tuple[np.ndarray, np.ndarray]:
    """x(t) and dx/dr along dx/dt = x^2 + r from x(0) = x0, broadcast over t, r and x0.

    Inputs are assumed validated (finite r and x0, t >= 0). Past the blow-up time the state
    is +inf and the sensitivity 0. ``blowup`` (broadcastable) saves recomputing the blow-up
    time per node when the caller has it per trajectory.

    Returns
    -------
    x : ndarray
    dxdr : ndarray
    """
    if blowup is None:
        blowup = passage_time(r, x0, np.inf)
    t, r, x0, blowup = np.broadcast_arrays(*(np.asarray(v, float) for v in (t, r, x0, blowup)))
    alive = t < blowup

    # Moebius form, bounded for r >= 0 and moderate for r < 0 while s t <= 20.
    z = r * t**2
    scaled = z < -(_SCALED_ST**2)
    z[scaled] = 0.0
    C, phi = _entire_pair(z)
    S = t * phi
    N = x0 * C + r * S
    D = C - x0 * S
    # Phi(4z) = Phi(z) Psi(z): the double-angle identity saves a second evaluation
    num = S * C - x0 * S**2 + (r + x0**2) * 2 * t**3 * _e_function(4 * z, phi * C)
    if scaled.any():
        N[scaled], D[scaled], num[scaled] = _scaled_negative(t[scaled], r[scaled], x0[scaled])

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = np.where(alive, N / np.where(alive, D, 1.0), np.inf)
        dxdr = np.where(alive, num / np.where(alive, D, 1.0) ** 2, 0.0)
    return x, dxdr


def _scaled_negative(t, r, x0):
    """N/C, D/C and numerator/C^2 for r < 0 and large s t, with C = cosh(s t), by tanh."""
    s = np.sqrt(-r)
    st = s * t
    th = np.tanh(st)
    sc = th / s  # S / C
    e_over_c2 = (1 - th**2 - th / st) / (4 * r * t**2)
    return x0 + r * sc, 1 - x0 * sc, sc - x0 * sc**2 + (r + x0**2) * 2 * t**3 * e_over_c2
