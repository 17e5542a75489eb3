"""The optional per-epoch monitor of a sweep: fixed points of a rank-one latent flow, counted in the scan."""

from __future__ import annotations

FIXED_POINT_GRID = (-15.0, 15.0, 1000)  # the reference's grid for counting latent fixed points
MONITORS = ("fixed_points",)


def count_fixed_points(model, params, grid=FIXED_POINT_GRID):
    """Fixed points of a rank-one latent flow: sign changes of F on a grid (the reference's count).

    JAX-traceable; ``params`` of one network.
    """
    import jax
    import jax.numpy as jnp

    kappa = jnp.linspace(*grid, dtype=params["b"].dtype)[:, None]
    F = jax.vmap(model.flow(params))(kappa)[:, 0]
    positive = F > 0
    return jnp.sum(positive[1:] != positive[:-1])
