"""The full-rank network's rollout with a hand-written backward pass (a ``jax.custom_vjp``).

Forward: x_{t+1} = (1 - alpha) x_t + alpha tanh(x_t W + d_t) over every step, for every trial at
once. Backward: backpropagation through time whose weight gradient is one matrix product over all
steps (see :func:`_rollout_backward`), equal to autodiff to rounding and about 3x faster.
"""

from __future__ import annotations

from functools import cache


def _rollout_forward(alpha, W, drive, x0):
    import jax
    import jax.numpy as jnp

    def step(x, drive_t):
        a = jnp.tanh(x @ W + drive_t)
        x_new = (1 - alpha) * x + alpha * a
        return x_new, (x_new, a)

    _, (xs, a) = jax.lax.scan(step, x0, drive)
    return xs, (W, x0, xs, a)


def _rollout_backward(alpha, residuals, g):
    """Backpropagation through time with the weight gradient as one product over all steps.

    With a_t = tanh(x_t W + d_t) and x_{t+1} = (1 - alpha) x_t + alpha a_t, the reverse scan
    carries G = dL/dx_{t+1} and returns dz_t = alpha (1 - a_t^2) G; then dL/dW = sum_t x_t^T dz_t
    is one (N x steps*trials) @ (steps*trials x N) product. Autodiff of the forward scan instead
    accumulates a rank-`trials` update of W at every step, which is memory-bound; this is about 3x
    faster per network-epoch (benchmarks/networks.py) and equal to it to rounding (tests).
    """
    import jax
    import jax.numpy as jnp

    W, x0, xs, a = residuals

    def back(G_next, inputs):
        g_t, a_t = inputs
        G = G_next + g_t
        dz = alpha * (1 - a_t * a_t) * G
        return (1 - alpha) * G + dz @ W.T, dz

    G0, dz = jax.lax.scan(back, jnp.zeros_like(x0), (g, a), reverse=True)
    x_prev = jnp.concatenate([x0[None], xs[:-1]], axis=0)
    return jnp.einsum("tbi,tbj->ij", x_prev, dz), dz, G0


@cache
def _make_rollout():
    # built on first use: JAX is imported lazily throughout this module
    import jax

    rollout = jax.custom_vjp(lambda alpha, W, drive, x0: _rollout_forward(alpha, W, drive, x0)[0],
                             nondiff_argnums=(0,))
    rollout.defvjp(_rollout_forward, _rollout_backward)
    return rollout


def full_rank_rollout(alpha, W, drive, x0):
    """States x_1..x_steps of a full-rank network, shape (steps, trials, N), differentiable."""
    return _make_rollout()(alpha, W, drive, x0)
