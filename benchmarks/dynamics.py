"""Speed of the gradient-descent sweeps (issue: learning dynamics).

Targets: a sharp (eta, T) phase diagram of 200 x 50 points, 10 seeds and 10^4 epochs
(10^9 map steps) under 60 s on the 2-core machine, with peak memory under 2 GB; at least
300x faster per map step than the reference code's way, a scalar per-run Python loop that
calls a gradient function and a loss function every epoch. The baseline runs in the same
process on a few runs and is compared per map step.

Second part (issue: reduced-model core): ``descend`` on one long run, compiled against its own
numpy loop (``backend="numpy"``, the reference path), for plain descent, momentum and Adam.

Run: python benchmarks/dynamics.py
"""

import resource
import time

import numpy as np

from analysis import descend, phase_diagram, summarize_runs
from reduced import critical_learning_rate, optimal_r

T_REF = 100.0


def reference_style_run(r0: float, eta: float, T: float, epochs: int) -> np.ndarray:
    """One run, one epoch at a time, through scalar gradient and loss functions."""
    def gradient(r):
        low, high = np.pi**2 / (16 * T**2), np.pi**2 / (4 * T**2)
        if low <= r <= high:
            return -np.pi / (4 * r ** (3 / 2))
        if r > high:
            return np.pi / (4 * r ** (3 / 2))
        return 0

    def loss(r):
        if r <= 0:
            return 1
        t_inf = np.pi / (2 * np.sqrt(r))
        return (abs(T - t_inf) * (r > np.pi**2 / (16 * T**2)) + T * (r <= np.pi**2 / (16 * T**2))) / T

    path = np.zeros(epochs + 1)
    losses = np.zeros(epochs + 1)
    path[0], losses[0] = r0, loss(r0)
    for k in range(epochs):
        path[k + 1] = path[k] - eta * gradient(path[k])
        losses[k + 1] = loss(path[k + 1])
    return losses


def main() -> None:
    T = np.geomspace(10.0, 1000.0, 50)
    eta_c = critical_learning_rate(T, normalized=False)
    eta = np.geomspace(eta_c.min() / 10, eta_c.max() * 10, 200)
    summarize_runs(optimal_r(T_REF), 1e-9, T_REF, 10)  # compile once (cached on disk afterwards)

    start = time.perf_counter()
    ds = phase_diagram(eta=eta, T=T, seeds=10, epochs=10_000, normalized=False)
    t_diagram = time.perf_counter() - start
    steps = eta.size * T.size * 10 * 10_000
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    n_base, epochs_base = 4, 10_000
    start = time.perf_counter()
    for k in range(n_base):
        reference_style_run(10 * optimal_r(T_REF), 0.5 * critical_learning_rate(T_REF, False) * (1 + k / 10), T_REF,
                            epochs_base)
    t_base = (time.perf_counter() - start) / (n_base * epochs_base)

    per_step = t_diagram / steps
    print(f"(eta, T) diagram 200 x 50 x 10 seeds x 10^4 epochs: {t_diagram:6.1f} s   (target < 60 s)")
    print(f"map steps per second:                              {1 / per_step:9.3e}")
    print(f"peak resident memory:                              {peak_mb:6.0f} MB  (target < 2048 MB)")
    print(f"reference-style loop, per map step:                {t_base * 1e9:6.0f} ns")
    print(f"library, per map step (incl. statistics):          {per_step * 1e9:6.2f} ns")
    print(f"speedup per map step:                              {t_base / per_step:6.0f} x  (target >= 300x)")
    print(f"fraction of grid trapped: {float((ds.regime == 2).mean()):.3f}")
    single_run_descend()


def single_run_descend() -> None:
    r0, eta = 10 * optimal_r(T_REF), 0.3 * critical_learning_rate(T_REF)
    for optimizer in ("sgd", "momentum", "adam"):
        rate = eta if optimizer != "adam" else 0.3 * optimal_r(T_REF)
        descend(r0, rate, T_REF, 10, optimizer=optimizer)  # compile
        start = time.perf_counter()
        fast = descend(r0, rate, T_REF, 10**7, record_every=10**4, optimizer=optimizer)
        t_fast = (time.perf_counter() - start) / 10**7
        start = time.perf_counter()
        slow = descend(r0, rate, T_REF, 10**5, record_every=10**4, optimizer=optimizer, backend="numpy")
        t_slow = (time.perf_counter() - start) / 10**5
        same = np.array_equal(fast.r[: slow.r.shape[0]], slow.r)
        print(f"descend, one run, {optimizer:8s}: compiled {t_fast * 1e9:6.1f} ns/epoch, numpy loop "
              f"{t_slow * 1e6:5.1f} us/epoch, ratio {t_slow / t_fast:6.0f} x, same path: {same}")


if __name__ == "__main__":
    main()
