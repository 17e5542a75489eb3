"""Speed of the ghost finder on a trained full-rank network (issue: finding ghosts in any flow).

A full-rank N = 100 network is trained on cue discrimination (the Fig 5 settings, 3000 epochs);
its input-free flow F(x) = -x + tanh(W^T x + b) is then searched for slow points from every state
visited by a batch of 200 and of 1000 trials (the reference's starts: 23 states per trial; 1000
trials is the batch of the paper's low-rank cue-discrimination runs). Two methods, in the same run, from the
same starts:

* the reference's approach: Adam (lr 1e-2) on q = |F|^2 / 2 for 5000 steps, all starts at once
  (jitted and vmapped, so the comparison is of the algorithms, not of Python overhead);
* :func:`analysis.ghosts.find_slow_points` (damped Newton on q with its exact Hessian).

Target: at least 10x faster, with |F| no worse at the points found.

Run: python benchmarks/ghosts.py
"""

import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from analysis.ghosts import find_slow_points
from analysis.networks import preset


def trained_flow_and_states(trials_per_class: int):
    p = preset("fig5-dcdt")
    ds = p.run(epochs=3000, seeds=[0], checkpoints=[3000])
    params = {name[6:]: jnp.asarray(ds[name].isel(lr=0, seed=0, checkpoint=0).values)
              for name in ds.data_vars if name.startswith("param_")}
    model, task = p.model, p.task
    task = task.with_trials_per_class(trials_per_class)
    x0, noise = model.sample_start(jax.random.PRNGKey(0), task.trials, task.steps)
    states, _ = model.simulate(params, jnp.asarray(task.inputs, jnp.float32), x0, noise)
    starts = np.asarray(states, dtype=float).reshape(-1, model.N)
    params64 = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    W, b = params64["W"], params64["b"]
    return (lambda x: -x + jnp.tanh(x @ W + b)), starts


def adam_reference(F, starts, steps=5000, lr=1e-2):
    opt = optax.adam(lr)

    def q(x):
        f = F(x)
        return 0.5 * jnp.dot(f, f)

    @jax.jit
    def run(x):
        state = jax.vmap(opt.init)(x)

        def body(carry, _):
            x, state = carry
            g = jax.vmap(jax.grad(q))(x)
            updates, state = jax.vmap(opt.update)(g, state, x)
            return (optax.apply_updates(x, updates), state), None

        (x, _), _ = jax.lax.scan(body, (x, state), None, length=steps)
        return x, jax.vmap(lambda y: jnp.linalg.norm(F(y)))(x)

    return run(jnp.asarray(starts))


def main():
    for trials_per_class in (100, 500):
        compare(*trained_flow_and_states(trials_per_class))


def compare(F, starts):
    print(f"{len(starts)} starts (every visited state of {len(starts) // 23} trials), N = {starts.shape[1]}; "
          "times include compilation")
    with jax.enable_x64(True):
        start = time.perf_counter()
        x_adam, speed_adam = adam_reference(F, starts)
        jax.block_until_ready(x_adam)
        t_adam = time.perf_counter() - start
    start = time.perf_counter()
    found = find_slow_points(F, starts)
    t_newton = time.perf_counter() - start
    speed_adam = np.asarray(speed_adam)
    print(f"Adam, 5000 steps: {t_adam:.1f} s; |F| at its end points: median {np.median(speed_adam):.2e}, "
          f"min {speed_adam.min():.2e}")
    print(f"find_slow_points: {t_newton:.1f} s; {len(found)} distinct points "
          f"({', '.join(f'{k}: {int(np.sum(found.kind == k))}' for k in np.unique(found.kind))}); "
          f"|F| median {np.median(found.speed):.2e}, max {found.speed.max():.2e}; "
          f"{found.unconverged.size} starts did not converge")
    ratio = t_adam / t_newton
    no_worse = len(found) and found.speed.max() <= np.median(speed_adam)
    print(f"speed-up {ratio:.1f}x (target >= 10x: {'met' if ratio >= 10 else 'NOT met'}); "
          f"|F| no worse than Adam's median: {'yes' if no_worse else 'NO'}")


if __name__ == "__main__":
    main()
