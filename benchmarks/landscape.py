"""Speed of the finite-confidence landscape (issue: exact loss landscape).

Targets, on one core: continuous ``loss_and_grad`` on 10^4 values of r under 1 s; the
discrete model on 10^4 r by 2000 steps under 2 s; at least 200x faster than the reference
code's way at the reference setting. Two baselines run in the same process, on a subset of r,
and are compared per value of r:

* "reference style": a per-r, per-step Python loop with numpy scalar arithmetic, the state
  stored in a numpy array and a noise draw every step (eps = 0), which is how the paper's
  reference code evaluates the loss;
* "lean loop": the same loop with the ``math`` module and no noise draw, a stricter baseline.

Run: python benchmarks/landscape.py   (NUMBA_NUM_THREADS=1 for one core)
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from reduced import loss, loss_and_grad, optimal_r  # noqa: E402

T, DT, X_STAR, A = 100.0, 0.1, 10.0, 1.0


def reference_style_loss(r: float, eps: float = 0.0) -> float:
    """One r, one Euler step at a time, in numpy scalars, as the reference code does it."""
    n_steps = round(2 * T / DT)
    states = np.zeros(n_steps + 1)
    error = 0.0
    for n in range(n_steps):
        kick = np.sqrt(DT) * eps * np.random.normal(0, 1)  # noqa: NPY002 - the reference code's own call
        states[n + 1] = min(states[n] + DT * states[n] ** 2 + DT * r + kick, 1e6)
        output = 1 / (1 + np.exp(-A * (states[n + 1] - X_STAR)))
        error = error + (output - float(n + 1 > T / DT)) ** 2
    return error * DT / T


def lean_loop_loss(r: float) -> float:
    """The same loop with the math module and no noise draw."""
    x, total = 0.0, 0.0
    n_steps = round(2 * T / DT)
    for n in range(1, n_steps + 1):
        x = min(max(x + DT * (x * x + r), -1e6), 1e6)
        y = 1.0 / (1.0 + math.exp(-A * (x - X_STAR)))
        total += (y - (1.0 if n > T / DT else 0.0)) ** 2
    return DT * total / T


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    r_star = optimal_r(T)
    r_wide = np.linspace(-10 * r_star, 100 * r_star, 10_000)
    r = np.linspace(-r_star, 2 * r_star, 10_000)  # the reference setting's range
    loss_and_grad(r[:100], T, a=A)  # warm-up (and numba compilation, cached on disk)
    loss_and_grad(r[:100], T, a=A, dt=DT)

    t_cont = best_of(lambda: loss_and_grad(r_wide, T, a=A))
    t_disc = best_of(lambda: loss_and_grad(r, T, a=A, dt=DT))
    t_disc_loss = best_of(lambda: loss(r, T, a=A, dt=DT))
    t_numpy = best_of(lambda: loss_and_grad(r, T, a=A, dt=DT, backend="numpy"), repeats=1)
    subset = r[:: r.size // 50]
    t_ref = best_of(lambda: [reference_style_loss(v) for v in subset], repeats=1) / subset.size * r.size
    t_lean = best_of(lambda: [lean_loop_loss(v) for v in subset], repeats=1) / subset.size * r.size
    agree = max(abs(reference_style_loss(v) - loss(v, T, a=A, dt=DT)) for v in subset[:5])

    print(f"threads: NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'all cores')}")
    print(f"continuous loss_and_grad, 10^4 r:        {t_cont:6.3f} s   (target < 1 s; r in [-10 r*, 100 r*])")
    print(f"discrete loss_and_grad, 10^4 r x 2000:   {t_disc:6.3f} s   (target < 2 s)")
    print(f"discrete loss only, 10^4 r x 2000:       {t_disc_loss:6.3f} s   (r in [-r*, 2 r*], a = {A})")
    print(f"discrete, plain numpy reference path:    {t_numpy:6.3f} s")
    print(f"reference-style loop, 10^4 r:            {t_ref:6.1f} s   (timed on {subset.size} r, scaled)")
    print(f"lean python loop, 10^4 r:                {t_lean:6.1f} s   (timed on {subset.size} r, scaled)")
    print(f"max |library - reference-style| loss:    {agree:.1e}")
    print(f"speedup, loss vs reference-style loop:   {t_ref / t_disc_loss:6.0f} x  (target >= 200x)")
    print(f"speedup, loss+grad vs reference style:   {t_ref / t_disc:6.0f} x")
    print(f"speedup, loss vs lean loop:              {t_lean / t_disc_loss:6.0f} x")


if __name__ == "__main__":
    main()
