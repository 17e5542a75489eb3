"""Where rank-one networks and their own 1-D models end when they trap, and the training-path variant.

1. Trains the 20 seeds of figure 22 at a rate near their measured 50% rate (delays 14 and 20 steps,
   30k epochs) and prints, for the trapped runs, where the trial's latent trajectory ends and how
   many fixed points the latent flow has: the output never switches on (kappa stays below the
   readout's threshold at 1), the plateau side.
2. With ``--path`` (needs figure 22's cached learned sweep, written by ``ghost figures --only 22``
   when it trains the study from scratch), compares the 1-D model along grad r_eff with the one along
   the network's own training path for the first six learned networks at 20 steps.

Run: python examples/network_trap_side.py [--path]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def trapped_side():
    from analysis.networks import preset, train_sweep
    from analysis.networks.flows import flow_structure, rank_one_params
    from analysis.regimes import TRAPPED

    p = preset("fig6a-rank-one")
    for delay, lr in ((14, 0.033), (20, 0.0155)):
        ds = train_sweep(p.model, p.task.with_delay(delay), lr=[lr], seeds=[1000 * delay + i for i in range(20)],
                         epochs=30_000, checkpoints=[30_000], progress=False)
        m, n, b = (a[..., -1, :] for a in rank_one_params(ds))
        s = flow_structure(m, n, b, steps=2 * delay, alpha=p.model.alpha)
        trapped = ds.regime.values == TRAPPED
        print(f"delay {delay}, lr {lr}: {trapped.sum()} of 20 trapped; trajectory ends at kappa = "
              f"{np.round(s['kappa_end'][trapped], 2).tolist()}; fixed points {s['n_fixed'][trapped].tolist()}")


def path_against_line():
    import xarray as xr

    from analysis.networks import learned_networks, predict_onset, preset

    found = sorted(Path("figures/.cache").glob("network-critical-rate-*/onset-learned-d20.nc"))
    if not found:
        raise SystemExit("no cached learned sweep: run `ghost figures --only 22` without figures/data first")
    p = preset("fig6a-rank-one")
    networks = learned_networks(xr.load_dataset(found[0]))[:6]
    grid = np.geomspace(0.0015, 0.06, 40)
    for direction in ("path", "r_eff"):
        out = predict_onset(p.model, p.task.with_delay(20), networks, grid, epochs=30_000, direction=direction)
        print(f"{direction}: first trapping rate per network {np.round(out['plateau']['first_trapping'], 4).tolist()}, "
              f"trapped beyond the minimum: {out['plateau']['trapped_beyond_minimum']:.0%}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", action="store_true")
    args = parser.parse_args()
    trapped_side()
    if args.path:
        path_against_line()
