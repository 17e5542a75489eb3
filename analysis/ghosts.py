"""Slow points and ghosts of any flow dx/dt = F(x), with the local normal form of each ghost.

**Search.** Slow points are local minima of the kinetic energy q(x) = |F(x)|^2 / 2. From every
start at once (vmapped), :func:`find_slow_points` runs damped Newton steps on q with its exact
Hessian J^T J + sum_i F_i D^2 F_i (automatic differentiation): a Levenberg-Marquardt iteration
that behaves like gradient descent far from a minimum and converges quadratically near one.
Converged points are merged within a tolerance, and only true local minima of q are kept (a
positive semi-definite Hessian of q). Starts whose search runs away (non-finite, or still not
converged after ``max_iter`` steps) are reported in ``SlowPoints.unconverged``, never dropped
silently.

**Cost.** A cheap Adam descent from every start first, then Newton only from the distinct
candidates, in fixed-size blocks that stop as soon as their own points settle. The compiled
kernels belong to the field function: give a parametrised field F(x, params) with ``params=``
and a later search of the same function (one network at another checkpoint) compiles nothing.

**Classification** (grounded in the saddle-node normal form, Dinc et al., arXiv:2501.02378):

* a *fixed point*: speed |F| at most ``fixed_tol`` times the field's scale (the median speed at
  the starts, or 1 if that is smaller); its eigenvalues give its stability;
* a *ghost*: a local minimum of q with |F| above that tolerance, exactly one slow direction
  (one Jacobian eigenvalue with |lambda| at most ``slow_tol`` times the largest |lambda|, or
  ``slow_tol`` in one dimension) and a positive local scale parameter r_eff. At an exact minimum
  of q with F != 0, J^T F = 0, so J is singular and its left null vector is parallel to F: a
  ghost is where the flow nearly has a saddle-node;
* any other local minimum of q is a *slow point*.

**Local normal form.** With the slow right and left eigenvectors v, w of the Jacobian (J v =
lambda v, w^T J = lambda w^T, w.v = 1), the slow coordinate s in x = x_g + s v obeys, to second
order, s' = c0 + lambda s + A s^2 with c0 = w.F(x_g) and A = (1/2) w.D^2F(x_g)[v, v]. Completing
the square, y = A (s + lambda / 2A) obeys y' = y^2 + r_eff with

    r_eff = A c0 - lambda^2 / 4,

the canonical form of the reduced model, so a trajectory takes pi / sqrt(r_eff) to pass the whole
ghost (time in the field's own units). At an exact minimum of q, lambda = 0 and r_eff = A c0.
r_eff does not depend on how v is scaled.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from reduced._validation import positive_int, positive_scalar

KINDS = ("fixed point", "ghost", "slow point")


# --- the field ---------------------------------------------------------------------------------
def as_field(field_spec) -> Callable:
    """A JAX-traceable F: R^n -> R^n from a function or a sympy field ``(expressions, symbols)``."""
    if callable(field_spec):
        return field_spec
    if isinstance(field_spec, tuple) and len(field_spec) == 2:
        import jax.numpy as jnp
        import sympy as sp

        exprs, symbols = field_spec
        exprs, symbols = list(exprs), list(symbols)
        if len(exprs) != len(symbols):
            raise ValueError(f"field: {len(exprs)} expressions for {len(symbols)} symbols; they must match")
        fn = sp.lambdify([symbols], exprs, modules="jax")
        return lambda x: jnp.stack([jnp.asarray(v, dtype=x.dtype) * jnp.ones((), x.dtype) for v in fn(x)])
    raise ValueError("field must be a JAX-traceable function of a 1-D array, or a sympy field (expressions, symbols)")


def _check_field(F, n: int, *args):
    """F(x, *args) must map a state of shape (n,) to shape (n,); a jitted F keeps the trace for later."""
    import jax
    import jax.numpy as jnp

    try:
        shape = jax.eval_shape(F, jax.ShapeDtypeStruct((n,), jnp.float64), *args).shape
    except Exception as exc:  # a field that cannot be traced is a bad argument, whatever the error
        raise ValueError(f"field could not be evaluated on a state of shape ({n},): {exc}") from None
    if shape != (n,):
        raise ValueError(f"field must map a state of shape ({n},) to shape ({n},), got {shape}")


def _starts(starts, box, n_box: int, seed: int) -> np.ndarray:
    arr = np.asarray(starts, dtype=float) if starts is not None else np.zeros((0, 0))
    if arr.ndim == 1 and arr.size:
        arr = arr[:, None]
    if starts is not None and arr.ndim != 2:
        raise ValueError(f"starts must have shape (points, n), got {arr.shape}")
    if box is not None:
        low, high = (np.atleast_1d(np.asarray(v, dtype=float)) for v in box)
        if low.shape != high.shape or low.ndim != 1 or not np.all(np.isfinite(low) & np.isfinite(high)) \
                or np.any(high <= low):
            raise ValueError("box must be (low, high), finite 1-D arrays of one length with high > low")
        if arr.size and arr.shape[1] != low.size:
            raise ValueError(f"box has {low.size} dimensions but the starts have {arr.shape[1]}")
        sample = np.random.default_rng(seed).uniform(low, high, size=(n_box, low.size))
        arr = sample if not arr.size else np.concatenate([arr, sample])
    if arr.size == 0 or arr.shape[0] == 0:
        raise ValueError("starts must not be empty (give states, or a box with n_box > 0)")
    if not np.all(np.isfinite(arr)):
        raise ValueError("starts must be finite")
    return arr


# --- the search ----------------------------------------------------------------------------------
NEWTON_BLOCK = 32  # candidates per compiled Newton call: a block stops as soon as its own points settle


class _Kernels:
    """Jitted evaluations of one field F(x, params), compiled once per field function and shape.

    They live as long as the field function (see :func:`_kernels`), so a second search of the
    same function with other parameters (one network at another checkpoint) compiles nothing.
    """

    def __init__(self, F, xtol: float = 1e-8):
        import jax
        import jax.numpy as jnp
        import optax

        def q(x, p):
            f = F(x, p)
            return 0.5 * jnp.dot(f, f)

        grad_q, hess_q = jax.grad(q), jax.hessian(q)
        self.F = jax.jit(F)
        self.J = jax.jit(jax.jacfwd(F))
        self.second = jax.jit(lambda x, v, p: jax.jvp(lambda y: jax.jvp(lambda z: F(z, p), (y,), (v,))[1],
                                                      (x,), (v,))[1])
        self.hessian = jax.jit(hess_q)
        self.speeds = jax.jit(jax.vmap(lambda x, p: jnp.linalg.norm(F(x, p)), in_axes=(0, None)))
        adam = optax.adam(1e-2)

        def descend(x, p, steps):
            def body(carry, _):
                x, state = carry
                updates, state = jax.vmap(adam.update)(jax.vmap(grad_q, in_axes=(0, None))(x, p), state, x)
                return (optax.apply_updates(x, updates), state), None

            return jax.lax.scan(body, (x, jax.vmap(adam.init)(x)), None, length=steps)[0][0]

        self.descend = jax.jit(descend, static_argnums=2)

        def at_zero(x, p):
            return jnp.linalg.norm(F(x, p)) <= 1e-14 * (1 + jnp.linalg.norm(x))

        def step(state, p):
            x, lam, done = state
            g, H = grad_q(x, p), hess_q(x, p)
            trial = x - jnp.linalg.solve(H + lam * jnp.eye(x.shape[0]) * (1 + jnp.max(jnp.abs(jnp.diag(H)))), g)
            q_trial = q(trial, p)
            better = jnp.isfinite(q_trial) & (q_trial <= q(x, p) * (1 + 1e-13))  # rounding is no increase
            x_new = jnp.where(better & ~done, trial, x)
            lam_new = jnp.where(better, jnp.maximum(lam / 4, 1e-12), jnp.minimum(lam * 5, 1e12))
            # converged: a nearly undamped Newton step that no longer moves the point
            settled = (lam < 1e-6) & (jnp.linalg.norm(trial - x) <= xtol * (1 + jnp.linalg.norm(x)))
            done_new = done | settled | at_zero(x_new, p) | ~jnp.all(jnp.isfinite(x_new))
            return x_new, lam_new, done_new

        batched_step = jax.vmap(step, in_axes=(0, None))

        def newton(x0, lam0, steps, p):
            """Damped Newton (Levenberg-Marquardt) on q from a block of points: (x, q, converged)."""
            state = (x0, lam0, jax.vmap(at_zero, in_axes=(0, None))(x0, p))

            def cond(carry):
                state, k = carry
                return (k < steps) & ~jnp.all(state[2])

            (x, _, done), _ = jax.lax.while_loop(cond, lambda c: (batched_step(c[0], p), c[1] + 1), (state, 0))
            return x, jax.vmap(q, in_axes=(0, None))(x, p), done & jnp.all(jnp.isfinite(x), axis=1)

        self.newton = jax.jit(newton)


_KERNELS = weakref.WeakKeyDictionary()


def _kernels(F, with_params: bool) -> _Kernels:
    """The compiled kernels of a field function, built on its first search and kept while it lives."""
    try:
        per_function = _KERNELS.setdefault(F, {})
    except TypeError:  # a callable that cannot be weakly referenced: compiled for this search only
        per_function = {}
    if with_params not in per_function:
        per_function[with_params] = _Kernels(F if with_params else (lambda x, p: F(x)))
    return per_function[with_params]


def _minimize_q(kernels: _Kernels, starts: np.ndarray, max_iter: int, p):
    """Damped Newton on q from every start, in blocks of :data:`NEWTON_BLOCK` (one compiled shape)."""
    import jax.numpy as jnp

    xs, qs, dones = [], [], []
    for i in range(0, len(starts), NEWTON_BLOCK):
        block = starts[i:i + NEWTON_BLOCK]
        padded = np.concatenate([block, np.repeat(block[-1:], NEWTON_BLOCK - len(block), axis=0)])
        x, q, done = kernels.newton(jnp.asarray(padded), jnp.full(NEWTON_BLOCK, 1e-3), max_iter, p)
        xs.append(np.asarray(x)[:len(block)])
        qs.append(np.asarray(q)[:len(block)])
        dones.append(np.asarray(done)[:len(block)])
    n = starts.shape[1]
    if not xs:
        return np.zeros((0, n)), np.zeros(0), np.zeros(0, bool)
    x, q, done = np.concatenate(xs), np.concatenate(qs), np.concatenate(dones)
    return x, q, done & np.isfinite(q)


def _merge(x: np.ndarray, q: np.ndarray, tol: float) -> np.ndarray:
    """Indices of representatives: one per cluster of points within ``tol`` (the lowest q)."""
    from scipy.spatial import cKDTree

    order = np.argsort(q, kind="stable")
    taken = np.zeros(len(x), bool)
    keep = []
    tree = cKDTree(x)
    for i in order:
        if taken[i]:
            continue
        keep.append(i)
        taken[tree.query_ball_point(x[i], tol)] = True
    return np.asarray(keep, dtype=int)


# --- the result ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlowPoints:
    """Distinct slow points of a flow, one entry per point (arrays along axis 0).

    Attributes
    ----------
    kind : ndarray of str
        "fixed point", "ghost" or "slow point".
    x : ndarray, shape (points, n)
    speed : ndarray
        |F(x)|.
    eigenvalues : ndarray of complex, shape (points, n)
        Of the Jacobian, sorted by increasing |lambda| (the slow one first).
    stability : ndarray of str
        For fixed points: "stable", "unstable" or "saddle" (by the real parts); "" otherwise.
    r_eff, passage_time, A, c0 : ndarray
        The local normal form s' = c0 + lambda s + A s^2 (see the module docstring) and
        r_eff = A c0 - lambda^2/4, passage time pi / sqrt(r_eff); NaN where the point is not a ghost.
    slow_vector, left_vector : ndarray, shape (points, n)
        v (unit length) and w (w.v = 1) of the slow eigenvalue; NaN for fixed points.
    unconverged : ndarray of int
        Indices of the starts whose search ran away or did not converge.
    field_scale : float
        The speed scale used for the fixed-point tolerance.
    """

    kind: np.ndarray
    x: np.ndarray
    speed: np.ndarray
    eigenvalues: np.ndarray
    stability: np.ndarray
    r_eff: np.ndarray
    passage_time: np.ndarray
    A: np.ndarray
    c0: np.ndarray
    slow_vector: np.ndarray
    left_vector: np.ndarray
    unconverged: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    field_scale: float = 1.0

    def __len__(self) -> int:
        return len(self.kind)

    def select(self, kind: str) -> SlowPoints:
        """The points of one kind."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        mask = self.kind == kind
        values = {name: getattr(self, name)[mask] for name in
                  ("kind", "x", "speed", "eigenvalues", "stability", "r_eff", "passage_time", "A", "c0",
                   "slow_vector", "left_vector")}
        return SlowPoints(**values, unconverged=self.unconverged, field_scale=self.field_scale)

    @property
    def ghosts(self) -> SlowPoints:
        return self.select("ghost")

    @property
    def fixed_points(self) -> SlowPoints:
        return self.select("fixed point")


