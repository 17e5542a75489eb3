"""The search: every slow point of a field from many starts, classified with its local normal form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from reduced.validation import positive_int, positive_scalar

from .dynamics import Dynamics, Flow, Map, constant_inputs
from .field import as_field, check_field, search_starts
from .kernels import FieldKernels, kernels_for, merge_points, minimize_q
from .local_form import local_form
from .result import KINDS, TIMES, SlowPoints, stability_label

PROBE = 1e-2  # the neighbourhood a point is judged in: PROBE * (1 + |x|) in every coordinate direction


def find_slow_points(
    field_spec: Flow | Map | Callable | tuple,
    starts: np.ndarray | None = None,
    *,
    time: str | None = None,
    inputs: np.ndarray | Sequence[float] | None = None,
    box: tuple | None = None,
    n_box: int = 0,
    fixed_tol: float = 1e-10,
    slow_tol: float = 1e-4,
    merge_tol: float = 1e-6,
    max_iter: int = 200,
    coarse_steps: int = 200,
    coarse_merge: float = 0.05,
    seed: int = 0,
    params: Any = None,
) -> SlowPoints:
    """Find the fixed points, ghosts and other slow points of a flow dx/dt = F(x) or a map x -> G(x).

    Parameters
    ----------
    field_spec : Flow, Map, callable or (expressions, symbols)
        A :class:`Flow` or :class:`Map` (what the adapters return: its own kind of time,
        parameters and input size), or a JAX-traceable F (or G) taking and returning 1-D arrays of
        length n, or a sympy field. A plain function is called F(x), F(x, params) with ``params``,
        F(x, u) with ``inputs``, F(x, params, u) with both. Its output is taken in float64
        whatever dtype it computes in.
    starts : array_like, shape (points, n), optional
        Initial guesses, e.g. every state visited along trajectories.
    time : {"continuous", "discrete"}, optional
        A flow or a map: a :class:`Flow` or :class:`Map` says which itself (a different ``time``
        is refused); a plain function is a flow unless told ``"discrete"``. The slow points of a
        map are those of G(x) - x: local minima of |G(x) - x|^2 / 2; its stability is read from the
        multipliers (eigenvalues of dG/dx, stable when every |mu| < 1), its slow direction is the
        multiplier closest to 1, and r_eff and the passage time of its ghosts are in steps
        (s_{k+1} = s_k + c0 + A s_k^2).
    inputs : array_like, shape (m,) or (points, m), optional
        A constant input held while the system is searched: one vector for every start, or one row
        per start (the starts are then searched in groups of equal input, each group its own
        system). A system with an input and no ``inputs`` is searched at input zero. Each point
        carries the input it belongs to (:attr:`SlowPoints.inputs`).
    box : (low, high), optional
        Also start from ``n_box`` points drawn uniformly in this box (seeded by ``seed``).
    fixed_tol : float
        A point is fixed when its speed is at most ``fixed_tol`` times the largest speed within
        ``PROBE * (1 + |x|)`` of it (in every coordinate direction): judged from the field near
        the point, never from the starts, and unchanged when the field is multiplied by a
        constant. In (0, 1).
    slow_tol : float
        An eigenvalue is slow (and, at a fixed point, zero) when |lambda| is at most ``slow_tol``
        times the point's rate scale: the largest |lambda|, or the speed near the point over the
        probe's distance if that is larger (a 1-D point has one eigenvalue). In (0, 1).
    merge_tol : float
        Points closer than merge_tol * (1 + their norm) are one point.
    max_iter : int
        Newton steps at most per candidate.
    coarse_steps : int, float
        The search first takes ``coarse_steps`` cheap descent steps (Adam, lr 1e-2) from every
        start and merges the results closer than ``coarse_merge`` times the states' extent
        (1 + max |x_i|) times sqrt(n), keeping the slowest of each group; the Newton iteration then
        starts from these candidates only. (The sqrt(n) keeps the merge working in many dimensions,
        where distances between nearby states grow like sqrt(n).) Two slow points closer than
        that, reached from the same group, are found as one. ``coarse_steps=0`` and a tiny
        ``coarse_merge`` run Newton from every start.
    coarse_merge : int, float
        The search first takes ``coarse_steps`` cheap descent steps (Adam, lr 1e-2) from every
        start and merges the results closer than ``coarse_merge`` times the states' extent
        (1 + max |x_i|) times sqrt(n), keeping the slowest of each group; the Newton iteration then
        starts from these candidates only. (The sqrt(n) keeps the merge working in many dimensions,
        where distances between nearby states grow like sqrt(n).) Two slow points closer than
        that, reached from the same group, are found as one. ``coarse_steps=0`` and a tiny
        ``coarse_merge`` run Newton from every start.
    seed : int
        Seed of the box's starts, an integer >= 0.
    params : pytree of arrays, optional
        Parameters of the field, passed as F(x, params); for a :class:`Flow` or :class:`Map`, in
        place of its own. The search is compiled once per field
        function (and shape) and reused while that function lives, so searching one network's
        flow at many checkpoints compiles once: pass the same function with each checkpoint's
        parameters (e.g. ``model.flow_function()``) instead of a new closure each time.

    Returns
    -------
    SlowPoints

    Examples
    --------
    >>> found = find_slow_points(lambda x: x**2 + 0.01, [[-1.0], [0.5]])
    >>> found.kind.tolist(), round(float(found.r_eff[0]), 12), round(float(found.passage_time[0]), 6)
    (['ghost'], 0.01, 31.415927)
    >>> find_slow_points(lambda x: -1.5 * x, [[0.3]], time="discrete").stability.tolist()  # |mu| = 1.5
    ['unstable']
    """
    import jax

    F, time, params, n_input = _resolved(field_spec, time, params)
    options = _checked_options(time, fixed_tol, slow_tol, merge_tol, max_iter, n_box, coarse_steps, coarse_merge,
                               seed)
    points = search_starts(starts, box, n_box, seed)
    n = points.shape[1]
    if isinstance(field_spec, Dynamics) and n != field_spec.n_state:
        raise ValueError(f"starts must have {field_spec.n_state} coordinates (the system's state size), got {n}")
    per_start = constant_inputs(inputs, n_input, len(points))
    with jax.enable_x64(True):
        p = _float64_params(params)
        kernels = kernels_for(F, params is not None, time, per_start is not None)
        groups = _input_groups(per_start, len(points))
        check_field(kernels.F, n, _packed(p, groups[0][1]))
        speeds = np.concatenate([np.asarray(kernels.speeds(points[i], _packed(p, u))) for i, u in groups])
        finite_speed = speeds[np.isfinite(speeds) & (speeds > 0)]
        # the search runs on F / scale, so a field's overall speed changes nothing it does
        scale = float(np.median(finite_speed)) if finite_speed.size else 1.0
        parts = []
        for index, u in groups:
            x, unconverged, candidates = _search(kernels, points[index], _packed(p, u), scale, options)
            found = _classify(kernels, x, n, options, index[unconverged], _packed(p, u), scale)
            parts.append(replace(found, candidates=candidates,
                                 inputs=np.repeat(np.zeros((1, 0)) if u is None else u[None], len(x), axis=0)))
    return SlowPoints.concatenate(parts)


def _resolved(field_spec, time, params):
    """(function, time, params, input size or None) of a system or a plain function."""
    if isinstance(field_spec, Dynamics):
        if time is not None and time != field_spec.time:
            raise ValueError(f"time={time!r} contradicts the system, a {type(field_spec).__name__} "
                             f"(time={field_spec.time!r}); leave time out")
        return field_spec.function, field_spec.time, field_spec.params if params is None else params, \
            field_spec.n_input
    return as_field(field_spec), "continuous" if time is None else time, params, None


def _float64_params(params):
    import jax
    import jax.numpy as jnp

    p = () if params is None else jax.tree_util.tree_map(lambda v: jnp.asarray(v, jnp.float64), params)
    if not all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree_util.tree_leaves(p)):
        raise ValueError("params must be finite (every leaf)")
    return p


def _input_groups(per_start: np.ndarray | None, n_starts: int) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(start indices, their common input) per distinct input; one group with input None without inputs."""
    if per_start is None:
        return [(np.arange(n_starts), None)]
    values, owner = np.unique(per_start, axis=0, return_inverse=True)
    return [(np.flatnonzero(owner.ravel() == g), values[g]) for g in range(len(values))]


