"""How far the RNN engine is from a roofline of this machine, per network-epoch.

A network-epoch of the engine's two benchmark architectures (those of ``benchmarks/networks.py``)
does a known amount of arithmetic and must move a known amount of data. Counted from the
equations (a tanh or a sigmoid counted as one operation, so the counts are lower bounds):

* rank one, delayed activation (N = 100, 40 steps, one trial): per step kappa = n.x, the update
  0.5 x + 0.5 tanh(m kappa + b) and the readout n.x: about 10 N operations forward and twice that
  backward; the SGD step on m, n and b;
* full rank, cue discrimination (N = 100, 2 trials x 22 steps): per step and trial the product
  W x (2 N^2) forward and two of the same size backward (the gradient in W, and in x except at the
  first step, whose state is not trained), plus O(N) elementwise work; the SGD step on W. The
  products' count is checked against PyTorch's own flop counter (tests/benchmarks).

The data that must move: the parameters read and written once per epoch, and the states kept
for the backward pass, written and read once (which stay in cache only while a chunk of networks
is small enough).

The machine's peaks are measured in the same run: float32 matrix-product throughput (numpy's
BLAS, 2048 x 2048, every core) and memory bandwidth (a copy of 256 MB). The roofline time is
max(flops / peak flops, bytes / bandwidth); the engine's time comes from
``benchmarks/networks.py``'s measurement (compilation excluded).

Run: python benchmarks/roofline.py
"""

import time

import numpy as np
from networks import engine_seconds_per_network_epoch

FLOAT = 4  # bytes of a float32


def rank_one_work(N: int = 100, steps: int = 40) -> tuple[float, float]:
    """(operations, bytes) of one network-epoch of the rank-one network."""
    forward = steps * (2 * N + 2 * N + N + 3 * N + 2 * N)  # n.x, m kappa + b, tanh, leaky update, readout
    update = 2 * 3 * N  # SGD on m, n, b
    ops = 3 * forward + update  # backward: about twice the forward's arithmetic
    data = 2 * 3 * N * FLOAT + 2 * steps * N * FLOAT  # parameters in and out; states written and read
    return float(ops), float(data)


def full_rank_work(N: int = 100, trials: int = 2, steps: int = 22) -> tuple[float, float]:
    """(operations, bytes) of one network-epoch of the full-rank network."""
    per_step = 2 * N * N + 10 * N  # W x, plus input, bias, tanh, leaky update and readout
    forward = trials * steps * per_step
    # gradients in W at every step and in x at every step but the first (the start is not trained)
    backward = trials * (steps * (4 * N * N + 10 * N) - 2 * N * N)
    update = 2 * N * N
    data = 2 * (N * N + 4 * N) * FLOAT + 2 * trials * steps * N * FLOAT
    return float(forward + backward + update), float(data)


def peak_flops(n: int = 2048, repeats: int = 5) -> float:
    """float32 operations per second of a large matrix product (the best of ``repeats``)."""
    a, b = (np.random.default_rng(k).standard_normal((n, n)).astype(np.float32) for k in range(2))
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best


def bandwidth(megabytes: int = 256, repeats: int = 5) -> float:
    """Bytes per second of a large copy (read plus write)."""
    src = np.ones(megabytes * 2**20 // FLOAT, dtype=np.float32)
    dst = np.empty_like(src)
    np.copyto(dst, src)
    best = min(_timed(lambda: np.copyto(dst, src)) for _ in range(repeats))
    return 2 * src.nbytes / best


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    flops, bw = peak_flops(), bandwidth()
    print(f"machine: {flops / 1e9:.1f} GFLOP/s float32 (matrix product), {bw / 1e9:.1f} GB/s (copy)")
    cases = (("rank one, delayed activation", "fig6a-rank-one", np.logspace(-4, -1, 30), 4000, rank_one_work()),
             ("full rank, cue discrimination", "fig5-dcdt", np.logspace(-3, -1, 30), 1000, full_rank_work()))
    for label, name, lr, epochs, (ops, data) in cases:
        engine, _ = engine_seconds_per_network_epoch(name, lr, 10, epochs)
        bound = max(ops / flops, data / bw)
        print(f"{label}: {ops / 1e6:.3f} Mop and {data / 1e3:.1f} kB per network-epoch; roofline "
              f"{bound * 1e6:.2f} us ({'compute' if ops / flops >= data / bw else 'memory'}-bound); engine "
              f"{engine * 1e6:.1f} us, {engine / bound:.1f}x the roofline ({ops / engine / 1e9:.2f} GFLOP/s)")


if __name__ == "__main__":
    main()
