"""The dynamics both network families share: :class:`RateNetwork`, a frozen spec over a parameter dict.

The rates x (a row vector per trial) follow x_{t+1} = (1 - alpha) x_t + alpha tanh(W x_t + W_in u_t
+ b + noise_t); W is full rank or W = m n^T (see :mod:`analysis.networks.models`, which holds the
two families of the paper and their initialisation and readout).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from functools import cache

from reduced.validation import nonnegative_scalar, positive_int, positive_scalar

from .rollout import full_rank_rollout


def normal_draw(key, shape, dtype):
    """Standard normal draws made in float32 and cast: the same network in float32 and float64."""
    import jax
    import jax.numpy as jnp

    return jax.random.normal(key, shape, jnp.float32).astype(dtype)


def uniform_draw(key, shape, dtype, low, high):
    """Uniform draws on [low, high) made in float32 and cast (see :func:`normal_draw`)."""
    import jax
    import jax.numpy as jnp

    return jax.random.uniform(key, shape, jnp.float32, low, high).astype(dtype)


@dataclass(frozen=True)
class RateNetwork:
    """Shared dynamics: subclasses set the initialisation, the readout and the initial state."""

    N: int = 100
    rank: int | None = 1
    alpha: float = 0.5
    noise_sigma: float = 0.0

    readout_before_update = False

    def __post_init__(self):
        positive_int(self.N, "N", minimum=1)
        if self.rank is not None:
            positive_int(self.rank, "rank", minimum=1, maximum=self.N)
        alpha = positive_scalar(self.alpha, "alpha")
        if alpha > 1:
            raise ValueError(f"alpha must lie in (0, 1], got {alpha}")
        nonnegative_scalar(self.noise_sigma, "noise_sigma")

    # --- serialisation ------------------------------------------------------------------
    # settings added after results were first saved: written only when set, so that the fingerprints
    # (and so the saved sweeps and caches) of every earlier model stay valid
    _WRITTEN_WHEN_SET = {"n_out": 1, "recurrent_bias": False, "zero_diagonal": False}

    def to_dict(self) -> dict:
        spec = {k: v for k, v in asdict(self).items()
                if k not in self._WRITTEN_WHEN_SET or v != self._WRITTEN_WHEN_SET[k]}
        return {"family": type(self).__name__, **spec}

    def replace(self, **changes):
        """A copy with some fields changed (validated again)."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"{type(self).__name__} has no setting {sorted(unknown)}; settings: {sorted(known)}")
        return type(self)(**{**asdict(self), **changes})

    # --- dynamics -----------------------------------------------------------------------
    def recurrent_drive(self, params, x):
        """W x for row-vector states x of shape (..., N).

        A full-rank W is stored in the reference's row convention, drive = x @ W (so the usual
        column-convention matrix is W^T); this layout also makes the batched products about twice
        as fast on the CPU. A low-rank W = m n^T gives drive = (x @ n) @ m^T.
        """
        if self.rank is None:
            return x @ params["W"]
        return (x @ params["n"]) @ params["m"].T

    def bias(self, params):
        """The total bias inside the tanh: ``b``, plus the recurrent layer's own ``b_rec`` if trained."""
        return params["b"] + params["b_rec"] if "b_rec" in params else params["b"]

    def input_drive(self, params, u):
        b = self.bias(params)
        return b if "W_in" not in params else u @ params["W_in"].T + b

    def project(self, params):
        """Constraints applied before every forward pass (identity unless a readout is normalised)."""
        return params

    def fused_loss_and_grad(self):
        """A function ``(params, targets, mask, loss_scale) -> ((loss, outputs), grads)`` that trains one
        epoch of this network in one compiled pass, or None where there is none (then the training
        step differentiates :meth:`simulate`)."""
        return None

    def simulate(self, params, inputs, x0, noise):
        """Roll the network out over a batch of trials.

        Parameters
        ----------
        params : dict of arrays
        inputs : array, shape (trials, steps, n_in)
        x0 : array, shape (trials, N)
        noise : array, shape (steps, trials, N), or None
            Noise added inside the tanh at each step (None for none).

        Returns
        -------
        states : array, shape (steps + 1, trials, N)
            x_0, ..., x_steps.
        outputs : array, shape (trials, steps)
            Read from x_0..x_{steps-1} (before the update) or x_1..x_steps (after it).
        """
        import jax
        import jax.numpy as jnp

        u = jnp.swapaxes(inputs, 0, 1)  # (steps, trials, n_in)
        if self.rank is None:
            return self._simulate_full_rank(params, u, x0, noise)

        def step(x, drive_noise):
            u_t, xi_t = drive_noise
            pre = self.recurrent_drive(params, x) + self.input_drive(params, u_t)
            if xi_t is not None:
                pre = pre + xi_t
            x_new = (1 - self.alpha) * x + self.alpha * jnp.tanh(pre)
            # reading inside the step keeps the backward pass to one loop (3x faster than reading
            # the stacked states afterwards)
            return x_new, (x_new, self.read(params, x if self.readout_before_update else x_new))

        _, (xs, ys) = jax.lax.scan(step, x0, (u, noise))  # a None leaf is scanned as no input
        return jnp.concatenate([x0[None], xs], axis=0), jnp.swapaxes(ys, 0, 1)

    def _simulate_full_rank(self, params, u, x0, noise):
        """The full-rank rollout with a hand-written backward pass (see :func:`_rollout`)."""
        import jax
        import jax.numpy as jnp

        drive = jax.vmap(lambda u_t: self.input_drive(params, u_t))(u)  # (steps, trials, N) or (steps, N)
        if drive.ndim == 2:  # the bias alone: the same drive for every trial
            drive = drive[:, None, :]
        drive = jnp.broadcast_to(drive, (u.shape[0], *x0.shape))
        if noise is not None:
            drive = drive + noise
        xs = full_rank_rollout(self.alpha, params["W"], drive, x0)
        states = jnp.concatenate([x0[None], xs], axis=0)
        read_from = states[:-1] if self.readout_before_update else states[1:]
        return states, jnp.swapaxes(self.read(params, read_from), 0, 1)

    def sample_start(self, key, trials: int, steps: int, dtype=None):
        """Initial states (trials, N) and noise (steps, trials, N), or None without noise, for one pass."""
        import jax
        import jax.numpy as jnp

        dtype = dtype or jnp.float32
        k0, k1 = jax.random.split(key)
        x0 = self.initial_state(k0, trials, dtype)
        if self.noise_sigma == 0:
            return x0, None
        return x0, self.noise_sigma * normal_draw(k1, (steps, trials, self.N), dtype)

    def flow(self, params):
        """The input-free flow in units of tau: kappa -> -kappa + n^T tanh(m kappa + b) (low rank),
        x -> -x + tanh(W^T x + b) (full rank, W in the row convention). A JAX-traceable function
        of a 1-D array."""
        import jax.numpy as jnp

        b = self.bias(params)
        if self.rank is None:
            W = params["W"]
            return lambda x: -x + jnp.tanh(x @ W + b)
        m, n = params["m"], params["n"]
        return lambda kappa: -kappa + n.T @ jnp.tanh(m @ kappa + b)

    def flow_function(self):
        """The input-free flow as one function ``F(x, params)`` (see :meth:`flow`), the same object
        on every call for equal models, so that :func:`analysis.ghosts.find_slow_points` (with
        ``params=``) compiles its search once for all the checkpoints of a network."""
        return _flow_function(self)

    def latent(self, params, states):
        """Latent coordinates kappa = n^T x of states (..., N) (low rank only)."""
        if self.rank is None:
            raise ValueError("latent coordinates need a low-rank network (rank is None)")
        return states @ params["n"]

    def param_dims(self) -> dict[str, tuple[str, ...]]:
        """Dimension names of each parameter, for labelled checkpoints."""
        K = "rank" if self.rank is not None else None
        dims = {"b": ("unit",), "b_rec": ("unit",), "W": ("unit", "unit_in"), "m": ("unit", K),
                "n": ("unit", K), "W_in": ("unit", "input"), "c": (), "b_out": ()}
        dims["w_out"] = ("latent",) if self._reads_latent() else ("unit",)
        if getattr(self, "n_out", 1) > 1:
            dims["w_out"] += ("output",)
            dims["b_out"] = ("output",)
        return dims

    def _reads_latent(self) -> bool:
        return False


@cache
def _flow_function(model):
    return lambda x, params: model.flow(params)(x)