def _packed(p, u):
    """The kernels' one argument after x: the params, or (params, input)."""
    import jax.numpy as jnp

    return p if u is None else (p, jnp.asarray(u, jnp.float64))


def _checked_options(time, fixed_tol, slow_tol, merge_tol, max_iter, n_box, coarse_steps, coarse_merge, seed) -> dict:
    if time not in TIMES:
        raise ValueError(f"time must be one of {TIMES}, got {time!r}")
    for name, value in (("fixed_tol", fixed_tol), ("slow_tol", slow_tol)):
        if positive_scalar(value, name) >= 1:
            raise ValueError(f"{name} must lie in (0, 1), got {value!r}")
    return dict(time=time, fixed_tol=float(fixed_tol), slow_tol=float(slow_tol),
                merge_tol=float(positive_scalar(merge_tol, "merge_tol")), max_iter=positive_int(max_iter, "max_iter"),
                n_box=positive_int(n_box, "n_box", minimum=0),
                coarse_steps=positive_int(coarse_steps, "coarse_steps", minimum=0),
                coarse_merge=float(positive_scalar(coarse_merge, "coarse_merge")),
                seed=positive_int(seed, "seed", minimum=0))


def _search(kernels: FieldKernels, points: np.ndarray, p, scale: float, options: dict):
    """Coarse descent, merge, Newton, merge again, keep the minima of q: (points, unconverged starts,
    Newton candidates)."""
    import jax.numpy as jnp

    n = points.shape[1]
    steps = options["coarse_steps"]
    # a cheap first descent from every start, then Newton only from the distinct candidates:
    # thousands of visited states usually lead to a handful of slow points
    coarse = np.asarray(kernels.descend(jnp.asarray(points), p, scale, steps)) if steps else points
    finite = np.all(np.isfinite(coarse), axis=1)
    candidates = np.flatnonzero(finite)
    spread = 1 + np.max(np.abs(coarse[finite])) if finite.any() else 1.0
    if candidates.size:
        # every start's speed at once, in the one shape of the starts: a varying count compiles nothing new
        speed0 = np.asarray(kernels.speeds(jnp.asarray(np.where(finite[:, None], coarse, 0.0)), p))[candidates]
        radius = options["coarse_merge"] * spread * np.sqrt(n)
        reps = candidates[merge_points(coarse[candidates], speed0, radius)]
        x, q, done = minimize_q(kernels, coarse[reps], options["max_iter"], p, scale)
    else:
        reps, x, q, done = candidates, np.zeros((0, n)), np.zeros(0), np.zeros(0, bool)
    ok = done & np.isfinite(q)
    unconverged = np.flatnonzero(~finite)
    if (~ok).any():  # every start whose candidate failed is reported
        _, owner = cKDTree(coarse[reps]).query(coarse[candidates])
        unconverged = np.union1d(unconverged, candidates[~ok[owner]])
    x, q = x[ok], q[ok]
    if len(x):
        keep = merge_points(x, q, options["merge_tol"] * (1 + np.max(np.linalg.norm(x, axis=1))))
        x = x[keep]
        hess = [np.asarray(kernels.hessian(jnp.asarray(point), p)) for point in x]
        lowest = np.array([np.linalg.eigvalsh(0.5 * (h + h.T))[0] for h in hess])
        size = np.array([np.abs(h).max() for h in hess])
        x = x[lowest >= -1e-8 * size]  # local minima of q only: saddles of q are not slow points
    return x, unconverged, int(len(reps))


