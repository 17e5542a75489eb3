"""What a network's predicted critical rate costs, against the sweep that measures the same onset.

For one delay of figure 22 (default 20 steps), from the committed compact results
(``figures/data/network_critical_rate.nc``):

* **prediction**: :func:`analysis.networks.predict_onset` for the 40 learned networks (their own
  1-D models on the line through each, descended at 80 rates for the networks' 30k epochs), timed
  after a first call that compiles (the second is what a user pays per delay once compiled; the
  first is printed too);
* **sweep**: the measuring sweep is 16 rates x 40 seeds x 30k epochs, plus the 40 learned runs. Its
  cost is measured here on the same grid and seeds for ``--epochs`` epochs (default 2000) after a
  compiling call, and scaled to 30k epochs (the engine's cost per epoch is constant).

The ratio prediction / sweep is the target of issue 19 ("a few percent").

``--architecture "full rank"`` (or ``"full rank (companion)"``) times the same for one delay of
figure 23 instead: its learned networks' weights are not committed, so it reads them from the
gallery's sweep cache (``figures/.cache``, written by ``ghost figures --only 23``); the prediction
there includes each network's ghost search.

Run: python benchmarks/network_critical_rate.py [--delay 20] [--epochs 2000] [--architecture A]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]


def main():
    from analysis.figures.network_critical import DATA_NAME, FIRST_SCAN, PREDICTION_SPAN
    from analysis.networks import predict_onset, preset, train_sweep
    from analysis.networks.critical_rate import networks_from_compact

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--architecture", default="rank one")
    args = parser.parse_args()
    if args.architecture != "rank one":
        return other_architecture(args.architecture, args.delay, args.epochs)
    compact = xr.load_dataset(ROOT / "figures" / "data" / DATA_NAME)
    settings = json.loads(compact.attrs["settings"])
    p = preset("fig6a-rank-one")
    task = p.task.with_delay(args.delay)
    epochs = int(compact.attrs["epochs"])
    networks = networks_from_compact(compact, args.delay)
    grid = np.geomspace(PREDICTION_SPAN[0] * FIRST_SCAN[args.delay], PREDICTION_SPAN[1] * FIRST_SCAN[args.delay], 80)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        predict_onset(p.model, task, networks, grid, epochs=epochs)
        times.append(time.perf_counter() - started)
    row = compact.sel(delay=args.delay)
    rates = row.lr_grid.values[np.isfinite(row.lr_grid.values)].tolist()
    seeds = row.seed_value.values.tolist()

    def sweep(n):
        started = time.perf_counter()
        train_sweep(p.model, task, lr=rates, seeds=seeds, epochs=n, progress=False)
        return time.perf_counter() - started

    sweep(200)  # compiles
    measured = sweep(args.epochs)
    full = measured * epochs / args.epochs * (len(rates) + 1) / len(rates)  # + the learned runs' sweep
    print(f"delay {args.delay} steps, {len(networks)} learned networks, {settings['rates']} rates x "
          f"{settings['seeds']} seeds x {epochs} epochs")
    print(f"prediction: {times[1]:.1f} s (first call, compiling: {times[0]:.1f} s)")
    print(f"sweep: {measured:.1f} s for {args.epochs} epochs -> {full:.0f} s for the full measurement")
    print(f"prediction / sweep: {times[1] / full:.1%} (first call: {times[0] / full:.1%})")


def other_architecture(name: str, delay: int, sweep_epochs: int):
    """Figure 23's prediction for one delay against its measuring sweep, from the gallery's cache."""
    from analysis.figures import Context, Settings
    from analysis.figures import network_critical_more as recipe
    from analysis.figures.context import cache_dir
    from analysis.networks import learned_networks, predict_onset, train_sweep

    if name not in recipe.STUDIES:
        raise SystemExit(f"--architecture must be one of {('rank one', *recipe.STUDIES)}, got {name!r}")
    ctx = Context(ROOT / "figures", "png", Settings.make(False))
    spec = recipe.settings(ctx)[name]
    if delay not in spec["delays"]:
        raise SystemExit(f"--delay must be one of {spec['delays']} for {name}, got {delay}")
    folder = cache_dir(ctx, "network-critical-more", [name, spec])
    learned_file = folder / f"onset-learned-d{delay}.nc"
    if not learned_file.is_file():
        raise SystemExit(f"no cached sweep at {learned_file}: run `ghost figures --only 23` first")
    model, task, training = recipe.study_setup(name, delay)
    learned = xr.load_dataset(learned_file)
    grid = recipe.prediction_grid(spec)
    times, count = [], 0
    for _ in range(2):
        started = time.perf_counter()
        networks = learned_networks(learned)
        count = len(networks)
        predict_onset(model, task, networks, grid, epochs=spec["epochs"], momentum=training.get("momentum", 0.0),
                      failure="failed", points=recipe.TABLE_POINTS)
        times.append(time.perf_counter() - started)
    rates = np.geomspace(*spec["rate_span"], spec["rates"]).tolist()
    seeds = [1000 * delay + i for i in range(spec["seeds"])]

    def sweep(n):
        started = time.perf_counter()
        train_sweep(model, task, lr=rates, seeds=seeds, epochs=n, progress=False, **training)
        return time.perf_counter() - started

    sweep(20)  # compiles
    measured = sweep(sweep_epochs)
    full = measured * spec["epochs"] / sweep_epochs * (len(rates) + 1) / len(rates)
    print(f"{name}, delay {delay} steps, {count} learned networks with a ghost, {spec['rates']} rates x "
          f"{spec['seeds']} seeds x {spec['epochs']} epochs")
    print(f"prediction (ghost searches included): {times[1]:.1f} s (first call, compiling: {times[0]:.1f} s)")
    print(f"sweep: {measured:.1f} s for {sweep_epochs} epochs -> {full:.0f} s for the full measurement")
    print(f"prediction / sweep: {times[1] / full:.1%} (first call: {times[0] / full:.1%})")


if __name__ == "__main__":
    main()