def _normal_form(kernels: _Kernels, x: np.ndarray, p=()) -> dict:
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


def normal_form(field_spec, x) -> dict:
    """The slow eigen-direction and local normal form of a flow at ``x`` (see the module docstring).

    Returns a dict with ``eigenvalues`` (sorted by |lambda|), ``v``, ``w``, ``lam`` (the slow
    eigenvalue's real part), ``A``, ``c0``, ``r_eff`` and ``speed``.
    """
    import jax

    with jax.enable_x64(True):
        return _normal_form(_kernels(as_field(field_spec), False), np.atleast_1d(np.asarray(x, dtype=float)))


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
    points = _starts(starts, box, n_box, seed)
    F = as_field(field_spec)
    n = points.shape[1]
    with jax.enable_x64(True):
        p = () if params is None else jax.tree_util.tree_map(lambda v: jnp.asarray(v, jnp.float64), params)
        if not all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree_util.tree_leaves(p)):
            raise ValueError("params must be finite (every leaf)")
        kernels = _kernels(F, params is not None)
        _check_field(kernels.F, n, p)
        start_speed = np.asarray(kernels.speeds(jnp.asarray(points), p))
        # a cheap first descent from every start, then Newton only from the distinct candidates:
        # thousands of visited states usually lead to a handful of slow points
        coarse = np.asarray(kernels.descend(jnp.asarray(points), p, coarse_steps)) if coarse_steps else points
        finite = np.all(np.isfinite(coarse), axis=1)
        candidates = np.flatnonzero(finite)
        spread = 1 + np.max(np.abs(coarse[finite])) if finite.any() else 1.0
        if candidates.size:
            speed0 = np.asarray(kernels.speeds(jnp.asarray(coarse[candidates]), p))
            reps = candidates[_merge(coarse[candidates], speed0, coarse_merge * spread)]
            x, q, done = _minimize_q(kernels, coarse[reps], max_iter, p)
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
            keep = _merge(x, q, merge_tol * (1 + np.max(np.linalg.norm(x, axis=1))))
            x = x[keep]
            hess = [np.asarray(kernels.hessian(jnp.asarray(point), p)) for point in x]
            lowest = np.array([np.linalg.eigvalsh(0.5 * (h + h.T))[0] for h in hess])
            size = np.array([max(1.0, np.abs(h).max()) for h in hess])
            x = x[lowest >= -1e-8 * size]  # local minima of q only: saddles of q are not slow points
        result = _classify(kernels, x, n, slow_tol, unconverged, p)
    finite_speed = start_speed[np.isfinite(start_speed)]
    scale = max(1.0, float(np.median(finite_speed))) if finite_speed.size else 1.0
    return result(fixed_tol * scale, scale)


