"""The compiled kernels of one field: Adam and damped Newton on q = |F|^2 / 2, kept per field function.

:func:`kernels_for` compiles the kernels of a field function on its first search and keeps them
while that function lives (a weak reference), so searching one network's flow at many
checkpoints, with ``params=``, compiles once.
"""

from __future__ import annotations

import weakref

import numpy as np

NEWTON_BLOCK = 32  # candidates per compiled Newton call: a block stops as soon as its own points settle


class FieldKernels:
    """Jitted evaluations of one field, compiled once per field function, kind of time and shape.

    ``F(x, params)`` is a flow (``time="continuous"``) or a map G (``time="discrete"``), whose
    slow points are those of the flow G(x) - x. Its output is cast to the state's dtype, so a
    field that computes in float32 or returns integers is searched in float64 all the same.

    The search kernels (``descend``, ``newton``) work on the field divided by a speed scale
    ``scale`` (a runtime argument, so any scale reuses the compiled code): multiplying a field by
    a constant changes nothing the search does. ``F``, ``J``, ``second`` and ``hessian`` are the
    field's own, in its own units.

    They live as long as the field function (see :func:`kernels_for`), so a second search of the
    same function with other parameters (one network at another checkpoint) compiles nothing.
    """

    def __init__(self, F, time: str = "continuous", xtol: float = 1e-8):
        import jax
        import jax.numpy as jnp
        import optax

        def flow(x, p):
            f = jnp.asarray(F(x, p)).astype(x.dtype)
            return f - x if time == "discrete" else f

        def q(x, p, scale):
            f = flow(x, p) / scale
            return 0.5 * jnp.dot(f, f)

        grad_q, hess_q = jax.grad(q), jax.hessian(q)
        self.F = jax.jit(flow)
        self.J = jax.jit(jax.jacfwd(flow))
        self.second = jax.jit(lambda x, v, p: jax.jvp(lambda y: jax.jvp(lambda z: flow(z, p), (y,), (v,))[1],
                                                      (x,), (v,))[1])
        self.hessian = jax.jit(lambda x, p: hess_q(x, p, 1.0))
        self.speeds = jax.jit(jax.vmap(lambda x, p: jnp.linalg.norm(flow(x, p)), in_axes=(0, None)))
        adam = optax.adam(1e-2, eps=1e-300)  # no eps floor: the step does not depend on the field's scale

        def descend(x, p, scale, steps):
            def body(carry, _):
                x, state = carry
                g = jax.vmap(grad_q, in_axes=(0, None, None))(x, p, scale)
                updates, state = jax.vmap(adam.update)(g, state, x)
                return (optax.apply_updates(x, updates), state), None

            return jax.lax.scan(body, (x, jax.vmap(adam.init)(x)), None, length=steps)[0][0]

        self.descend = jax.jit(descend, static_argnums=3)

        def at_zero(x, p, scale):
            return jnp.linalg.norm(flow(x, p) / scale) <= 1e-14 * (1 + jnp.linalg.norm(x))

        def step(state, p, scale):
            x, lam, done = state
            g, H = grad_q(x, p, scale), hess_q(x, p, scale)
            # damping relative to the Hessian's own size: no absolute scale enters the iteration
            size = jnp.max(jnp.abs(jnp.diag(H)))
            size = jnp.where(size > 0, size, 1.0)
            trial = x - jnp.linalg.solve(H + lam * size * jnp.eye(x.shape[0]), g)
            q_trial = q(trial, p, scale)
            better = jnp.isfinite(q_trial) & (q_trial <= q(x, p, scale) * (1 + 1e-13))  # rounding is no increase
            lam_new = jnp.where(better, jnp.maximum(lam / 4, 1e-12), jnp.minimum(lam * 5, 1e12))
            # converged: the undamped Newton step no longer moves the point, and is taken as the last
            # step. (Near a very slow ghost q sits at its rounding floor, where every trial step
            # "increases" q by rounding and the damping grows: the undamped step still settles it.)
            newton_step = jnp.linalg.solve(H + 1e-12 * size * jnp.eye(x.shape[0]), g)
            tolerance = xtol * (1 + jnp.linalg.norm(x))
            final = jnp.all(jnp.isfinite(newton_step)) & (jnp.linalg.norm(newton_step) <= tolerance)
            x_new = jnp.where(done, x, jnp.where(final, x - newton_step, jnp.where(better, trial, x)))
            settled = final | ((lam < 1e-6) & (jnp.linalg.norm(trial - x) <= tolerance))
            done_new = done | settled | at_zero(x_new, p, scale) | ~jnp.all(jnp.isfinite(x_new))
            return x_new, lam_new, done_new

        batched_step = jax.vmap(step, in_axes=(0, None, None))

        def newton(x0, lam0, steps, p, scale):
            """Damped Newton (Levenberg-Marquardt) on q from a block of points: (x, q, converged)."""
            state = (x0, lam0, jax.vmap(at_zero, in_axes=(0, None, None))(x0, p, scale))

            def cond(carry):
                state, k = carry
                return (k < steps) & ~jnp.all(state[2])

            (x, _, done), _ = jax.lax.while_loop(cond, lambda c: (batched_step(c[0], p, scale), c[1] + 1),
                                                 (state, 0))
            return x, jax.vmap(q, in_axes=(0, None, None))(x, p, scale), done & jnp.all(jnp.isfinite(x), axis=1)

        self.newton = jax.jit(newton)


_CACHE = weakref.WeakKeyDictionary()


def kernels_for(F, with_params: bool, time: str = "continuous", with_inputs: bool = False) -> FieldKernels:
    """The compiled kernels of a field function, built on its first search and kept while it lives.

    F is called F(x), F(x, params), F(x, u) or F(x, params, u); the kernels take one argument ``p``
    after x: ``params``, or ``(params, u)`` with inputs (``params`` is ``()`` without parameters).
    """
    try:
        per_function = _CACHE.setdefault(F, {})
    except TypeError:  # a callable that cannot be weakly referenced: compiled for this search only
        per_function = {}
    key = (with_params, with_inputs, time)
    if key not in per_function:
        if with_inputs:
            uniform = (lambda x, p: F(x, p[0], p[1])) if with_params else (lambda x, p: F(x, p[1]))
        else:
            uniform = F if with_params else (lambda x, p: F(x))
        per_function[key] = FieldKernels(uniform, time)
    return per_function[key]


def minimize_q(kernels: FieldKernels, starts: np.ndarray, max_iter: int, p, scale: float = 1.0):
    """Damped Newton on q from every start, in blocks of :data:`NEWTON_BLOCK` (one compiled shape)."""
    import jax.numpy as jnp

    xs, qs, dones = [], [], []
    for i in range(0, len(starts), NEWTON_BLOCK):
        block = starts[i:i + NEWTON_BLOCK]
        padded = np.concatenate([block, np.repeat(block[-1:], NEWTON_BLOCK - len(block), axis=0)])
        x, q, done = kernels.newton(jnp.asarray(padded), jnp.full(NEWTON_BLOCK, 1e-3), max_iter, p, scale)
        xs.append(np.asarray(x)[:len(block)])
        qs.append(np.asarray(q)[:len(block)])
        dones.append(np.asarray(done)[:len(block)])
    n = starts.shape[1]
    if not xs:
        return np.zeros((0, n)), np.zeros(0), np.zeros(0, bool)
    x, q, done = np.concatenate(xs), np.concatenate(qs), np.concatenate(dones)
    return x, q, done & np.isfinite(q)


def merge_points(x: np.ndarray, q: np.ndarray, tol: float) -> np.ndarray:
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
