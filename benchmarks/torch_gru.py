"""Slow points of a user's own PyTorch GRU over its training: one compiled search, 50 checkpoints.

A ``torch.nn.GRU`` of 128 units learns the library's cue-discrimination task (50 trials per class)
with Adam in plain PyTorch; its weights are kept every 10 epochs (50 checkpoints). At each
checkpoint the one-step map of the GRU (input held at zero, as in the delay) is searched from the
same 1000 starts, sampled from the trials' hidden states:

* :func:`analysis.ghosts.find_slow_points` through :func:`analysis.ghosts.from_torch`: compiled
  once for the architecture (JAX's compilation events are counted per checkpoint);
* a FixedPointFinder-style search, as its PyTorch version runs it: Adam (lr 0.05) for 2000 steps on
  q = |G(x) - x|^2 / 2 of every start at once, in float32, on the first, middle and last
  checkpoints (it costs the same at every checkpoint).

It prints the time per checkpoint of both and the final |G(x) - x| at the points each returns.

Run: python benchmarks/torch_gru.py [--no-baseline]   (needs the torch extra; --no-baseline skips the
Adam search, about 5 minutes)
"""

from __future__ import annotations

import time

import numpy as np

UNITS, CHECKPOINTS, EVERY, STARTS = 128, 50, 10, 1000


def trained_checkpoints(seed: int = 0):
    """(GRU module, [state dicts of 50 checkpoints], hidden states of the trials at each)."""
    import torch

    from analysis.networks import cue_discrimination

    torch.manual_seed(seed)
    task = cue_discrimination(trials_per_class=50)
    gru, readout = torch.nn.GRU(1, UNITS), torch.nn.Linear(UNITS, 1)
    optimizer = torch.optim.Adam([*gru.parameters(), *readout.parameters()], lr=1e-3)
    inputs = torch.tensor(task.inputs, dtype=torch.float32).transpose(0, 1)  # (steps, trials, 1)
    targets = torch.tensor(task.targets, dtype=torch.float32).T
    mask = torch.tensor(task.mask, dtype=torch.float32).T
    kept, states_at = [], []
    for epoch in range(CHECKPOINTS * EVERY):
        states, _ = gru(inputs)
        loss = torch.sum(mask * (readout(states)[..., 0] - targets) ** 2) * task.loss_scale
        if epoch % EVERY == 0:
            kept.append({k: v.detach().clone() for k, v in gru.state_dict().items()})
            states_at.append(states.detach().numpy().astype(float))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"trained: loss {loss.item():.3e} after {CHECKPOINTS * EVERY} epochs")
    return gru, kept, states_at


def fixed_point_finder_style(gru, starts: np.ndarray, steps: int = 2000, lr: float = 0.05):
    """Adam on q = |G(x) - x|^2 / 2 from every start at once (float32, PyTorch), as FixedPointFinderTorch."""
    import torch

    cell = torch.nn.GRUCell(1, UNITS)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(getattr(gru, f"{name}_l0"))
    x = torch.tensor(starts, dtype=torch.float32, requires_grad=True)
    u = torch.zeros(len(starts), 1)
    optimizer = torch.optim.Adam([x], lr=lr)
    for _ in range(steps):
        q = 0.5 * torch.sum((cell(u, x) - x) ** 2, dim=1)
        optimizer.zero_grad()
        q.sum().backward()
        optimizer.step()
    with torch.no_grad():
        return torch.linalg.norm(cell(u, x) - x, dim=1).numpy()


def main() -> None:
    import jax
    import torch

    from analysis.ghosts import find_slow_points, from_torch, sample_states

    torch.set_num_threads(2)
    compiles = []
    jax.monitoring.register_event_duration_secs_listener(
        lambda event, seconds, **kw: compiles.append(event) if event.endswith("backend_compile_duration") else None)
    gru, kept, states_at = trained_checkpoints()
    starts_at = [sample_states(s, STARTS, noise=0.01, seed=0) for s in states_at]
    times, counts, residual, kinds = [], [], [], []
    for state, starts in zip(kept, starts_at, strict=True):
        gru.load_state_dict(state)
        before = len(compiles)
        start = time.perf_counter()
        found = find_slow_points(from_torch(gru), starts)
        times.append(time.perf_counter() - start)
        counts.append(len(compiles) - before)
        residual.append(found.speed.max() if len(found) else np.nan)
        kinds.append({k: int(np.sum(found.kind == k)) for k in np.unique(found.kind)})
    print(f"find_slow_points, {UNITS}-unit GRU, {STARTS} starts, {CHECKPOINTS} checkpoints:")
    print(f"  first checkpoint {times[0]:.2f} s ({counts[0]} compilations); the other {CHECKPOINTS - 1}: median "
          f"{np.median(times[1:]):.2f} s, max {np.max(times[1:]):.2f} s, compilations after the first checkpoint: "
          f"{sum(counts[1:])}")
    print(f"  |G(x) - x| at the points found: largest over all checkpoints {np.nanmax(residual):.2e}; points at the "
          f"first / last checkpoint: {kinds[0]} / {kinds[-1]}")
    import sys

    for index in () if "--no-baseline" in sys.argv else (0, CHECKPOINTS // 2, CHECKPOINTS - 1):
        gru.load_state_dict(kept[index])
        start = time.perf_counter()
        speed = fixed_point_finder_style(gru, starts_at[index])
        seconds = time.perf_counter() - start
        print(f"  checkpoint {index}: FixedPointFinder-style Adam 2000 steps {seconds:.1f} s, |G(x) - x| median "
              f"{np.median(speed):.2e}, min {speed.min():.2e}; find_slow_points {times[index]:.2f} s "
              f"({seconds / times[index]:.0f}x), largest |G(x) - x| {residual[index]:.2e}")


if __name__ == "__main__":
    main()
