"""The local normal form of a flow at a point: the slow direction, c0, A and r_eff.

With the slow right and left eigenvectors v, w of the Jacobian (J v = lambda v, w^T J = lambda w^T,
w.v = 1), the slow coordinate s in x = x_g + s v obeys, to second order, s' = c0 + lambda s + A s^2
with c0 = w.F(x_g) and A = (1/2) w.D^2F(x_g)[v, v]; completing the square gives y' = y^2 + r_eff,
r_eff = A c0 - lambda^2 / 4 (see :mod:`analysis.ghosts`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .dynamics import Flow, Map
from .field import as_field
from .kernels import FieldKernels, kernels_for


def local_form(kernels: FieldKernels, x: np.ndarray, p=()) -> dict:
    """:func:`normal_form` with compiled kernels and the field's parameters ``p`` (inside an x64 scope)."""
    import jax.numpy as jnp

    xj = jnp.asarray(x)
    J = np.asarray(kernels.J(xj, p))
    f = np.asarray(kernels.F(xj, p))
    values, right = np.linalg.eig(J)
    order = np.argsort(np.abs(values), kind="stable")
    values, right = values[order], right[:, order]
    lam = values[0]
    left_values, left = np.linalg.eig(J.T)
    w = left[:, np.argmin(np.abs(left_values - lam))].real
    v = right[:, 0].real
    v = v / np.linalg.norm(v)
    lam_r = float(lam.real)
    overlap = float(w @ v)
    # A fold has one real slow eigenvalue. When the slowest is one of a complex pair, the real
    # parts of its vectors need not overlap, and the 1-D normal form does not apply: NaN.
    if abs(lam.imag) > 1e-9 * max(1.0, abs(lam)) or abs(overlap) < 1e-12:
        nan = float("nan")
        return {"eigenvalues": values, "v": v, "w": np.full_like(v, nan), "lam": lam_r, "A": nan, "c0": nan,
                "r_eff": nan, "speed": float(np.linalg.norm(f))}
    w = w / overlap
    A = 0.5 * float(w @ np.asarray(kernels.second(xj, jnp.asarray(v), p)))
    c0 = float(w @ f)
    return {"eigenvalues": values, "v": v, "w": w, "lam": lam_r, "A": A, "c0": c0, "r_eff": A * c0 - lam_r**2 / 4,
            "speed": float(np.linalg.norm(f))}


def normal_form(field_spec: Flow | Map | Callable | tuple, x: np.ndarray | Sequence[float]) -> dict:
    """The slow eigen-direction and local normal form of a flow at ``x`` (see :mod:`analysis.ghosts`).

    Returns a dict with ``eigenvalues`` (sorted by |lambda|), ``v``, ``w``, ``lam`` (the slow
    eigenvalue's real part), ``A``, ``c0``, ``r_eff`` and ``speed``.

    Parameters
    ----------
    field_spec : Flow, Map, callable or (expressions, symbols)
        The system, as for :func:`find_slow_points`: a flow F(x) (a JAX-traceable callable or sympy
        expressions in their symbols), or a :class:`Flow` or :class:`Map`.
    x : array_like, shape (n,)
        The point, e.g. a ghost found by :func:`find_slow_points`.

    Returns
    -------
    dict
        ``eigenvalues`` (sorted by |lambda|), ``v``, ``w``, ``lam`` (the slow eigenvalue's real part),
        ``A``, ``c0``, ``r_eff`` and ``speed``.
    """
    import jax

    with jax.enable_x64(True):
        return local_form(kernels_for(as_field(field_spec), False), np.atleast_1d(np.asarray(x, dtype=float)))
