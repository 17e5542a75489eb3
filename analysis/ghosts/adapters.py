"""Adapters: the user's own network as a :class:`Map` (or :class:`Flow`) the ghost finder can search.

* :func:`from_torch` reads a PyTorch recurrent module (``nn.RNN``, ``nn.GRU``, ``nn.LSTM`` and
  their ``Cell`` classes) into a map with PyTorch's own equations, its weights a params pytree of
  float64 arrays;
* :func:`from_weights` builds a leaky rate RNN x -> (1 - alpha) x + alpha phi(W x + W_in u + b)
  from arrays, or its flow -x + phi(W x + W_in u + b).

Every architecture has one step function (module level), so the compiled search of one
architecture serves every checkpoint and every network of its sizes: only ``params`` change.
JAX, Flax or Equinox users need no adapter: ``Map(lambda x, params, u: step(params, x, u), params,
n_state=..., n_input=...)`` wraps their own step function as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from reduced.validation import finite

from .dynamics import Flow, Map

if TYPE_CHECKING:
    import torch

NONLINEARITIES = ("tanh", "relu", "sigmoid", "softplus")
TORCH_MODULES = ("RNN", "GRU", "LSTM", "RNNCell", "GRUCell", "LSTMCell")
CONVENTIONS = ("column", "row")


def _phi(name: str, z):
    import jax
    import jax.numpy as jnp

    return {"tanh": jnp.tanh, "relu": jax.nn.relu, "sigmoid": jax.nn.sigmoid, "softplus": jax.nn.softplus}[name](z)


# --- PyTorch's equations, one function per architecture (see torch.nn.RNN, GRU, LSTM) -----------
def _rnn_step(phi: str):
    def step(x, params, u):
        import jax.numpy as jnp

        out, inp = [], u
        hidden = params["layers"][0]["W_hh"].shape[0]
        for k, layer in enumerate(params["layers"]):
            h = x[k * hidden:(k + 1) * hidden]
            inp = _phi(phi, layer["W_ih"] @ inp + layer["b_ih"] + layer["W_hh"] @ h + layer["b_hh"])
            out.append(inp)
        return jnp.concatenate(out)

    return step


def _gru_step(x, params, u):
    import jax
    import jax.numpy as jnp

    out, inp = [], u
    hidden = params["layers"][0]["W_hh"].shape[1]
    for k, layer in enumerate(params["layers"]):
        h = x[k * hidden:(k + 1) * hidden]
        gi = layer["W_ih"] @ inp + layer["b_ih"]  # gates in PyTorch's order: reset, update, new
        gh = layer["W_hh"] @ h + layer["b_hh"]
        r = jax.nn.sigmoid(gi[:hidden] + gh[:hidden])
        z = jax.nn.sigmoid(gi[hidden:2 * hidden] + gh[hidden:2 * hidden])
        n = jnp.tanh(gi[2 * hidden:] + r * gh[2 * hidden:])
        inp = (1 - z) * n + z * h
        out.append(inp)
    return jnp.concatenate(out)


def _lstm_step(x, params, u):
    import jax
    import jax.numpy as jnp

    hs, cs, inp = [], [], u
    hidden = params["layers"][0]["W_hh"].shape[1]
    layers = len(params["layers"])
    for k, layer in enumerate(params["layers"]):
        h, c = x[k * hidden:(k + 1) * hidden], x[(layers + k) * hidden:(layers + k + 1) * hidden]
        g = layer["W_ih"] @ inp + layer["b_ih"] + layer["W_hh"] @ h + layer["b_hh"]  # input, forget, cell, output
        i, f = jax.nn.sigmoid(g[:hidden]), jax.nn.sigmoid(g[hidden:2 * hidden])
        c = f * c + i * jnp.tanh(g[2 * hidden:3 * hidden])
        inp = jax.nn.sigmoid(g[3 * hidden:]) * jnp.tanh(c)
        hs.append(inp)
        cs.append(c)
    return jnp.concatenate(hs + cs)  # the state is [h of every layer, c of every layer]


_STEPS = {"RNN_TANH": _rnn_step("tanh"), "RNN_RELU": _rnn_step("relu"), "GRU": _gru_step, "LSTM": _lstm_step}


def _torch_kind(module) -> tuple[str, str, bool]:
    """(step key, PyTorch class name, is a cell) of a supported module; ValueError otherwise."""
    try:
        import torch
    except ImportError:
        raise ValueError("module: from_torch needs PyTorch (pip install 'ghost-mechanism[torch]'; for the CPU "
                         "build, pip install torch --index-url https://download.pytorch.org/whl/cpu)") from None

    for name in TORCH_MODULES:
        if type(module) is getattr(torch.nn, name):
            base = name.removesuffix("Cell")
            key = f"RNN_{module.nonlinearity.upper()}" if base == "RNN" else base
            return key, name, name.endswith("Cell")
    raise ValueError(f"module must be one of torch.nn.{', torch.nn.'.join(TORCH_MODULES)}, got "
                     f"{type(module).__name__} (for a rate RNN of your own, use from_weights)")


def _layer_arrays(module, suffix: str, gates: int) -> dict:
    def read(name):
        value = getattr(module, name + suffix, None)
        return None if value is None else value.detach().cpu().double().numpy()

    W_ih, W_hh = read("weight_ih"), read("weight_hh")
    zeros = np.zeros(gates * module.hidden_size)
    b_ih, b_hh = read("bias_ih"), read("bias_hh")
    return {"W_ih": W_ih, "W_hh": W_hh, "b_ih": zeros if b_ih is None else b_ih,
            "b_hh": zeros if b_hh is None else b_hh}


def from_torch(module: torch.nn.Module) -> Map:
    """One step of a PyTorch recurrent module as a map x_{k+1} = G(x_k, params, u), in float64.

    Parameters
    ----------
    module : torch.nn.RNN, GRU, LSTM, RNNCell, GRUCell or LSTMCell
        With PyTorch's own equations: ``RNN`` with ``nonlinearity`` "tanh" or "relu"; ``GRU`` with
        its gates in PyTorch's order (reset, update, new; the reset gate multiplies
        W_hn h + b_hn); ``LSTM`` (input, forget, cell, output). Any ``num_layers``: the state is
        the layers' hidden states stacked, layer 0 first (for an LSTM, every layer's h, then every
        layer's c). ``batch_first`` does not matter (one state at a time); ``dropout`` acts only in
        training, so the map is the module's evaluation step. ``bidirectional=True`` (a step needs
        the future) and ``proj_size > 0`` are refused.

    Returns
    -------
    Map
        ``function`` is one function per architecture, ``params`` the module's weights as a
        pytree ``{"layers": [{"W_ih", "W_hh", "b_ih", "b_hh"}, ...]}`` of float64 arrays (biases
        zero when the module has none), ``n_state`` hidden_size x num_layers (x 2 for an LSTM)
        and ``n_input`` the module's input size. Read the module again at another checkpoint:
        the same function, new params, so the search compiles nothing.

    Examples
    --------
    >>> import pytest; torch = pytest.importorskip("torch")   # the torch extra
    >>> net = torch.nn.GRU(3, 8, num_layers=2)
    >>> G = from_torch(net)
    >>> G.n_state, G.n_input, G.time
    (16, 3, 'discrete')
    """
    key, name, cell = _torch_kind(module)
    if not cell:
        if getattr(module, "bidirectional", False):
            raise ValueError("module: bidirectional=True is not supported (a map steps forward only); "
                             "supported: bidirectional=False")
        if getattr(module, "proj_size", 0):
            raise ValueError(f"module: proj_size={module.proj_size} is not supported; supported: proj_size=0")
    gates = {"GRU": 3, "LSTM": 4}.get(key, 1)
    suffixes = [""] if cell else [f"_l{k}" for k in range(module.num_layers)]
    layers = [_layer_arrays(module, suffix, gates) for suffix in suffixes]
    for k, layer in enumerate(layers):
        for leaf, value in layer.items():
            if not np.all(np.isfinite(value)):
                raise ValueError(f"module: its weights must be finite ({leaf} of layer {k} is not)")
    n_state = module.hidden_size * len(layers) * (2 if key == "LSTM" else 1)
    return Map(_STEPS[key], {"layers": layers}, n_state=n_state, n_input=module.input_size,
               description=f"torch.nn.{name}, {len(layers)} layer(s), {module.hidden_size} units")


# --- leaky rate RNNs from arrays -----------------------------------------------------------------
def _leaky(phi: str, convention: str, time: str):
    def field(x, params, u):
        W = params["W"]
        drive = (W @ x if convention == "column" else x @ W) + params["W_in"] @ u + params["b"]
        if time == "continuous":
            return -x + _phi(phi, drive)
        return (1 - params["alpha"]) * x + params["alpha"] * _phi(phi, drive)

    return field


_LEAKY = {(phi, c, t): _leaky(phi, c, t) for phi in NONLINEARITIES for c in CONVENTIONS
          for t in ("continuous", "discrete")}


def from_weights(W_rec: np.ndarray, b: np.ndarray, *, W_in: np.ndarray | None = None, alpha: float = 1.0,
                 nonlinearity: str = "tanh", convention: str = "column", time: str = "discrete") -> Map | Flow:
    """A leaky rate RNN from arrays: the map x -> (1 - alpha) x + alpha phi(W x + W_in u + b).

    Parameters
    ----------
    W_rec : array_like, shape (N, N)
        Recurrent weights.
    b : array_like, shape (N,)
        Bias.
    W_in : array_like, shape (N, m), optional
        Input weights; without them the system has no input.
    alpha : float
        dt / tau, in (0, 1]; 1 is a vanilla RNN h -> phi(W h + W_in u + b).
    nonlinearity : {"tanh", "relu", "sigmoid", "softplus"}
    convention : {"column", "row"}
        ``"column"``: W acts on the state as a column, W x (numpy's ``W @ x``, PyTorch's
        ``x @ W.T``); ``"row"``: x W, the same as ``W.T @ x`` (the convention of code that
        writes ``x @ W``).
    time : {"discrete", "continuous"}
        The map above (default), or the flow dx/dt = -x + phi(W x + W_in u + b), time in units of
        tau, which the map's Euler step with step alpha approximates.

    Returns
    -------
    Map or Flow
    """
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be one of {NONLINEARITIES}, got {nonlinearity!r}")
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    if time not in ("discrete", "continuous"):
        raise ValueError(f"time must be 'discrete' or 'continuous', got {time!r}")
    if not (np.isscalar(alpha) and np.isfinite(alpha) and 0 < alpha <= 1):
        raise ValueError(f"alpha must lie in (0, 1], got {alpha!r}")
    W = _finite_array(W_rec, "W_rec", 2)
    N = W.shape[0]
    if W.shape != (N, N):
        raise ValueError(f"W_rec must be square, got shape {W.shape}")
    bias = _finite_array(b, "b", 1)
    if bias.shape != (N,):
        raise ValueError(f"b must have shape ({N},), got {bias.shape}")
    inputs = np.zeros((N, 0)) if W_in is None else _finite_array(W_in, "W_in", 2)
    if inputs.shape[0] != N:
        raise ValueError(f"W_in must have shape ({N}, m), got {inputs.shape}")
    params = {"W": W, "W_in": inputs, "b": bias, "alpha": np.float64(alpha)}
    kind = Map if time == "discrete" else Flow
    return kind(_LEAKY[nonlinearity, convention, time], params, n_state=N, n_input=inputs.shape[1],
                description=f"leaky {nonlinearity} RNN, {N} units, alpha {alpha}")


def _finite_array(value, name: str, ndim: int) -> np.ndarray:
    arr = finite(value, name)
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    return arr