def _near_speed(kernels: FieldKernels, x: np.ndarray, p) -> tuple[float, float]:
    """(largest speed within the probe's distance of x, that distance), from 2n points around x."""
    import jax.numpy as jnp

    delta = PROBE * (1 + float(np.linalg.norm(x)))
    probes = x + delta * np.concatenate([np.eye(x.size), -np.eye(x.size)])
    return float(np.max(np.asarray(kernels.speeds(jnp.asarray(probes), p)))), delta


def _classify(kernels: FieldKernels, x: np.ndarray, n: int, options: dict, unconverged, p, scale: float):
    """Every point's kind, stability and normal form, judged from the field near the point."""
    P = len(x)
    out = {
        "kind": np.empty(P, dtype=object), "speed": np.zeros(P), "eigenvalues": np.zeros((P, n), complex),
        "stability": np.full(P, "", dtype=object), "r_eff": np.full(P, np.nan),
        "passage_time": np.full(P, np.nan), "A": np.full(P, np.nan), "c0": np.full(P, np.nan),
        "slow_vector": np.full((P, n), np.nan), "left_vector": np.full((P, n), np.nan),
    }
    for i, point in enumerate(x):
        nf = local_form(kernels, point, p)
        values = nf["eigenvalues"]
        out["speed"][i], out["eigenvalues"][i] = nf["speed"], values
        near, delta = _near_speed(kernels, point, p)
        rate = max(float(np.abs(values).max()), near / delta)
        zero_tol = options["slow_tol"] * rate
        if nf["speed"] <= options["fixed_tol"] * near:
            out["kind"][i] = "fixed point"
            multipliers_or_eigenvalues = values + 1 if options["time"] == "discrete" else values
            out["stability"][i] = stability_label(multipliers_or_eigenvalues, options["time"], zero_tol)
            continue
        n_slow = int(np.sum(np.abs(values) <= zero_tol))
        if n_slow == 1 and nf["r_eff"] > 0:
            out["kind"][i] = "ghost"
            out["r_eff"][i], out["passage_time"][i] = nf["r_eff"], np.pi / np.sqrt(nf["r_eff"])
            out["A"][i], out["c0"][i] = nf["A"], nf["c0"]
            out["slow_vector"][i], out["left_vector"][i] = nf["v"], nf["w"]
        else:
            out["kind"][i] = "slow point"
    order = np.lexsort((x[:, 0] if P else np.zeros(0), [KINDS.index(k) for k in out["kind"]]))
    return SlowPoints(**{k: v[order] for k, v in out.items()}, x=x[order].reshape(P, n),
                      unconverged=np.asarray(unconverged, dtype=int), field_scale=scale, time=options["time"],
                      slow_tol=options["slow_tol"])
