"""The RNN engine: models against an independent numpy forward pass, training behaviour, sweeps."""

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

import analysis.networks.training as training
from analysis.networks import (
    PRESETS,
    DelayedActivationRNN,
    TaskRNN,
    cue_discrimination,
    delayed_activation,
    match_to_sample,
    onehot_cue_discrimination,
    preset,
    train_sweep,
)
from analysis.regimes import LEARNED, TRAPPED

# --- an independent float64 numpy forward pass, written from the equations of the docs ----------


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def numpy_loss(model, task, params, x0, noise):
    """Loss of one forward pass; rates are row vectors, readout before/after the update.

    Column-convention W: the stored full-rank matrix transposed (row convention), or m n^T."""
    p = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    W = p["W"].T if "W" in p else p["m"] @ p["n"].T
    x = np.asarray(x0, dtype=float)
    outputs = []
    for t in range(task.steps):
        u = task.inputs[:, t, :]
        drive = x @ W.T + p["b"] + p.get("b_rec", 0.0) + (u @ p["W_in"].T if "W_in" in p else 0.0) + noise[t]
        x_next = (1 - model.alpha) * x + model.alpha * np.tanh(drive)
        read = x if isinstance(model, TaskRNN) else x_next
        if isinstance(model, TaskRNN):
            feature = read @ p["n"] if model.rank is not None else read
            z = feature @ p["w_out"] + p["b_out"]
            outputs.append(np.tanh(z) if model.readout == "tanh" else _sigmoid(z))
        elif model.readout == "linear":
            outputs.append(_sigmoid(read @ p["w_out"] + p["b_out"]))
        else:
            gain = p.get("c", model.gain)
            outputs.append(_sigmoid(gain * ((read @ p["n"])[:, 0] - 1.0)))
        x = x_next
    y = np.stack(outputs, axis=1)
    return task.loss_scale * np.sum(task.mask * (y - task.targets) ** 2)


