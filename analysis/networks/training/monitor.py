"""The optional per-epoch monitors of a sweep, computed in the scan without storing parameters.

* ``"fixed_points"``: the fixed points of a rank-one latent flow (the reference's count, Fig 3);
* ``"recurrent_norms"``: the Frobenius norms of a full-rank network's recurrent weights W and of
  their gradient, and the loss averaged over every epoch (the reference's Fig 7 logs these).
"""

from __future__ import annotations

FIXED_POINT_GRID = (-15.0, 15.0, 1000)  # the reference's grid for counting latent fixed points
MONITORS = ("fixed_points", "recurrent_norms")
MONITOR_COLUMNS = {None: (), "fixed_points": ("fixed_points",), "recurrent_norms": ("grad_W_norm", "W_norm")}


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
