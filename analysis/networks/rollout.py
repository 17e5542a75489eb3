"""The compiled passes of the training step: the full-rank rollout with a hand-written backward
pass (a ``jax.custom_vjp``), and the rank-one network's whole epoch in one kernel.

Full rank. Forward: x_{t+1} = (1 - alpha) x_t + alpha tanh(x_t W + d_t) over every step, for every
trial at once. Both passes run in the numba kernels of :mod:`._rollout_kernels`, called from the
jitted training step through ``jax.pure_callback``: a vmapped call hands them every network of a
chunk at once, and each network's steps run from its own weights in one core's cache. Backward:
backpropagation through time from the kept tanh values, equal to autodiff of the plain
``lax.scan`` to rounding (tests). The weight gradient dL/dW = sum_t x_t^T dz_t, with
dz_t = alpha (1 - a_t^2) dL/dx_{t+1}, is accumulated in the same sweep over the steps as the
state's gradient, while W is in cache.

Rank one (:func:`rank_one_loss_and_grad`). The noise-free rank-one network with its fixed-gain
latent readout (Figs 3, 6A and 8B) spends its epoch in a 100-unit rollout of 40 steps, too small
for XLA: the vmapped scan, its autodiff and the readout cost about 20 us per network-epoch of
small operations. One kernel runs the rollout, the readout, the loss and backpropagation through
time for every network of the chunk, and hands back the loss, the outputs and the gradients; the
optimiser and the statistics stay in the jitted step. Its inputs and results cross as one packed
array each way, because a host callback costs about 0.1 ms per argument (measured), more than the
kernel's work for 300 networks. Other low-rank networks keep the plain ``lax.scan``
(:meth:`.RateNetwork.simulate`).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

_LOCK = threading.Lock()  # numba's default thread pool takes one caller at a time (dask may run threads)


def _to_host(x):
    """float64 arrays cross to the host as pairs of uint32 words: a callback runs where JAX's 64-bit
    mode may be off (the executing thread, not the tracing one), and there its arguments and results
    are cast to the default types, which would round them to float32."""
    import jax
    import jax.numpy as jnp

    return jax.lax.bitcast_convert_type(x, jnp.uint32) if x.dtype == jnp.float64 else x


def _from_host(x, dtype):
    import jax

    return jax.lax.bitcast_convert_type(x, dtype) if x.dtype != dtype else x


def _from_device(array) -> np.ndarray:
    array = np.asarray(array)
    return array.view(np.float64)[..., 0] if array.dtype == np.uint32 else array


def _to_device(array: np.ndarray) -> np.ndarray:
    if array.dtype != np.float64:
        return array
    return np.ascontiguousarray(array).reshape(-1).view(np.uint32).reshape(*array.shape, 2)  # 0-d arrays too


def _flat(array, core: int):
    """``array`` with its leading (vmapped) axes merged into one, contiguous."""
    array = _from_device(array)
    return np.ascontiguousarray(array.reshape(-1, *array.shape[array.ndim - core:]))


def _forward_host(alpha: float, W, drive, x0):
    """Host side of the forward pass: (xs, a) with the leading axes of ``drive``."""
    drive = _from_device(drive)
    dtype = drive.dtype.type
    keep, rate = dtype(1 - alpha), dtype(alpha)
    d, x = _flat(drive, 3), _flat(x0, 2)
    xs, a = np.empty_like(d), np.empty_like(d)
    from . import _rollout_kernels as kernels  # numba loads only when a compiled path runs

    forward = kernels.full_forward32 if dtype is np.float32 else kernels.full_forward64
    with _LOCK:
        forward(keep, rate, _flat(W, 2), d, x, xs, a)
    return _to_device(xs.reshape(drive.shape)), _to_device(a.reshape(drive.shape))


def _backward_host(alpha: float, W, x0, xs, a, g):
    """Host side of the backward pass: (dW, d drive, d x0) with the callers' shapes."""
    xs = _from_device(xs)
    dtype = xs.dtype.type
    keep, rate = dtype(1 - alpha), dtype(alpha)
    weights, x, s, t, gg = _flat(W, 2), _flat(x0, 2), _flat(xs, 3), _flat(a, 3), _flat(g, 3)
    dW, dz, dx0 = np.empty_like(weights), np.empty_like(s), np.empty_like(x)
    from . import _rollout_kernels as kernels  # numba loads only when a compiled path runs

    with _LOCK:
        kernels.full_backward(keep, rate, weights, x, s, t, gg, dW, dz, dx0)
    return tuple(map(_to_device, (dW.reshape(_from_device(W).shape), dz.reshape(xs.shape),
                                  dx0.reshape(_from_device(x0).shape))))


