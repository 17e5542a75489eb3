"""Recipe of figure 21: full-rank networks at large learning rates (the reference's Fig 7).

Both learning-rate sweeps (cue discrimination and match-to-sample, 20 rates from 1e-3 to 10,
deterministic: no noise, every unit starting at 0) with the recurrent norms monitored at every
epoch; box plots against the rate; the reference's two case studies per task; and the
match-to-sample run at lr 1.438 at epochs 5750-5752. The default scale keeps all 20 rates and the
four case-study seeds (0, 1, 9, 12) at 5000 epochs; ``--reference`` runs 20 seeds x 20k epochs and
keeps each sweep's compact results (:func:`analysis.networks.compact_norm_sweep`: per-run summaries
and the case studies' records) in ``figures/data``, from which later runs draw it in seconds.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..networks import checkpoint_params, compact_norm_sweep, kept_run, preset
from ..plotting.oscillation import plot_case_study, plot_lr_summary, plot_saturation
from .context import cache_path, scale_entry
from .reference_runs import FIG7_FILES, fig7_config, reference_data

CASES = {"fig7-dcdt": ((12, 1), (12, 9)), "fig7-dmts": ((15, 12), (15, 0))}  # the reference's (lr index, seed)


def _compact_sweep(ctx, name: str, config: dict):
    """The sweep of ``config`` (cached, resumable), compacted with its case studies' records."""
    p = preset(name)
    ds = p.run(lr=config["lr"], seeds=config["seeds"], epochs=config["epochs"], record_every=config["record_every"],
               monitor="recurrent_norms", executor=ctx.executor,
               out=cache_path(ctx, f"rnn-{name}", [config["lr"], config["seeds"], config["epochs"]]))
    return compact_norm_sweep(ds, [(p.lr[i], seed) for i, seed in CASES[name]])


def _sweep(ctx, name: str):
    """Fig 7's sweep of ``name``, compact: kept at the reference's sizes if it was run, else at this run's scale."""
    kept = reference_data(ctx, FIG7_FILES[name], fig7_config(name, "reference"),
                          lambda c: _compact_sweep(ctx, name, c))
    return kept if kept is not None else _compact_sweep(ctx, name, fig7_config(name, ctx.rnn.scale))


def _saturation(ctx):
    """The reference's saturation run: trial 0's states and outputs at its three checkpoints."""
    import jax
    import jax.numpy as jnp

    p = preset("fig7-saturation")
    epochs = ctx.rnn.pick(600, p.epochs)
    checkpoints = [c for c in p.checkpoints if c <= epochs] or [epochs // 2, epochs // 2 + 1]
    ds = p.run(epochs=epochs, checkpoints=checkpoints, out=cache_path(ctx, "rnn-fig7-saturation",
                                                                      [epochs, checkpoints]))
    kept = checkpoint_params(ds)
    states, outputs = {}, {}
    for i, epoch in enumerate(ds.checkpoint.values):
        with jax.enable_x64(True):  # one deterministic forward pass: the states and the outputs
            x0, _ = p.model.sample_start(jax.random.PRNGKey(0), p.task.trials, p.task.steps, jnp.float64)
            x, y = p.model.simulate({k: jnp.asarray(v[i], jnp.float64) for k, v in kept.items()},
                                    jnp.asarray(p.task.inputs, jnp.float64), x0, None)
        states[int(epoch)], outputs[int(epoch)] = np.asarray(x)[1:, 0], np.asarray(y)[0]
    return ds, states, outputs, p.task.targets[0]


def fig_rnn_large_rates(ctx):
    """Full-rank networks above the oscillation threshold: loss, gradient and weight norms against lr."""
    fig = Figure(figsize=(22.0, 12.5), layout="constrained")
    rows = fig.subplots(3, 5)
    summary = {}
    for row, name in zip(rows[:2], CASES, strict=True):
        ds = _sweep(ctx, name)
        task = name.removeprefix("fig7-").upper()
        plot_lr_summary(ds, axes=row[:3], title=task)
        for index, ax in enumerate(row[3:]):
            if index < ds.sizes["run"]:
                plot_case_study(kept_run(ds, index), ax=ax)
                ax.set_title(f"{task}: {ax.get_title()}", fontsize=9)
            else:  # a quick run's coarser grid may not hold the case
                ax.set_axis_off()
        summary[name] = {"lr": ds.lr.values.tolist(), "seeds": ds.seed.values.tolist(),
                         "epochs": int(ds.attrs["epochs"]),
                         "median_time_averaged_loss": np.nanmedian(ds.mean_loss.values, axis=1).tolist(),
                         "median_mean_grad_W_norm": np.nanmedian(ds.grad_W_norm.values, axis=1).tolist(),
                         "median_mean_W_norm": np.nanmedian(ds.W_norm.values, axis=1).tolist()}
    sat, states, outputs, target = _saturation(ctx)
    plot_saturation(states, outputs, target, axes=rows[2][:2])
    run = sat.isel(lr=0, seed=0)
    ax = rows[2][2]
    ax.semilogy(run.epoch.values, run.loss.values, color="black", lw=0.8, label="loss")
    for epoch in states:
        ax.axvline(epoch, color="0.5", ls=":", lw=1)
    ax.set(xlabel="epoch", ylabel="loss", title=f"DMTS, lr {float(sat.lr[0]):.4g}: the saturation run "
                                                 f"(dotted: epochs {', '.join(map(str, states))})")
    ax.title.set_fontsize(9)
    for ax in rows[2][3:]:
        ax.set_axis_off()
    summary["fig7-saturation"] = {"lr": float(sat.lr[0]), "epochs": int(sat.attrs["epochs"]),
                                  "checkpoints": [int(e) for e in states],
                                  "fraction_saturated": {int(e): float(np.mean(np.abs(s) > 0.95))
                                                         for e, s in states.items()}}
    reference = {"epochs": 20_000, "seeds": 20, "rates": 20}
    scale = scale_entry({name.removeprefix("fig7-"): ({"epochs": summary[name]["epochs"],
                                                       "seeds": len(summary[name]["seeds"]),
                                                       "rates": len(summary[name]["lr"])}, reference)
                         for name in CASES})
    return fig, {"rnn_large_rates": summary, "scale": scale}
