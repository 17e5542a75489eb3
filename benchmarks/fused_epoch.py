"""The fused rank-one epoch against the XLA program it replaces: speed, and the same science.

The fused epoch (:func:`analysis.networks.rank_one_loss_and_grad`: forward, loss and backward of a
rank-one network in one compiled kernel) sums in another order than autodiff of the ``lax.scan``
does, so its float32 numbers differ from the XLA program's by rounding, and a run's trajectory can
part from the other's where the dynamics amplify rounding (near a ghost, at a drop). The check the
engine's issue asks for is statistical: **the regime of every Fig 6A run, seed for seed**, at the
reference's settings (30 rates x 10 seeds x 200,001 epochs, SGD, record every 1000 epochs), against
the XLA program's sweep kept in ``figures/data/network_fig6a_rank_one.nc``.

Run: python benchmarks/fused_epoch.py [--fig6a OUT.nc]   (--fig6a: the whole sweep, about 10 min on 2 cores)
"""

import argparse
import time
from pathlib import Path

import numpy as np
import xarray as xr
from networks import engine_seconds_per_network_epoch

from analysis.networks import preset, train_sweep

KEPT = Path(__file__).resolve().parents[1] / "figures" / "data" / "network_fig6a_rank_one.nc"


def speed(epochs: int = 2000) -> None:
    """Microseconds per network-epoch of both engines on Fig 6A's 300 rank-one networks (warm)."""
    p = preset("fig6a-rank-one")
    for fused in (True, False):
        seconds, _ = engine_seconds_per_network_epoch("fig6a-rank-one", list(p.lr), len(p.seeds), epochs, fused)
        print(f"{'fused epoch' if fused else 'XLA program'}: {seconds * 1e6:.2f} us per network-epoch")


def regimes_seed_for_seed(out: str) -> None:
    """Run Fig 6A rank one at the kept sweep's settings with the fused epoch and compare run by run."""
    kept = xr.load_dataset(KEPT)
    p = preset("fig6a-rank-one")
    start = time.perf_counter()
    ds = train_sweep(p.model, p.task, lr=kept.lr.values, seeds=kept.seed.values, epochs=int(kept.attrs["epochs"]),
                     record_every=1000, checkpoints=(), out=out)
    print(f"fused sweep: {time.perf_counter() - start:.0f} s")
    names = kept.attrs["regime_names"].split(",")
    same = ds.regime.values == kept.regime.values
    print(f"regime the same in {same.sum()} of {same.size} runs")
    for i, j in zip(*np.nonzero(~same), strict=True):
        print(f"  lr {kept.lr.values[i]:.3g} seed {int(kept.seed[j])}: XLA {names[kept.regime.values[i, j]]}, "
              f"fused {names[ds.regime.values[i, j]]}")
    for code, name in enumerate(names):
        a, b = (kept.regime.values == code).mean(axis=1), (ds.regime.values == code).mean(axis=1)
        print(f"regime {name}: fraction of seeds per rate differs by at most {np.max(np.abs(a - b)):.2f}")
    for name in ("learned_reference", "trapped_reference"):
        a, b = kept[name].values.mean(axis=1), ds[name].values.mean(axis=1)
        runs = kept[name].values != ds[name].values
        print(f"{name}: differs in {runs.sum()} runs at {runs.any(axis=1).sum()} rates; "
              f"fraction of seeds per rate differs by at most {np.max(np.abs(a - b)):.2f} "
              f"(XLA {a.round(1).tolist()}, fused {b.round(1).tolist()})")
    initial = np.max(np.abs(ds.initial_loss.values - kept.initial_loss.values))
    print(f"initial loss: largest difference {initial:.2e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fig6a", metavar="OUT.nc", help="also run the whole Fig 6A rank-one sweep and compare")
    args = parser.parse_args()
    speed()
    if args.fig6a:
        regimes_seed_for_seed(args.fig6a)


if __name__ == "__main__":
    main()