CASES = {
    "rank-one latent": (DelayedActivationRNN(N=6, rank=1), delayed_activation(4)),
    "rank-one trainable gain": (DelayedActivationRNN(N=6, rank=1, train_gain=True, gain=3.0), delayed_activation(4)),
    "rank-3 linear readout": (DelayedActivationRNN(N=6, rank=3, readout="linear"), delayed_activation(3)),
    "full delayed": (DelayedActivationRNN(N=6, rank=None, readout="linear"), delayed_activation(3)),
    "low-rank DCDT": (TaskRNN(N=6, rank=2, readout="tanh", noise_sigma=0.1, r0_sigma=0.3),
                      cue_discrimination(1, 3, 2)),
    "full DMTS": (TaskRNN(N=6, rank=None, readout="sigmoid", noise_sigma=0.05), match_to_sample(1, 2, 2)),
    "full DCDT normalized": (TaskRNN(N=6, normalize=0.7), cue_discrimination(1, 2, 2, trials_per_class=2)),
    "companion two-output": (TaskRNN(N=6, n_in=2, n_out=2, readout="sigmoid", noise_sigma=0.05, recurrent_bias=True,
                                     zero_diagonal=True, normalize=1.3),
                             onehot_cue_discrimination(1, 2, 2, n_post=1, trials_per_class=1)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_loss_and_gradient_match_numpy_and_finite_differences(case):
    model, task = CASES[case]
    with jax.enable_x64(True):
        params = model.init(jax.random.PRNGKey(3), jnp.float64)
        # move the parameters off their special initial values (b = 0) so every term counts
        params = {k: v + 0.2 * jax.random.normal(jax.random.PRNGKey(7 + i), v.shape, jnp.float64)
                  for i, (k, v) in enumerate(params.items())}
        params = model.project(params)
        x0, noise = model.sample_start(jax.random.PRNGKey(11), task.trials, task.steps, jnp.float64)
        arrays = [jnp.asarray(a, jnp.float64) for a in (task.inputs, task.targets, task.mask)]

        def loss_of(p):
            _, y = model.simulate(p, arrays[0], x0, noise)
            return task.loss_scale * jnp.sum(arrays[2] * (y - arrays[1]) ** 2)

        loss, grads = jax.value_and_grad(loss_of)(params)
        x0 = np.asarray(x0)
        noise = np.zeros((task.steps, task.trials, model.N)) if noise is None else np.asarray(noise)
        np_params = {k: np.asarray(v) for k, v in params.items()}
        assert float(loss) == pytest.approx(numpy_loss(model, task, np_params, x0, noise), rel=1e-12)
        h = 1e-6
        for name, value in np_params.items():
            flat = value.reshape(-1)
            for index in range(0, flat.size, max(1, flat.size // 7)):
                up, down = flat.copy(), flat.copy()
                up[index] += h
                down[index] -= h
                fd = (numpy_loss(model, task, {**np_params, name: up.reshape(value.shape)}, x0, noise)
                      - numpy_loss(model, task, {**np_params, name: down.reshape(value.shape)}, x0, noise)) / (2 * h)
                got = float(np.asarray(grads[name]).reshape(-1)[index])
                assert got == pytest.approx(fd, rel=1e-6, abs=1e-9), (name, index)


def test_latent_flow_is_the_networks_own_update():
    """kappa = n.x obeys kappa' = kappa + alpha F(kappa) with F the input-free latent flow, exactly."""
    model, task = CASES["rank-one latent"]
    with jax.enable_x64(True):
        params = model.init(jax.random.PRNGKey(0), jnp.float64)
        params["b"] = 0.3 * jax.random.normal(jax.random.PRNGKey(1), (model.N,), jnp.float64)
        x0, noise = model.sample_start(jax.random.PRNGKey(2), 1, 30, jnp.float64)
        states, _ = model.simulate(params, jnp.zeros((1, 30, 0)), x0, noise)
        kappa = np.asarray(model.latent(params, states))[:, 0, :]  # (steps + 1, K)
        flow = model.flow(params)
        predicted = np.array([k + model.alpha * np.asarray(flow(jnp.asarray(k))) for k in kappa[:-1]])
        np.testing.assert_allclose(kappa[1:], predicted, rtol=1e-12, atol=1e-14)
        # and the closed form -kappa + n.tanh(m kappa + b) for rank one
        m, n, b = (np.asarray(params[k]) for k in ("m", "n", "b"))
        k0 = 0.7
        assert float(flow(jnp.array([k0]))[0]) == pytest.approx(-k0 + n[:, 0] @ np.tanh(m[:, 0] * k0 + b), rel=1e-13)


# --- optimiser steps against their textbook first steps ------------------------------------------
SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)


def _grad_at_init(model, task, seed_index):
    key = jax.random.fold_in(jax.random.PRNGKey(0), seed_index)
    init_key, train_key = jax.random.split(key)
    params = model.init(init_key)
    arrays = [jnp.asarray(a, jnp.float32) for a in (task.inputs, task.targets, task.mask)]
    loss_fn = partial(training._loss_and_accuracy, model, task.accuracy_rule)
    (loss, _), grads = jax.value_and_grad(loss_fn, has_aux=True)(
        params, jax.random.fold_in(train_key, 0), *arrays, task.loss_scale)
    return params, grads, float(loss)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_first_step_of_each_optimizer(optimizer):
    lr = 0.05
    ds = train_sweep(SMALL, SMALL_TASK, lr=[lr], seeds=1, epochs=1, optimizer=optimizer, checkpoints=[0, 1])
    params, grads, loss = _grad_at_init(SMALL, SMALL_TASK, 0)
    assert float(ds.initial_loss[0, 0]) == pytest.approx(loss, rel=1e-6)
    for name in params:
        before = ds[f"param_{name}"].isel(lr=0, seed=0, checkpoint=0).values
        after = ds[f"param_{name}"].isel(lr=0, seed=0, checkpoint=1).values
        np.testing.assert_allclose(before, params[name], rtol=1e-6)
        g = np.asarray(grads[name])
        # Adam's first step: the bias-corrected moments are g and g^2, so it moves by lr g / (|g| + eps)
        expected = lr * g if optimizer == "sgd" else lr * g / (np.abs(g) + 1e-8)
        np.testing.assert_allclose(before - after, expected, rtol=2e-3, atol=1e-7)


def test_momentum_matches_heavy_ball_over_two_steps():
    lr, mu = 0.05, 0.9
    args = dict(lr=[lr], seeds=1, epochs=2, checkpoints=[0, 1, 2], dtype="float64")
    ds = train_sweep(SMALL, SMALL_TASK, optimizer="momentum", momentum=mu, **args)
    sgd = train_sweep(SMALL, SMALL_TASK, **args)
    # step 1 equals plain SGD; step 2 adds mu times the first gradient
    for name in ("m", "n", "b"):
        p = ds[f"param_{name}"].isel(lr=0, seed=0).values
        q = sgd[f"param_{name}"].isel(lr=0, seed=0).values
        np.testing.assert_allclose(p[1], q[1], rtol=1e-14, atol=1e-15)
        g1 = (p[0] - p[1]) / lr
        np.testing.assert_allclose(p[1] - p[2], (q[1] - q[2]) + lr * mu * g1, rtol=1e-8, atol=1e-14)


# --- sweeps: seeds, reruns, divergence, resumption -----------------------------------------------
def test_same_seed_same_network_at_every_rate_and_bitwise_reruns():
    args = dict(lr=[0.01, 0.1, 1.0], seeds=3, epochs=40, checkpoints=[0])
    first = train_sweep(SMALL, SMALL_TASK, **args)
    again = train_sweep(SMALL, SMALL_TASK, **args)
    xr.testing.assert_identical(first.drop_attrs(), again.drop_attrs())
    m0 = first.param_m.isel(checkpoint=0).values  # (lr, seed, unit, rank)
    assert np.array_equal(m0[0], m0[1]) and np.array_equal(m0[0], m0[2])
    assert not np.array_equal(m0[0, 0], m0[0, 1])
    assert np.all(first.initial_loss.values == first.initial_loss.values[:1])


def test_diverged_run_is_frozen_and_does_not_touch_the_others():
    # Adam's steps of about lr each overflow float32 within a few epochs at lr = 1e38
    healthy = train_sweep(SMALL, SMALL_TASK, lr=[0.05], seeds=2, epochs=30, optimizer="adam")
    mixed = train_sweep(SMALL, SMALL_TASK, lr=[0.05, 1e38], seeds=2, epochs=30, optimizer="adam")
    assert np.all(mixed.regime.sel(lr=1e38).values == 3)  # diverged
    assert np.all(mixed.diverged_epoch.sel(lr=1e38).values >= 0)
    assert np.isnan(mixed.loss.sel(lr=1e38).values[:, -1]).all()
    # the healthy runs are untouched; a batch of another size may round differently (XLA picks the
    # vectorisation by shape), so equality is to float32 rounding, not bit for bit
    np.testing.assert_array_equal(mixed.regime.sel(lr=0.05).values, healthy.regime.sel(lr=0.05).values)
    for name in ("loss", "grad_norm", "final_loss"):
        assert np.isfinite(mixed[name].sel(lr=0.05).values).all()
        np.testing.assert_allclose(mixed[name].sel(lr=0.05).values, healthy[name].sel(lr=0.05).values, rtol=1e-4)


def test_interrupted_sweep_resumes_without_recomputing(tmp_path, monkeypatch):
    args = dict(lr=[0.01, 0.03, 0.1, 0.3], seeds=2, epochs=30, chunk_size=1, out=tmp_path / "s.nc")
    reference = train_sweep(SMALL, SMALL_TASK, **{**args, "out": None})
    real, calls = training._train_chunk, []

    def flaky(settings, chunk):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(chunk["lr"])
        return real(settings, chunk)

    monkeypatch.setattr(training, "_train_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        train_sweep(SMALL, SMALL_TASK, **args)
    resumed = []
    monkeypatch.setattr(training, "_train_chunk", lambda s, c: resumed.append(c["lr"]) or real(s, c))
    ds = train_sweep(SMALL, SMALL_TASK, **args)
    assert len(resumed) == 2 and not any(c in calls for c in resumed)
    xr.testing.assert_identical(ds.drop_attrs(), reference.drop_attrs())
    monkeypatch.setattr(training, "_train_chunk", lambda s, c: pytest.fail("recomputed a finished sweep"))
    xr.testing.assert_identical(train_sweep(SMALL, SMALL_TASK, **args).drop_attrs(), reference.drop_attrs())


def test_swept_axis_equals_separate_runs():
    ds = train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=2, epochs=20, sweep={"gain": [2.0, 10.0]})
    assert ds.loss.dims == ("gain", "lr", "seed", "epoch")
    alone = train_sweep(SMALL.replace(gain=2.0), SMALL_TASK, lr=[0.1], seeds=2, epochs=20)
    np.testing.assert_array_equal(ds.loss.sel(gain=2.0).values, alone.loss.values)
    delays = train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=1, epochs=10, sweep={"delay": [3, 5]})
    assert delays.delay.values.tolist() == [3, 5]


def test_dataset_round_trips_through_netcdf(tmp_path):
    ds = train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=2, epochs=10, checkpoints=[0, 10], out=tmp_path / "r.nc")
    back = xr.open_dataset(tmp_path / "r.nc", engine="scipy").load()
    xr.testing.assert_allclose(back, ds)
    assert back.attrs["device"].startswith(jax.devices()[0].platform)


# --- the paper's behaviour in the rank-one network ------------------------------------------------
def test_rank_one_network_plateaus_drops_abruptly_and_traps_above_a_critical_rate():
    """Reference grid logspace(-4, -1, 30) x 10 seeds, at 6000 epochs instead of 200k."""
    lr = np.logspace(-4, -1, 30)
    ds = train_sweep(DelayedActivationRNN(), delayed_activation(20), lr=lr, seeds=10, epochs=6000, record_every=50)
    assert np.allclose(ds.initial_loss, 1.0, atol=1e-3)  # the output starts off: the plateau near 1
    # at 6000 epochs the runs that dropped are still polishing (loss ~0.03, regime "descending"), so
    # "learned" here is the end state: below a tenth of the plateau loss
    learned = (ds.regime == LEARNED) | (ds.final_loss < 0.1 * ds.initial_loss)
    trapped = ds.regime == TRAPPED
    window = ds.lr.values[learned.any("seed").values]
    assert window.size > 0
    top = ds.lr.values[trapped.all("seed").values]
    assert top.size > 0 and top.min() > window.max()  # every network traps above the learning window
    assert np.all(ds.final_loss.values[trapped.values] > 0.95)  # confidently wrong
    # learning is abrupt: a long plateau, then most of the loss goes within a few epochs
    drop = ds.drop_size.values[learned.values]
    plateau = ds.plateau_length.values[learned.values]
    assert np.all(plateau > 500) and np.median(drop) > 0.1


# --- presets and bad input --------------------------------------------------------------------------
def test_every_preset_builds_its_settings():
    for name, p in PRESETS.items():
        kwargs = p.settings(epochs=10)
        assert kwargs["epochs"] == 10 and all(e <= 10 for e in kwargs["checkpoints"]), name
    assert preset("fig6a-rank-one").lr[0] == pytest.approx(1e-4)
    assert preset("fig6b-rank").sweep["rank"][-1] == 100
    with pytest.raises(ValueError, match="preset must be one of"):
        preset("fig99")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: DelayedActivationRNN(N=10, rank=11, readout="linear"), "rank must be an integer in"),
        (lambda: TaskRNN(N=10, rank=0), "rank must be an integer in"),
        (lambda: delayed_activation(0), "T must be an integer >= 1"),
        (lambda: cue_discrimination(n_delay=0), "n_delay must be an integer >= 1"),
        (lambda: match_to_sample(n_delay=2.5), "n_delay must be an integer"),
        (lambda: DelayedActivationRNN(gain=0.0), r"gain must lie in \(0, inf\)"),
        (lambda: DelayedActivationRNN(rank=2), "needs rank 1"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1, -1], epochs=2), "lr must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[[0.1, 0.2]], epochs=2), "lr must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=2, optimizer="rmsprop"), "optimizer must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=0), "epochs must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=5, checkpoints=[6]), "checkpoints must lie"),
        (lambda: train_sweep(TaskRNN(N=4, n_in=2), cue_discrimination(), lr=[0.1], epochs=2), "input channels"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], seeds=0, epochs=2), "seeds must be"),
        (lambda: train_sweep(SMALL, SMALL_TASK, lr=[0.1], epochs=2, out="x.csv"), "NetCDF"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_memory_estimate_refuses_what_cannot_fit():
    with pytest.raises(ValueError, match="GiB"):
        train_sweep(SMALL, SMALL_TASK, lr=np.linspace(0.1, 1, 100), seeds=1000, epochs=10**9, record_every=1)


# --- the reference's accuracy levels (long: marked slow) --------------------------------------------
def test_full_rank_cue_discrimination_reaches_high_accuracy():
    """Fig 5 settings (SGD 1e-2, 3001 epochs, 3 seeds): every network classifies nearly every step."""
    ds = preset("fig5-dcdt").run()
    assert np.all(ds.max_accuracy.values == 1.0)
    assert np.all(ds.final_accuracy.values > 0.95)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fig5-dmts", "fig4-dcdt", "fig4-dmts"])
def test_paper_settings_reach_high_accuracy(name):
    """Every seed ends above 0.9 accuracy and above the silent network's score (an output that
    never responds is right on every step with target 0: 0.886 for Fig 5 DMTS)."""
    p = preset(name)
    ds = p.run()
    silent = p.task.accuracy(np.zeros(p.task.targets.shape))
    final = ds.final_accuracy.values.ravel()
    assert np.all((final > 0.9) & (final > silent)), f"final accuracy {final}, silent network {silent:.3f}"


# --- the rank-one latent flow over training -------------------------------------------------------
def test_closed_form_flow_derivatives_and_trajectory_match_the_network():
    from analysis.networks.flows import flow_structure, latent_flow, latent_trajectory

    model = DelayedActivationRNN(N=12)
    with jax.enable_x64(True):
        params = model.init(jax.random.PRNGKey(4), jnp.float64)
        params["b"] = 0.5 * jax.random.normal(jax.random.PRNGKey(5), (12,), jnp.float64)
        params["m"] = params["m"] * 8
        flow = model.flow(params)
        m, n, b = (np.asarray(params[k]) for k in ("m", "n", "b"))
        kappa = np.linspace(-2, 2, 9)
        f, df, d2f = latent_flow(m[:, 0], n[:, 0], b, kappa)
        np.testing.assert_allclose(f, [float(flow(jnp.array([k]))[0]) for k in kappa], rtol=1e-12, atol=1e-14)
        d1 = jax.grad(lambda k: flow(jnp.array([k]))[0])
        d2 = jax.grad(d1)
        np.testing.assert_allclose(df, [float(d1(k)) for k in kappa], rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(d2f, [float(d2(k)) for k in kappa], rtol=1e-10, atol=1e-13)
        x0, noise = model.sample_start(jax.random.PRNGKey(0), 1, 40, jnp.float64)
        states, _ = model.simulate(params, jnp.zeros((1, 40, 0)), x0, noise)
        np.testing.assert_allclose(latent_trajectory(m[:, 0], n[:, 0], b),
                                   np.asarray(model.latent(params, states))[:, 0, 0], rtol=1e-12, atol=1e-13)
        # the ghost of the grid search is the finder's ghost
        s = flow_structure(m[:, 0], n[:, 0], b)
    from analysis.ghosts import find_slow_points

    found = find_slow_points(lambda k: flow(k), box=([-15.0], [15.0]), n_box=200)
    assert s["n_fixed"] == int(np.sum(found.kind == "fixed point"))
    assert s["n_ghosts"] == int(np.sum(found.kind == "ghost"))


def test_fixed_point_monitor_counts_as_the_flow_analysis_does():
    from analysis.networks.flows import ghost_timeline

    ds = train_sweep(DelayedActivationRNN(), delayed_activation(20), lr=[0.05], seeds=3, epochs=3000,
                     record_every=100, checkpoints=range(0, 3000, 100), monitor="fixed_points")
    timeline = ghost_timeline(ds)
    # the monitor counts on 1000 points, the analysis on 1001: the counts agree at every checkpoint
    np.testing.assert_array_equal(ds.fixed_points.sel(epoch=timeline.checkpoint.values).values,
                                  timeline.n_fixed.values)
    assert np.all(ds.max_fixed_points.values >= ds.fixed_points.max("epoch").values)
    with pytest.raises(ValueError, match="rank-one"):
        train_sweep(DelayedActivationRNN(rank=2, readout="linear"), SMALL_TASK, lr=[0.1], epochs=2,
                    monitor="fixed_points")


def test_gradient_of_r_eff_matches_finite_differences_of_the_closed_form():
    from analysis.networks.flows import flow_structure
    from analysis.networks.mapping import _r_eff_and_gradient

    rng = np.random.default_rng(0)
    N = 10
    # a network with a ghost: f(kappa) = -kappa + n.tanh(m kappa + b) with one unit-like bump
    m, n, b = rng.normal(0, 0.1, N), rng.normal(0, 0.1, N), rng.normal(0, 0.1, N)
    m[0], n[0], b[0] = 2.0, 1.6, 1.0  # a bump with n m > 1: a fold (three fixed points) ...
    m[1], n[1], b[1] = 0.0, 0.4, 3.0  # ... lifted by a constant 0.4 tanh(3): past the fold, a ghost
    s = flow_structure(m, n, b)
    assert s["n_ghosts"] == 1
    from analysis.ghosts import find_slow_points

    found = find_slow_points(lambda k: -k + jnp.asarray(n) @ jnp.tanh(jnp.asarray(m) * k + jnp.asarray(b)),
                             box=([-5.0], [5.0]), n_box=50).ghosts
    kappa_g = float(found.x[0, 0])
    r, g2 = _r_eff_and_gradient(m, n, b, kappa_g + 0.01)  # Newton from a nearby start
    assert r == pytest.approx(found.r_eff[0], rel=1e-8)  # the general finder agrees

    def r_of(mm, nn, bb):
        return _r_eff_and_gradient(mm, nn, bb, kappa_g)[0]

    h, fd = 1e-6, 0.0
    for which in range(3):
        for i in range(N):
            up = [m.copy(), n.copy(), b.copy()]
            down = [m.copy(), n.copy(), b.copy()]
            up[which][i] += h
            down[which][i] -= h
            fd += ((r_of(*up) - r_of(*down)) / (2 * h)) ** 2
    assert r > 0
    assert g2 == pytest.approx(fd, rel=1e-5)


def test_measured_critical_rate_is_the_first_trapping_rate():
    from analysis.networks.mapping import measured_critical_rate

    regime = np.array([[0, 0], [0, 4], [2, 0], [2, 2]], dtype=np.int8)
    ds = xr.Dataset({"regime": (("lr", "seed"), regime)}, coords={"lr": [0.1, 0.2, 0.3, 0.4], "seed": [0, 1]})
    got = measured_critical_rate(ds)
    assert (got["lower"], got["upper"]) == (0.2, 0.3)
    assert got["fraction_trapped"] == [0.0, 0.0, 0.5, 1.0]


def test_executor_gives_the_serial_result():
    from concurrent.futures import ThreadPoolExecutor

    args = dict(lr=[0.01, 0.1], seeds=2, epochs=20, chunk_size=1)
    serial = train_sweep(SMALL, SMALL_TASK, **args)
    with ThreadPoolExecutor(2) as pool:
        threaded = train_sweep(SMALL, SMALL_TASK, **args, executor=pool)
    xr.testing.assert_identical(serial.drop_attrs(), threaded.drop_attrs())


def test_dwell_time_of_the_networks_own_update_follows_the_canonical_form():
    """A rank-one latent flow lifted just past its fold: the network's discrete update crosses the
    bottleneck in the canonical form's time, and the full passage approaches pi / sqrt(r_eff)."""
    from analysis.networks.flows import dwell_time, flow_structure

    N = 10
    rng = np.random.default_rng(1)
    m, n, b = rng.normal(0, 0.05, N), rng.normal(0, 0.05, N), rng.normal(0, 0.05, N)
    m[0], n[0], b[0] = 2.0, 1.6, 1.0
    ratios, full = [], []
    for lift in (0.25, 0.245, 0.2405):  # closer and closer to the fold: r_eff -> 0
        m[1], n[1], b[1] = 0.0, lift / np.tanh(3.0), 3.0
        s = flow_structure(m, n, b)
        from analysis.ghosts import find_slow_points

        g = find_slow_points(lambda k: -k + jnp.asarray(n) @ jnp.tanh(jnp.asarray(m) * k + jnp.asarray(b)),
                             box=([-5.0], [5.0]), n_box=40).ghosts
        assert s["n_ghosts"] == len(g) == 1
        d = dwell_time(m, n, b, g.x[0, 0], half_width=0.5)
        assert d["r_eff"] == pytest.approx(g.r_eff[0], rel=1e-6)
        ratios.append(d["measured"] / d["predicted_crossing"])
        full.append(d["measured"] / d["passage_time"])
    # Euler steps of dt = alpha = 0.5 tau and the quartic terms at |s| = L cost a few per cent
    assert np.all(np.abs(np.array(ratios) - 1) < 0.1)
    assert full[-1] > full[0]  # the bottleneck takes a growing share of the full passage as r_eff -> 0
