"""Speed of the RNN engine (issue: recurrent networks trained by the hundred at once).

Targets, as ratios measured in one run against a per-network loop in the reference code's
style (one network at a time, one epoch at a time: forward over the trial, backward, an SGD
step), per network-epoch:

* at least 100x for the rank-one network on delayed activation (N = 100, T = 20);
* at least 20x for the full-rank network on cue discrimination (N = 100, Fig 5 settings).

The baseline is PyTorch when it is installed (``pip install -e ".[bench]"``; a CPU-only build
is enough), otherwise a per-network loop over a jitted JAX step; the script says which.
The engine's compile time is excluded (a warm-up sweep of the same shapes runs first) and
reported separately.

``--fig6a`` also runs the full Fig 6A rank-one sweep (30 learning rates x 10 seeds x 200,001
epochs = 6e7 network-epochs; target at most 15 minutes on the 2-core machine) and prints its
time, peak memory and learning-rate window.

``--batched`` instead compares the engine with the baseline a PyTorch user would write: all 300
networks of a sweep as one batch dimension of one eager PyTorch program (rank one: elementwise;
full rank: ``torch.bmm``), with a learning rate per network, eager and under ``torch.compile``.

Run: python benchmarks/networks.py [--fig6a | --batched]
"""

import argparse
import resource
import time

import numpy as np

from analysis.networks import preset, train_sweep
from analysis.networks.training import loss_and_accuracy
from analysis.regimes import LEARNED, TRAPPED


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# --- baselines: one network at a time -------------------------------------------------------------
def torch_rank_one_epochs(epochs: int, lr: float = 0.02, N: int = 100, T: int = 20) -> float:
    """Seconds per epoch of one rank-one network trained the reference's way (PyTorch, SGD)."""
    import torch

    torch.manual_seed(0)
    m = torch.nn.Parameter(torch.randn(N) / N**0.5)
    n = torch.nn.Parameter(torch.randn(N) / N**0.5)
    b = torch.nn.Parameter(torch.zeros(N))
    target = torch.cat([torch.zeros(T), torch.ones(T)])
    opt = torch.optim.SGD([m, n, b], lr=lr)
    start = time.perf_counter()
    for _ in range(epochs):
        x = torch.zeros(N) - 0.3
        outputs = []
        for _ in range(2 * T):
            kappa = n @ x
            x = 0.5 * x + 0.5 * torch.tanh(m * kappa + b)
            outputs.append(torch.sigmoid(10 * (n @ x - 1)))
        loss = ((torch.stack(outputs) - target) ** 2).sum() / T
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - start) / epochs


