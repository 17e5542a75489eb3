"""The search: every slow point of a field from many starts, classified with its local normal form."""

from __future__ import annotations

import numpy as np

from reduced.validation import positive_int, positive_scalar

from .field import as_field, check_field, search_starts
from .kernels import FieldKernels, kernels_for, merge_points, minimize_q
from .local_form import local_form
from .result import KINDS, SlowPoints


def find_slow_points(
    field_spec,
    starts=None,
    *,
    box: tuple | None = None,
    n_box: int = 0,
    fixed_tol: float = 1e-10,
    slow_tol: float = 1e-4,
    merge_tol: float = 1e-6,
    max_iter: int = 200,
    coarse_steps: int = 200,
    coarse_merge: float = 0.05,
    seed: int = 0,
    params=None,
) -> SlowPoints:
    """Find the fixed points, ghosts and other slow points of dx/dt = F(x).

    Parameters
    ----------
    field_spec : callable or (expressions, symbols)
        A JAX-traceable F taking and returning 1-D arrays of length n, or a sympy field. With
        ``params``, F is called as F(x, params).
    starts : array_like, shape (points, n), optional
        Initial guesses, e.g. every state visited along trajectories.
    box : (low, high), optional
        Also start from ``n_box`` points drawn uniformly in this box (seeded by ``seed``).
    fixed_tol : float
        A point is fixed when |F| <= fixed_tol * max(1, median speed at the starts).
    slow_tol : float
        An eigenvalue is slow when |lambda| <= slow_tol * max(1, largest |lambda|).
    merge_tol : float
        Points closer than merge_tol * (1 + their norm) are one point.
    max_iter : int
        Newton steps at most per candidate.
    coarse_steps, coarse_merge : int, float
        The search first takes ``coarse_steps`` cheap descent steps (Adam, lr 1e-2) from every
        start and merges the results closer than ``coarse_merge`` times the states' extent
        (1 + max |x_i|), keeping the slowest of each group; the Newton iteration then starts from
        these candidates only. Two slow points closer than that, reached from the same group, are
        found as one (the reference code merges at a similar scale: it rounds the first three
        principal components to 0.1). ``coarse_steps=0, coarse_merge`` tiny runs Newton from every
        start.
    params : pytree of arrays, optional
        Parameters of the field, passed as F(x, params). The search is compiled once per field
        function (and shape) and reused while that function lives, so searching one network's
        flow at many checkpoints compiles once: pass the same function with each checkpoint's
        parameters (e.g. ``model.flow_function()``) instead of a new closure each time.

    Returns
    -------
    SlowPoints

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> found = find_slow_points(lambda x: x**2 + 0.01, [[-1.0], [0.5]])
    >>> found.kind.tolist(), round(float(found.r_eff[0]), 12), round(float(found.passage_time[0]), 6)
    (['ghost'], 0.01, 31.415927)
    """
    import jax
    import jax.numpy as jnp

    for name, value in (("fixed_tol", fixed_tol), ("slow_tol", slow_tol), ("merge_tol", merge_tol)):
        positive_scalar(value, name)
    max_iter = positive_int(max_iter, "max_iter")
    n_box = positive_int(n_box, "n_box", minimum=0)
    points = search_starts(starts, box, n_box, seed)
    F = as_field(field_spec)
    n = points.shape[1]
    with jax.enable_x64(True):
        p = () if params is None else jax.tree_util.tree_map(lambda v: jnp.asarray(v, jnp.float64), params)
        if not all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree_util.tree_leaves(p)):
            raise ValueError("params must be finite (every leaf)")
        kernels = kernels_for(F, params is not None)
        check_field(kernels.F, n, p)
        start_speed = np.asarray(kernels.speeds(jnp.asarray(points), p))
        # a cheap first descent from every start, then Newton only from the distinct candidates:
        # thousands of visited states usually lead to a handful of slow points
        coarse = np.asarray(kernels.descend(jnp.asarray(points), p, coarse_steps)) if coarse_steps else points
        finite = np.all(np.isfinite(coarse), axis=1)
        candidates = np.flatnonzero(finite)
        spread = 1 + np.max(np.abs(coarse[finite])) if finite.any() else 1.0
        if candidates.size:
            speed0 = np.asarray(kernels.speeds(jnp.asarray(coarse[candidates]), p))
            reps = candidates[merge_points(coarse[candidates], speed0, coarse_merge * spread)]
            x, q, done = minimize_q(kernels, coarse[reps], max_iter, p)
        else:
            reps, x, q, done = candidates, np.zeros((0, n)), np.zeros(0), np.zeros(0, bool)
        ok = done & np.isfinite(q)
        unconverged = np.flatnonzero(~finite)
        if (~ok).any():  # every start whose candidate failed is reported
            from scipy.spatial import cKDTree

            _, owner = cKDTree(coarse[reps]).query(coarse[candidates])
            unconverged = np.union1d(unconverged, candidates[~ok[owner]])
        x, q = x[ok], q[ok]
        if len(x):
            keep = merge_points(x, q, merge_tol * (1 + np.max(np.linalg.norm(x, axis=1))))
            x = x[keep]
            hess = [np.asarray(kernels.hessian(jnp.asarray(point), p)) for point in x]
            lowest = np.array([np.linalg.eigvalsh(0.5 * (h + h.T))[0] for h in hess])
            size = np.array([max(1.0, np.abs(h).max()) for h in hess])
            x = x[lowest >= -1e-8 * size]  # local minima of q only: saddles of q are not slow points
        result = _classify(kernels, x, n, slow_tol, unconverged, p)
    finite_speed = start_speed[np.isfinite(start_speed)]
    scale = max(1.0, float(np.median(finite_speed))) if finite_speed.size else 1.0
    return result(fixed_tol * scale, scale)