def _classify(kernels: _Kernels, x: np.ndarray, n: int, slow_tol: float, unconverged, p=()):
    """Normal forms of every point; returns a function of the fixed-point tolerance that builds the result."""
    forms = [_normal_form(kernels, point, p) for point in x]

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


# --- measured passage ------------------------------------------------------------------------------
def measured_passage_time(field_spec, ghost_x, v, w, half_width: float, *, rtol: float = 1e-10) -> float:
    """Time a trajectory takes to cross the bottleneck from s = -half_width to s = +half_width.

    s = w.(x - x_g) is the slow coordinate of the ghost at ``ghost_x``; the trajectory starts at
    x_g - half_width v. For the canonical form the exact value is (2 / sqrt r) atan(L / sqrt r),
    which tends to pi / sqrt(r) as r -> 0 at fixed half-width L.
    """
    import jax
    import jax.numpy as jnp
    from scipy.integrate import solve_ivp

    if not np.isfinite(half_width) or half_width <= 0:
        raise ValueError(f"half_width must be a positive finite number, got {half_width!r}")
    F = as_field(field_spec)
    x_g, v, w = (np.asarray(a, dtype=float) for a in (ghost_x, v, w))
    with jax.enable_x64(True):
        f = jax.jit(F)

        def rhs(_, y):
            return np.asarray(f(jnp.asarray(y)))

        def leave(_, y):
            return w @ (y - x_g) - half_width

        leave.terminal, leave.direction = True, 1
        horizon = 1e3 * (1 + half_width) / max(1e-300, np.linalg.norm(rhs(0, x_g)))
        sol = solve_ivp(rhs, (0, horizon), x_g - half_width * v, method="LSODA", rtol=rtol, atol=1e-12,
                        events=leave)
    if not sol.t_events[0].size:
        raise ValueError("the trajectory did not leave the bottleneck: the point is not a ghost of this flow")
    return float(sol.t_events[0][0])