def _shape_of(value):
    """The shape and type in which ``value``'s kind crosses from the host (see :func:`_to_host`)."""
    import jax
    import jax.numpy as jnp

    if value.dtype == jnp.float64:
        return jax.ShapeDtypeStruct((*value.shape, 2), jnp.uint32)
    return jax.ShapeDtypeStruct(value.shape, value.dtype)


def _forward(alpha, W, drive, x0):
    import jax

    # broadcast_all: a vmapped call reaches the host once, with every network's arrays stacked
    xs, a = jax.pure_callback(lambda *args: _forward_host(alpha, *args), (_shape_of(drive), _shape_of(drive)),
                              *map(_to_host, (W, drive, x0)), vmap_method="broadcast_all")
    xs, a = _from_host(xs, drive.dtype), _from_host(a, drive.dtype)
    return xs, (W, x0, xs, a)


def _backward(alpha, residuals, g):
    import jax

    W, x0, xs, a = residuals
    grads = jax.pure_callback(lambda *args: _backward_host(alpha, *args),
                              (_shape_of(W), _shape_of(xs), _shape_of(x0)), *map(_to_host, (W, x0, xs, a, g)),
                              vmap_method="broadcast_all")
    return tuple(_from_host(grad, xs.dtype) for grad in grads)


@cache
def _make_rollout():
    # built on first use: JAX is imported lazily throughout this package
    import jax

    rollout = jax.custom_vjp(lambda alpha, W, drive, x0: _forward(alpha, W, drive, x0)[0],
                             nondiff_argnums=(0,))
    rollout.defvjp(_forward, _backward)
    return rollout


def full_rank_rollout(alpha: float, W, drive, x0):
    """States x_1..x_steps, shape (steps, trials, N), of a full-rank network; differentiable (reverse mode).

    ``W`` (N, N) is in the row convention (drive = x @ W), ``drive`` (steps, trials, N) is
    everything else inside the tanh (input, bias, noise) and ``x0`` (trials, N) the initial state;
    float32 or float64.
    """
    import jax.numpy as jnp

    dtype = jnp.result_type(drive)
    if dtype not in (jnp.float32, jnp.float64):
        raise ValueError(f"drive must be float32 or float64, got {dtype}")
    return _make_rollout()(float(alpha), jnp.asarray(W, dtype), jnp.asarray(drive, dtype), jnp.asarray(x0, dtype))


def _rank_one_host(alpha: float, gain: float, x0: float, N: int, trials: int, packed):
    """Host side of the fused rank-one epoch. ``packed`` (..., 3 N + 2 trials steps + 1) holds each network's
    m, n, b, targets, mask and loss scale; the result (..., 1 + trials steps + 3 N) its loss, outputs and
    dm, dn, db. One array each way: a callback costs about 0.1 ms per argument (measured), more than the
    kernel takes for 300 networks."""
    lead = _from_device(packed).shape[:-1]
    packed = _flat(packed, 1)
    dtype = packed.dtype.type
    B, size = packed.shape
    steps = (size - 3 * N - 1) // (2 * trials)
    # contiguous copies: the kernel is compiled for C-ordered arrays, which it vectorises
    m, n, b = (np.ascontiguousarray(packed[:, i * N:(i + 1) * N]) for i in range(3))
    task = packed[:, 3 * N:3 * N + 2 * trials * steps].reshape(B, 2, trials, steps)
    targets, mask = np.ascontiguousarray(task[:, 0]), np.ascontiguousarray(task[:, 1])
    loss, outputs = np.empty(B, dtype), np.empty((B, trials, steps), dtype)
    dm, dn, db = np.empty_like(m), np.empty_like(m), np.empty_like(m)
    from . import _rollout_kernels as kernels  # numba loads only when a compiled path runs

    kernel = kernels.rank_one_epoch32 if dtype is np.float32 else kernels.rank_one_epoch64
    with _LOCK:
        kernel(dtype(1 - alpha), dtype(alpha), dtype(gain), dtype(x0), m, n, b, targets, mask,
               np.ascontiguousarray(packed[:, -1]), loss, outputs, dm, dn, db)
    result = np.concatenate([loss[:, None], outputs.reshape(B, -1), dm, dn, db], axis=1)
    return _to_device(result.reshape(*lead, -1))