def torch_full_rank_dcdt_epochs(epochs: int, lr: float = 1e-2, N: int = 100) -> float:
    """Seconds per epoch of one full-rank cue-discrimination network (Fig 5 settings) in PyTorch."""
    import torch

    torch.manual_seed(0)
    w_in = torch.nn.Linear(1, N)
    w_rec = torch.nn.Linear(N, N, bias=False)
    w_out = torch.nn.Linear(N, 1)
    params = [*w_in.parameters(), *w_rec.parameters(), *w_out.parameters()]
    opt = torch.optim.SGD(params, lr=lr)
    steps = 22
    u = torch.zeros(2, steps, 1)
    u[0, :2], u[1, :2] = 1.0, -1.0
    target = torch.zeros(2, steps)
    target[0, 12:], target[1, 12:] = 1.0, -1.0
    start = time.perf_counter()
    for _ in range(epochs):
        r = torch.tanh(0.1 * torch.randn(2, N))
        outputs = []
        for t in range(steps):
            outputs.append(torch.tanh(w_out(r))[:, 0])
            r = 0.5 * r + 0.5 * torch.tanh(w_in(u[:, t]) + w_rec(r) + 1e-2 * torch.randn(2, N))
        loss = ((torch.stack(outputs, 1) - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (time.perf_counter() - start) / epochs


def jax_loop_epochs(name: str, epochs: int) -> float:
    """Seconds per epoch of one network, one jitted step per Python iteration (fallback baseline)."""
    import jax
    import optax


    p = preset(name)
    model, task = p.model, p.task
    params = model.init(jax.random.PRNGKey(0))
    arrays = [jax.numpy.asarray(a, jax.numpy.float32) for a in (task.inputs, task.targets, task.mask)]
    opt = optax.sgd(p.lr[0])
    state = opt.init(params)

    @jax.jit
    def step(params, state, key):
        (loss, _), grads = jax.value_and_grad(loss_and_accuracy, argnums=2, has_aux=True)(
            model, task.accuracy_rule, params, key, *arrays, task.loss_scale)
        updates, state = opt.update(grads, state, params)
        return optax.apply_updates(params, updates), state, loss

    params, state, loss = step(params, state, jax.random.PRNGKey(1))
    loss.block_until_ready()
    start = time.perf_counter()
    for k in range(epochs):
        params, state, loss = step(params, state, jax.random.PRNGKey(k))
    loss.block_until_ready()
    return (time.perf_counter() - start) / epochs


# --- the fair baseline: every network of the sweep as one batch dimension, in one PyTorch program -------
def _sgd_per_network(params, lr):
    """One SGD step with a learning rate per network (the batch dimension comes first)."""
    import torch

    with torch.no_grad():
        for p in params:
            p -= lr.view(-1, *([1] * (p.dim() - 1))) * p.grad
            p.grad = None


def torch_batched_rank_one(networks: int, epochs: int, N: int = 100, T: int = 20, compile_step: bool = False):
    """Seconds per network-epoch of ``networks`` rank-one networks trained as one batched PyTorch program."""
    import torch

    torch.manual_seed(0)
    m, n = (torch.nn.Parameter(torch.randn(networks, N) / N**0.5) for _ in range(2))
    b = torch.nn.Parameter(torch.zeros(networks, N))
    lr = torch.logspace(-4, -1, networks)
    target = torch.cat([torch.zeros(T), torch.ones(T)])

    def loss_fn():
        x = torch.full((networks, N), -0.3)
        outputs = []
        for _ in range(2 * T):
            kappa = (n * x).sum(-1, keepdim=True)
            x = 0.5 * x + 0.5 * torch.tanh(m * kappa + b)
            outputs.append(torch.sigmoid(10 * ((n * x).sum(-1) - 1)))
        return (((torch.stack(outputs, 1) - target) ** 2).sum(1) / T).sum()  # networks' losses are independent

    step = torch.compile(loss_fn) if compile_step else loss_fn
    return _time_batched(step, [m, n, b], lr, epochs) / networks


def torch_batched_full_rank(networks: int, epochs: int, N: int = 100, compile_step: bool = False):
    """Seconds per network-epoch of ``networks`` full-rank cue-discrimination networks, batched (bmm)."""
    import torch

    torch.manual_seed(0)
    W = torch.nn.Parameter(torch.randn(networks, N, N) / N**0.5)
    w_in, b_in = torch.nn.Parameter(torch.randn(networks, 1, N)), torch.nn.Parameter(torch.zeros(networks, 1, N))
    w_out = torch.nn.Parameter(torch.randn(networks, N, 1) / N**0.5)
    b_out = torch.nn.Parameter(torch.zeros(networks, 1, 1))
    lr = torch.logspace(-3, -1, networks)
    steps = 22
    u = torch.zeros(2, steps)
    u[0, :2], u[1, :2] = 1.0, -1.0
    target = torch.zeros(2, steps)
    target[0, 12:], target[1, 12:] = 1.0, -1.0

    def loss_fn():
        r = torch.tanh(0.1 * torch.randn(networks, 2, N))
        outputs = []
        for t in range(steps):
            outputs.append(torch.tanh(torch.bmm(r, w_out) + b_out)[..., 0])
            drive = u[None, :, t, None] * w_in + b_in + torch.bmm(r, W) + 1e-2 * torch.randn(networks, 2, N)
            r = 0.5 * r + 0.5 * torch.tanh(drive)
        return ((torch.stack(outputs, -1) - target) ** 2).mean((1, 2)).sum()

    step = torch.compile(loss_fn) if compile_step else loss_fn
    return _time_batched(step, [W, w_in, b_in, w_out, b_out], lr, epochs) / networks


def _time_batched(loss_fn, params, lr, epochs: int) -> float:
    for _ in range(3):  # warm-up (and compilation, for torch.compile)
        loss_fn().backward()
        _sgd_per_network(params, lr)
    start = time.perf_counter()
    for _ in range(epochs):
        loss_fn().backward()
        _sgd_per_network(params, lr)
    return (time.perf_counter() - start) / epochs


def batched_comparison(networks: int = 300) -> None:
    """The engine against the batched PyTorch programs, both architectures, the same number of networks."""
    import torch

    torch.set_num_threads(2)
    cases = (("fig6a-rank-one", "rank one, delayed activation", np.logspace(-4, -1, 30), 4000, 200,
              torch_batched_rank_one),
             ("fig5-dcdt", "full rank, cue discrimination", np.logspace(-3, -1, 30), 1000, 50, torch_batched_full_rank))
    for name, label, lr, epochs, torch_epochs, batched in cases:
        engine, _ = engine_seconds_per_network_epoch(name, lr, networks // len(lr), epochs)
        eager = batched(networks, torch_epochs)
        try:
            compiled = batched(networks, torch_epochs, compile_step=True)
            compiled_text = f"{compiled * 1e6:.1f} us with torch.compile ({compiled / engine:.1f}x the engine's)"
        except Exception as exc:  # torch.compile needs a working C++ toolchain; say why it did not run
            compiled_text = f"torch.compile failed: {type(exc).__name__}: {str(exc).splitlines()[0][:80]}"
        print(f"{label}, {networks} networks: engine {engine * 1e6:.1f} us per network-epoch; batched eager "
              f"PyTorch {eager * 1e6:.1f} us ({eager / engine:.1f}x the engine's); {compiled_text}")


# --- the engine --------------------------------------------------------------------------------------
def engine_seconds_per_network_epoch(name: str, lr, seeds: int, epochs: int, fused: bool = True) -> tuple[float, float]:
    """(seconds per network-epoch without compilation, compile seconds) of train_sweep (``fused``: its engine)."""
    p = preset(name)
    args = dict(lr=lr, seeds=seeds, record_every=100, checkpoints=(), fused=fused)
    start = time.perf_counter()
    train_sweep(p.model, p.task, epochs=epochs, **args)  # compiles the segment of these shapes
    first = time.perf_counter() - start
    start = time.perf_counter()
    train_sweep(p.model, p.task, epochs=epochs, **args)
    warm = time.perf_counter() - start
    return warm / (len(lr) * seeds * epochs), max(0.0, first - warm)


def compare(name: str, label: str, lr, seeds: int, epochs: int, baseline_epochs: int, torch_fn) -> float:
    engine, compile_s = engine_seconds_per_network_epoch(name, lr, seeds, epochs)
    if torch_available():
        base, which = torch_fn(baseline_epochs), "PyTorch per-network loop (reference style)"
    else:
        base, which = jax_loop_epochs(name, baseline_epochs), "per-network loop over a jitted JAX step (no torch)"
    ratio = base / engine
    print(f"{label}: engine {engine * 1e6:.2f} us per network-epoch ({len(lr)} x {seeds} networks, {epochs} epochs; "
          f"compile {compile_s:.1f} s); baseline {base * 1e6:.0f} us per epoch [{which}]; speed-up {ratio:.0f}x")
    return ratio


def fig6a_full() -> None:
    p = preset("fig6a-rank-one")
    start = time.perf_counter()
    ds = p.run(progress=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    learned = ((ds.regime == LEARNED) | (ds.learned_reference == 1)).mean("seed")
    trapped = (ds.regime == TRAPPED).mean("seed")
    print(f"Fig 6A rank-one sweep, 30 lr x 10 seeds x {p.epochs} epochs: {seconds / 60:.1f} min, "
          f"peak RSS {peak:.0f} MB")
    for lr, fl, ft, loss in zip(ds.lr.values, learned.values, trapped.values, ds.final_loss.median("seed").values,
                                strict=True):
        print(f"  lr {lr:.3e}: learned {fl:.1f}, trapped {ft:.1f}, median final loss {loss:.3g}")
    window = ds.lr.values[learned.values >= 0.5]
    if window.size:
        print(f"  learning-rate window (at least half the seeds learned): [{window.min():.3g}, {window.max():.3g}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fig6a", action="store_true", help="also run the full Fig 6A sweep (about 10 minutes)")
    parser.add_argument("--batched", action="store_true",
                        help="only the engine against batched PyTorch programs (300 networks as one batch)")
    args = parser.parse_args()
    if args.batched:
        batched_comparison()
        return
    lr = np.logspace(-4, -1, 30)
    r1 = compare("fig6a-rank-one", "rank-one, delayed activation", lr, 10, 4000, 200, torch_rank_one_epochs)
    r2 = compare("fig5-dcdt", "full rank, cue discrimination", np.logspace(-3, -1, 10), 10, 2000, 200,
                 torch_full_rank_dcdt_epochs)
    print(f"targets: rank-one >= 100x ({'met' if r1 >= 100 else 'NOT met'}), "
          f"full rank >= 20x ({'met' if r2 >= 20 else 'NOT met'})")
    if args.fig6a:
        fig6a_full()


if __name__ == "__main__":
    main()
