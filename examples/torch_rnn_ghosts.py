"""Ghosts in a PyTorch RNN trained in plain PyTorch: is its plateau, and then its abrupt drop, a ghost?

A ``torch.nn.RNN`` (tanh, 32 units) learns the library's delayed-activation task (stay off for T
steps, then on for T) with Adam in an ordinary PyTorch loop. Every few epochs a
:class:`analysis.ghosts.SlowPointTracker` reads the module, searches its one-step map from the
hidden states of the trial, and records its fixed points and ghosts. Afterwards it reports the
drop epoch (largest one-epoch fall of the loss), the ghost epoch (first update with a ghost on the
trial's path) and their lag, and draws the timeline and the slow points in PCA.

Run ``python examples/torch_rnn_ghosts.py --seeds 10`` for the lag over ten seeds (the user guide,
docs/guide.md, gives what it printed); ``--out DIR`` also saves the two figures and each seed's tracker (NetCDF).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from analysis.ghosts import SlowPointTracker
from analysis.networks import delayed_activation
from analysis.plotting import plot_ghost_tracker, plot_slow_points_pca
from analysis.plotting.style import save_figure


def train(seed: int, *, T: int = 15, units: int = 32, epochs: int = 1500, lr: float = 1e-2, every: int = 10,
          n_starts: int = 128, track: bool = True) -> dict:
    """Train one network; returns its tracker, losses, the trial's final states and the times spent."""
    import torch

    torch.manual_seed(seed)
    task = delayed_activation(T)  # no input: the network must time T steps by its own dynamics
    rnn, readout = torch.nn.RNN(1, units), torch.nn.Linear(units, 1)
    optimizer = torch.optim.Adam([*rnn.parameters(), *readout.parameters()], lr=lr)
    inputs = torch.zeros(task.steps, 1, 1)
    target = torch.tensor(task.targets[0], dtype=torch.float32)
    h0 = torch.full((1, 1, units), -0.3)  # every unit starts at -0.3, as in the library's networks
    tracker = SlowPointTracker(n_starts=n_starts, noise=0.02, seed=seed)
    spent = {"training": 0.0, "tracker": 0.0}
    losses = []
    for epoch in range(epochs + 1):
        start = time.perf_counter()
        states, _ = rnn(inputs, h0)
        loss = torch.mean((torch.sigmoid(readout(states[:, 0]))[:, 0] - target) ** 2)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        spent["training"] += time.perf_counter() - start
        start = time.perf_counter()
        if track:
            tracker.log_loss(epoch, losses[-1])
            if epoch % every == 0:  # the weights that produced this epoch's loss, before its step
                trajectory = torch.cat([h0[0], states[:, 0]]).detach().numpy()
                tracker.update(epoch, rnn, states=trajectory)
        spent["tracker"] += time.perf_counter() - start
        start = time.perf_counter()
        optimizer.step()
        spent["training"] += time.perf_counter() - start
    return {"tracker": tracker, "losses": np.array(losses), "trajectory": trajectory if track else None,
            "seconds": spent}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1500)
    parser.add_argument("--every", type=int, default=10, help="epochs between tracker updates")
    parser.add_argument("--out", type=Path, default=None, help="directory for the figures and trackers")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    rows = []
    for seed in range(args.seeds):
        run = train(seed, epochs=args.epochs, every=args.every)
        timing = run["tracker"].timing()
        rows.append({**timing, **run["seconds"], "final_loss": run["losses"][-1]})
        print(f"seed {seed}: drop epoch {timing['drop_epoch']:.0f}, ghost epoch {timing['ghost_epoch']:.0f}, "
              f"lag {timing['lag']:+.0f} (resolution {timing['resolution']:.0f}); final loss "
              f"{run['losses'][-1]:.2e}; training {run['seconds']['training']:.1f} s, "
              f"tracker {run['seconds']['tracker']:.1f} s")
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            run["tracker"].save(args.out / f"tracker-seed{seed}.nc", overwrite=True)
            save_figure(plot_ghost_tracker(run["tracker"]), args.out / f"timeline-seed{seed}.png")
            last = max(run["tracker"].points)
            save_figure(plot_slow_points_pca(run["tracker"].points[last], run["trajectory"],
                                             title=f"seed {seed}, epoch {last}"), args.out / f"pca-seed{seed}.png")
    lags = np.array([r["lag"] for r in rows])
    finite = lags[np.isfinite(lags)]
    training, tracking = sum(r["training"] for r in rows), sum(r["tracker"] for r in rows)
    if finite.size:
        print(f"lag ghost epoch - drop epoch over {finite.size} of {len(rows)} seeds with both: median "
              f"{np.median(finite):+.0f}, range [{finite.min():+.0f}, {finite.max():+.0f}]; before the drop in "
              f"{np.sum(finite < 0)}, after it in {np.sum(finite > 0)}, at it in {np.sum(finite == 0)}")
    else:
        print(f"no seed of {len(rows)} has both a drop epoch and a ghost epoch")
    print(f"time: training {training:.1f} s, tracker {tracking:.1f} s ({tracking / training:.1f}x the training)")


if __name__ == "__main__":
    main()