# --- branches ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Branch:
    """One slow point followed as a parameter changes (one entry per parameter value)."""

    values: np.ndarray
    x: np.ndarray
    kind: np.ndarray
    speed: np.ndarray
    r_eff: np.ndarray
    annihilation: float  # where the fixed point turned into a ghost (NaN if it did not)


def follow_branch(family: Callable, values: Sequence[float], start, *, fixed_tol: float = 1e-10,
                  slow_tol: float = 1e-4, bisections: int = 40) -> Branch:
    """Follow a fixed point or ghost of ``family(p)`` over the parameter ``values`` by continuation.

    At each value the search starts from the point found at the previous one. Where the point
    changes from a fixed point to a ghost (a saddle-node pair has annihilated), the parameter of
    the change is refined by bisection and returned as ``annihilation``.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < 2 or not np.all(np.isfinite(values)):
        raise ValueError("values must be a 1-D array of at least two finite parameter values")
    x = np.atleast_1d(np.asarray(start, dtype=float))
    xs, kinds, speeds, reffs = [], [], [], []

    def nearest(p, guess):
        found = find_slow_points(family(p), guess[None], fixed_tol=fixed_tol, slow_tol=slow_tol)
        if not len(found):
            return None
        i = int(np.argmin(np.linalg.norm(found.x - guess, axis=1)))
        return found.kind[i], found.x[i], found.speed[i], found.r_eff[i]

    for p in values:
        result = nearest(p, x)
        if result is None:
            xs.append(np.full_like(x, np.nan)), kinds.append(""), speeds.append(np.nan), reffs.append(np.nan)
            continue
        kind, x, speed, r = result
        xs.append(x), kinds.append(kind), speeds.append(speed), reffs.append(r)
    kinds_arr = np.asarray(kinds, dtype=object)
    annihilation = np.nan
    for i in range(1, len(values)):
        if kinds_arr[i - 1] == "fixed point" and kinds_arr[i] == "ghost":
            lo, hi, guess = values[i - 1], values[i], xs[i - 1]
            for _ in range(bisections):
                mid = 0.5 * (lo + hi)
                result = nearest(mid, guess)
                if result is not None and result[0] == "fixed point":
                    lo, guess = mid, result[1]
                else:
                    hi = mid
            annihilation = 0.5 * (lo + hi)
            break
    return Branch(values, np.asarray(xs), kinds_arr, np.asarray(speeds), np.asarray(reffs), annihilation)
