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
    """Jitted evaluations of one field F(x, params), compiled once per field function and shape.

    They live as long as the field function (see :func:`kernels_for`), so a second search of the
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


_CACHE = weakref.WeakKeyDictionary()


def kernels_for(F, with_params: bool) -> FieldKernels:
    """The compiled kernels of a field function, built on its first search and kept while it lives."""
    try:
        per_function = _CACHE.setdefault(F, {})
    except TypeError:  # a callable that cannot be weakly referenced: compiled for this search only
        per_function = {}
    if with_params not in per_function:
        per_function[with_params] = FieldKernels(F if with_params else (lambda x, p: F(x)))
    return per_function[with_params]


def minimize_q(kernels: FieldKernels, starts: np.ndarray, max_iter: int, p):
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
