"""A ghost's r_eff as a differentiable JAX function of the network's weights: :func:`ghost_r_eff`.

The ghost moves with the weights, and so do its slow eigenvalue and eigenvectors. Each is defined
implicitly, and differentiated through its defining equation (``jax.lax.custom_root``), never by
unrolling a solver:

* the ghost x_g: a zero of grad q = J^T F (q = |F|^2 / 2), started from the point the search found;
* the slow eigenvalue lambda and right eigenvector v: (J - lambda) v = 0 with v.v0 = 1 (v0 the
  search's vector), and the left one w: (J - lambda)^T w = 0 with w.v = 1;
* then r_eff = A c0 - lambda^2 / 4 with c0 = w.F(x_g) and A = (1/2) w.D^2F(x_g)[v, v], as in the
  search (for a map F = G - x, in steps).

So ``jax.grad(ghost_r_eff, argnums=...)`` gives d r_eff / d theta for any network the adapters
read, the quantity that turns a network's learning rate into the reduced model's rate on r
(eta |grad_theta r_eff|^2).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .dynamics import Dynamics

if TYPE_CHECKING:
    import jax


def _root(f, guess, newton_steps: int = 3):
    """A zero of f near ``guess`` (a few Newton steps), differentiable by the implicit function theorem."""
    import jax
    import jax.numpy as jnp

    def solve(g, x0):
        for _ in range(newton_steps):
            x0 = x0 - jnp.linalg.solve(jax.jacfwd(g)(x0), g(x0))
        return x0

    def tangent_solve(g, y):
        return jnp.linalg.solve(jax.jacfwd(g)(y), y)

    return jax.lax.custom_root(f, guess, solve, tangent_solve)


def ghost_r_eff(system: Dynamics, ghost_x: np.ndarray | Sequence[float], params: Any = None,
                inputs: np.ndarray | Sequence[float] | None = None) -> jax.Array:
    """The scale parameter r_eff of the ghost near ``ghost_x``, a JAX function of ``params``.

    Parameters
    ----------
    system : Flow or Map
        The network (e.g. :func:`from_torch` or :func:`from_weights`).
    ghost_x : array_like, shape (n_state,)
        Where :func:`find_slow_points` found the ghost (its ``x``).
    params : pytree of arrays, optional
        The weights to differentiate with respect to (default: the system's own).
    inputs : array_like, optional
        The constant input the ghost belongs to (default zero).

    Returns
    -------
    jax scalar
        r_eff, equal to the search's value; ``jax.grad`` of this function with respect to ``params``
        is d r_eff / d params. Call it inside ``jax.enable_x64(True)`` for double precision.
    """
    import jax
    import jax.numpy as jnp

    if not isinstance(system, Dynamics):
        raise ValueError(f"system must be a Flow or a Map, got {type(system).__name__}")
    p = system.params if params is None else params
    u = jnp.zeros(system.n_input) if inputs is None else jnp.asarray(inputs)
    x_guess = jnp.asarray(np.asarray(ghost_x, dtype=float))
    if x_guess.shape != (system.n_state,):
        raise ValueError(f"ghost_x must have shape ({system.n_state},), got {x_guess.shape}")
    discrete = system.time == "discrete"

    def field(x):
        value = system.function(x, p, u)
        return value - x if discrete else value

    def grad_q(x):  # J^T F: zero at the ghost, a minimum of q
        return jax.vjp(field, x)[1](field(x))[0]

    x_g = _root(grad_q, x_guess)
    J = jax.jacfwd(field)(x_g)
    values, vectors = np.linalg.eig(np.asarray(jax.lax.stop_gradient(J)))
    slow = int(np.argmin(np.abs(values)))
    v0 = jnp.asarray(vectors[:, slow].real / np.linalg.norm(vectors[:, slow].real))
    n = system.n_state

    def right(z):  # z = (v, lambda): (J - lambda) v = 0 and v.v0 = 1, a square system for a simple lambda
        return jnp.concatenate([J @ z[:n] - z[n] * z[:n], jnp.array([v0 @ z[:n] - 1.0])])

    z = _root(right, jnp.concatenate([v0, jnp.array([float(values[slow].real)])]))
    v, lam = z[:n], z[n]

    def left(w):  # (J - lambda)^T w = 0 and w.v = 1, folded into n equations whose Jacobian is invertible
        return (J - lam * jnp.eye(n)).T @ w + v * (w @ v - 1.0)

    w = _root(left, v / (v @ v))
    second = jax.jvp(lambda y: jax.jvp(field, (y,), (v,))[1], (x_g,), (v,))[1]
    A, c0 = 0.5 * w @ second, w @ field(x_g)
    return A * c0 - lam**2 / 4
