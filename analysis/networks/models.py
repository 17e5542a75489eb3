"""The paper's rate networks as small frozen specs over a parameter pytree (a dict of arrays).

Both families update the rates x (a row vector per trial) as

    x_{t+1} = (1 - alpha) x_t + alpha tanh(W x_t + W_in u_t + b + noise_t),

with ``alpha = dt / tau = 0.5``, the noise (if any) inside the tanh. W is either full rank
(``rank=None``) or W = m n^T with m, n of shape (N, K): the latent variable kappa = n^T x then
obeys kappa_{t+1} = (1 - alpha) kappa_t + alpha n^T tanh(m kappa_t + b) exactly, so the
input-free flow of a low-rank network is the K-dimensional field

    dkappa/dt = -kappa + n^T tanh(m kappa + b)     (time in units of tau).

:class:`DelayedActivationRNN` (Dinc et al. 2025, Figs 3, 6, 8B) is autonomous, starts every
unit at x0 = -0.3 in every epoch and reads its output *after* each update. Its readout is
either the fixed sigmoid(c (kappa - 1)) of the rank-one network (gain c = 10, optionally
trainable) or a trainable sigmoid(w_out . x + b_out) of the full state (the rank sweep and the
full-rank sweep; so the rank sweep's K = 1 is not the rank-one network of Fig 3).

:class:`TaskRNN` (Figs 4, 5, 7, 8C) is input-driven, starts from rates tanh(sigma_0 xi) drawn
anew on every forward pass, and reads its output *before* each update (the first output is
read from the initial state). Low-rank networks (Fig 4) draw n ~ N(0, 1/N) (the reference's
S_l, which also feeds the readout) and m ~ N(0, 1) (its S_r^T), the recurrent bias ~ N(0, 0.1^2)
and read out the latent kappa; full-rank networks draw W Xavier-uniform, the recurrent bias
U(-1, 1) (PyTorch's default for an input layer with one input) and read out the full state.
The readout is tanh (cue discrimination, targets +-1) or sigmoid (match-to-sample, 0/1), and
can be held at an L1 norm c (``normalize=c``, Fig 8C). All parameters are trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from reduced.validation import finite_scalar, nonnegative_scalar, positive_int, positive_scalar

from .rate_network import RateNetwork, normal_draw, uniform_draw
from .rollout import rank_one_loss_and_grad

FAMILIES = ("DelayedActivationRNN", "TaskRNN")


@dataclass(frozen=True)
class DelayedActivationRNN(RateNetwork):
    """Autonomous network of the delayed-activation experiments (see the module docstring).

    Parameters
    ----------
    N : int
        Units (default 100).
    rank : int or None
        Rank K of W = m n^T in [1, N]; None for a full-rank W ~ N(0, 1/N). Default 1.
    readout : {"latent", "linear"}
        "latent": sigmoid(gain (kappa - 1)) on kappa = n^T x (rank 1 only; Fig 3);
        "linear": trainable sigmoid(w_out . x + b_out) (Fig 6A full rank, Fig 6B rank sweep).
    gain : float
        The readout gain c of the latent readout (default 10).
    train_gain : bool
        Train the gain as a parameter ``c`` (initialised at ``gain``).
    alpha : float
        dt / tau (0.5) and the noise inside the tanh (0, as in the reference).
    noise_sigma : float
        dt / tau (0.5) and the noise inside the tanh (0, as in the reference).
    x0 : float
        Every unit starts at this rate in every epoch (-0.3).
    """

    readout: str = "latent"
    gain: float = 10.0
    train_gain: bool = False
    x0: float = -0.3

    def __post_init__(self):
        super().__post_init__()
        if self.readout not in ("latent", "linear"):
            raise ValueError(f"readout must be 'latent' or 'linear', got {self.readout!r}")
        if self.readout == "latent" and self.rank != 1:
            raise ValueError(f"the latent readout sigmoid(c (kappa - 1)) needs rank 1, got rank={self.rank!r}")
        positive_scalar(self.gain, "gain")
        if not isinstance(self.train_gain, bool):
            raise ValueError(f"train_gain must be a bool, got {self.train_gain!r}")
        finite_scalar(self.x0, "x0")

    def init(self, key, dtype=None) -> dict:
        import jax
        import jax.numpy as jnp

        dtype = dtype or jnp.float32
        N, scale = self.N, 1.0 / np.sqrt(self.N)
        k = jax.random.split(key, 4)
        params = {"b": jnp.zeros(N, dtype)}
        if self.rank is None:
            params["W"] = scale * normal_draw(k[0], (N, N), dtype)
        else:
            params["m"] = scale * normal_draw(k[0], (N, self.rank), dtype)
            params["n"] = scale * normal_draw(k[1], (N, self.rank), dtype)
        if self.readout == "linear":
            params["w_out"] = scale * normal_draw(k[2], (N,), dtype)
            params["b_out"] = scale * normal_draw(k[3], (), dtype)
        elif self.train_gain:
            params["c"] = jnp.asarray(self.gain, dtype)
        return params

    def initial_state(self, key, trials: int, dtype):
        import jax.numpy as jnp

        return jnp.full((trials, self.N), self.x0, dtype)

    def fused_loss_and_grad(self):
        """The fused epoch of the noise-free rank-one network with the fixed-gain latent readout
        (:func:`analysis.networks.rank_one_loss_and_grad`); None for every other setting."""
        if self.rank != 1 or self.readout != "latent" or self.train_gain or self.noise_sigma != 0:
            return None
        return partial(rank_one_loss_and_grad, self.alpha, self.gain, self.x0)

    def read(self, params, x):
        import jax

        if self.readout == "linear":
            return jax.nn.sigmoid(x @ params["w_out"] + params["b_out"])
        gain = params["c"] if "c" in params else self.gain
        kappa = (x @ params["n"])[..., 0]
        return jax.nn.sigmoid(gain * (kappa - 1.0))


@dataclass(frozen=True)
class TaskRNN(RateNetwork):
    """Input-driven network of the cue-discrimination and match-to-sample experiments.

    Parameters
    ----------
    N : int
        Units (default 100).
    rank : int or None
        Rank K in [1, N] (Fig 4: 2), or None for a full-rank Xavier W (Figs 5, 7, 8C; default).
    n_in : int
        Input channels (1).
    readout : {"tanh", "sigmoid"}
        Output nonlinearity: tanh for cue discrimination, sigmoid for match-to-sample.
    noise_sigma : float
        Noise inside the tanh (Fig 4 DCDT 0, DMTS 1e-2; Fig 5 1e-2; Fig 7 0; Fig 8C 1e-3).
    r0_sigma : float
        Initial rates tanh(r0_sigma xi), drawn anew each forward pass (0.3 in Fig 4, 0.1 in
        Figs 5 and 8C, 0 in Fig 7).
    bias_init : {"normal", "uniform"} or None
        Recurrent bias N(0, 0.1^2) or U(-1, 1); None picks the reference's choice for the rank
        (normal for low rank, uniform for full rank).
    normalize : float or None
        Hold the readout's L1 norm at this value (Fig 8C), or None (per output channel).
    n_out : int
        Output channels (1; the companion study's one-hot task: 2). With ``n_out > 1`` the readout
        ``w_out`` has shape (features, n_out) and the outputs a trailing channel axis.
    recurrent_bias : bool
        Train a second bias ``b_rec`` on the recurrent layer besides the input layer's ``b`` (the
        companion study's ``nn.Linear`` recurrent layer; U(-1/sqrt(N), 1/sqrt(N)) at init). The two
        add inside the tanh, so they change the dynamics only through b + b_rec, but plain SGD
        moves that sum twice as fast as a single bias and weight decay acts on each.
    zero_diagonal : bool
        Zero the diagonal of a full-rank W at initialisation only (the companion study).

    Notes
    -----
    The uniform input-layer bias is U(-1/sqrt(n_in), 1/sqrt(n_in)) (PyTorch's default; U(-1, 1) for
    the paper's one input channel), and the readout bias U(-1/sqrt(features), 1/sqrt(features)).
    """

    rank: int | None = None
    n_in: int = 1
    readout: str = "tanh"
    r0_sigma: float = 0.1
    bias_init: str | None = None
    normalize: float | None = None
    n_out: int = 1
    recurrent_bias: bool = False
    zero_diagonal: bool = False

    readout_before_update = True

    def __post_init__(self):
        super().__post_init__()
        positive_int(self.n_in, "n_in", minimum=1)
        if self.readout not in ("tanh", "sigmoid"):
            raise ValueError(f"readout must be 'tanh' or 'sigmoid', got {self.readout!r}")
        nonnegative_scalar(self.r0_sigma, "r0_sigma")
        if self.bias_init not in (None, "normal", "uniform"):
            raise ValueError(f"bias_init must be 'normal', 'uniform' or None, got {self.bias_init!r}")
        if self.normalize is not None:
            positive_scalar(self.normalize, "normalize")
        positive_int(self.n_out, "n_out", minimum=1)
        for name in ("recurrent_bias", "zero_diagonal"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a bool, got {getattr(self, name)!r}")
        if self.zero_diagonal and self.rank is not None:
            raise ValueError(f"zero_diagonal needs a full-rank network (rank=None), got rank={self.rank}")

    def _reads_latent(self) -> bool:
        return self.rank is not None

    def init(self, key, dtype=None) -> dict:
        import jax
        import jax.numpy as jnp

        dtype = dtype or jnp.float32
        N, K = self.N, self.rank
        k = jax.random.split(key, 6)

        def uniform(key, shape, bound):
            return uniform_draw(key, shape, dtype, -bound, bound)

        bias = self.bias_init or ("normal" if K is not None else "uniform")
        params = {
            "W_in": uniform(k[0], (N, self.n_in), np.sqrt(6.0 / (N + self.n_in))),
            "b": (0.1 * normal_draw(k[1], (N,), dtype) if bias == "normal"
                  else uniform(k[1], (N,), 1.0 / np.sqrt(self.n_in))),
        }
        if K is None:
            params["W"] = uniform(k[2], (N, N), np.sqrt(6.0 / (2 * N)))
            if self.zero_diagonal:
                params["W"] = params["W"] * (1 - jnp.eye(N, dtype=dtype))
            fan_in = N
        else:
            params["n"] = normal_draw(k[2], (N, K), dtype) / np.sqrt(N)
            params["m"] = normal_draw(k[3], (N, K), dtype)
            fan_in = K
        out_shape = () if self.n_out == 1 else (self.n_out,)
        params["w_out"] = uniform(k[4], (fan_in, *out_shape), np.sqrt(6.0 / (fan_in + self.n_out)))
        params["b_out"] = uniform(k[5], out_shape, 1.0 / np.sqrt(fan_in))
        if self.recurrent_bias:  # its own key, so that the other parameters keep their draws
            params["b_rec"] = uniform(jax.random.fold_in(key, 6), (N,), 1.0 / np.sqrt(N))
        return self.project(params)

    def initial_state(self, key, trials: int, dtype):
        import jax.numpy as jnp

        if self.r0_sigma == 0:
            return jnp.zeros((trials, self.N), dtype)
        return jnp.tanh(self.r0_sigma * normal_draw(key, (trials, self.N), dtype))

    def read(self, params, x):
        import jax
        import jax.numpy as jnp

        features = x @ params["n"] if self.rank is not None else x
        z = features @ params["w_out"] + params["b_out"]
        return jnp.tanh(z) if self.readout == "tanh" else jax.nn.sigmoid(z)

    def project(self, params):
        if self.normalize is None:
            return params
        import jax.numpy as jnp

        factor = self.normalize / jnp.sum(jnp.abs(params["w_out"]), axis=0)
        return {**params, "w_out": params["w_out"] * factor, "b_out": params["b_out"] * factor}


def model_from_dict(spec: dict) -> DelayedActivationRNN | TaskRNN:
    """Rebuild a model from :meth:`to_dict` output.

    Parameters
    ----------
    spec : dict
        A model's ``to_dict()``, e.g. from a sweep's ``model`` attribute.

    Returns
    -------
    DelayedActivationRNN or TaskRNN
    """
    spec = dict(spec)
    family = spec.pop("family", None)
    classes = {"DelayedActivationRNN": DelayedActivationRNN, "TaskRNN": TaskRNN}
    if family not in classes:
        raise ValueError(f"model family must be one of {FAMILIES}, got {family!r}")
    return classes[family](**spec)