def _classify(kernels: FieldKernels, x: np.ndarray, n: int, slow_tol: float, unconverged, p=()):
    """Normal forms of every point; returns a function of the fixed-point tolerance that builds the result."""
    forms = [local_form(kernels, point, p) for point in x]

    def build(fixed_atol: float, scale: float) -> SlowPoints:
        P = len(x)
        out = {
            "kind": np.empty(P, dtype=object), "speed": np.zeros(P), "eigenvalues": np.zeros((P, n), complex),
            "stability": np.full(P, "", dtype=object), "r_eff": np.full(P, np.nan),
            "passage_time": np.full(P, np.nan), "A": np.full(P, np.nan), "c0": np.full(P, np.nan),
            "slow_vector": np.full((P, n), np.nan), "left_vector": np.full((P, n), np.nan),
        }
        for i, nf in enumerate(forms):
            values = nf["eigenvalues"]
            out["speed"][i], out["eigenvalues"][i] = nf["speed"], values
            if nf["speed"] <= fixed_atol:
                out["kind"][i] = "fixed point"
                real = values.real
                out["stability"][i] = "stable" if np.all(real < 0) else "unstable" if np.all(real > 0) else "saddle"
                continue
            slow_limit = slow_tol * max(1.0, float(np.abs(values).max()))
            n_slow = int(np.sum(np.abs(values) <= slow_limit))
            if n_slow == 1 and nf["r_eff"] > 0:
                out["kind"][i] = "ghost"
                out["r_eff"][i], out["passage_time"][i] = nf["r_eff"], np.pi / np.sqrt(nf["r_eff"])
                out["A"][i], out["c0"][i] = nf["A"], nf["c0"]
                out["slow_vector"][i], out["left_vector"][i] = nf["v"], nf["w"]
            else:
                out["kind"][i] = "slow point"
        order = np.lexsort((x[:, 0] if P else np.zeros(0), [KINDS.index(k) for k in out["kind"]]))
        return SlowPoints(**{k: v[order] for k, v in out.items()}, x=x[order].reshape(P, n),
                          unconverged=np.asarray(unconverged, dtype=int), field_scale=scale)

    return build