def rank_one_loss_and_grad(alpha: float, gain: float, x0: float, params: dict, targets: ArrayLike, mask: ArrayLike,
                           loss_scale: float) -> tuple[tuple[Any, Any], dict]:
    """Loss, outputs and gradients of an autonomous rank-one network in one compiled pass (forward and
    backward fused), as ``jax.value_and_grad(..., has_aux=True)`` gives them.

    The network is x_{t+1} = (1 - alpha) x_t + alpha tanh(m (n . x_t) + b), every unit starting at
    ``x0`` in every trial, without noise or input, with the fixed-gain readout
    y_t = sigmoid(gain (n . x_{t+1} - 1)) and the loss ``loss_scale`` * sum(mask (y - targets)^2):
    :class:`DelayedActivationRNN`'s rank-one network with its latent readout. Vmapped over networks,
    one call runs every network at once, each in one core's cache; JAX traces it as one host callback.

    Parameters
    ----------
    alpha : float
        dt / tau.
    gain : float
        The readout's gain.
    x0 : float
        Every unit's rate at the start of every trial.
    params : dict of arrays
        ``m`` and ``n`` (N, 1) and ``b`` (N,), float32 or float64.
    targets : array, shape (trials, steps)
        The task's targets.
    mask : array, shape (trials, steps)
        The task's loss mask (the same shape).
    loss_scale : float
        The factor of the summed squared error.

    Returns
    -------
    tuple
        ``((loss, outputs), grads)``: the loss, the outputs (trials, steps) and the gradients of the
        loss with respect to ``params`` (a dict of the same shapes).
    """
    import jax
    import jax.numpy as jnp

    shapes = {k: jnp.shape(v) for k, v in params.items()}
    N = (shapes.get("m") or (0,))[0]
    if set(params) != {"m", "n", "b"} or shapes["m"] != (N, 1) or shapes["n"] != (N, 1) or shapes["b"] != (N,):
        raise ValueError(f"params must be a rank-one network's m, n (N, 1) and b (N,), got {shapes}")
    dtype = jnp.result_type(params["m"])
    if dtype not in (jnp.float32, jnp.float64):
        raise ValueError(f"params must be float32 or float64, got {dtype}")
    m, n, b = (jnp.asarray(params[k], dtype).reshape(-1) for k in ("m", "n", "b"))
    targets, mask = jnp.asarray(targets, dtype), jnp.asarray(mask, dtype)
    if targets.ndim != 2 or mask.shape != targets.shape:
        raise ValueError(f"targets and mask must both be (trials, steps), got {targets.shape} and {mask.shape}")
    trials, steps = targets.shape
    packed = jnp.concatenate([m, n, b, targets.reshape(-1), mask.reshape(-1), jnp.asarray(loss_scale, dtype)[None]])
    result = jax.pure_callback(lambda p: _rank_one_host(alpha, gain, x0, N, trials, p),
                               _shape_of(jax.ShapeDtypeStruct((1 + trials * steps + 3 * N,), dtype)),
                               _to_host(packed), vmap_method="broadcast_all")
    result = _from_host(result, dtype)
    outputs = result[1:1 + trials * steps].reshape(trials, steps)
    dm, dn, db = result[1 + trials * steps:].reshape(3, N)
    return (result[0], outputs), {"m": dm.reshape(params["m"].shape), "n": dn.reshape(params["n"].shape), "b": db}
