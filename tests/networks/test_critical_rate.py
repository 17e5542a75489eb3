"""The onset of trapping as a quantile over seeds, and the rank-one pieces of the network's own 1-D model."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

from analysis.networks import DelayedActivationRNN, delayed_activation, train_sweep
from analysis.networks.critical_rate import (
    flow_r_eff,
    ghost_coordinates,
    networks_from_compact,
    noise_free,
    rank_one_r_eff,
    sharp_onset,
    task_loss,
)
from analysis.networks.onset import (
    compact_onsets,
    delay_sweep,
    failing,
    onset_quantile,
    quantile_rate,
    trapping_onset_sweeps,
)
from analysis.regimes import LEARNED, TRAPPED


def _bump_network(N=10):
    """f(kappa) = -kappa + n.tanh(m kappa + b) with one ghost (a fold lifted past its bifurcation)."""
    rng = np.random.default_rng(0)
    m, n, b = rng.normal(0, 0.1, N), rng.normal(0, 0.1, N), rng.normal(0, 0.1, N)
    m[0], n[0], b[0] = 2.0, 1.6, 1.0
    m[1], n[1], b[1] = 0.0, 0.4, 3.0
    return {"m": m[:, None], "n": n[:, None], "b": b}


def test_rank_one_r_eff_agrees_with_the_general_finder_and_with_finite_differences():
    from analysis.ghosts import find_slow_points

    p = _bump_network()
    with jax.enable_x64(True):  # the reference in double precision too
        m, n, b = (jnp.asarray(np.ravel(p[k])) for k in ("m", "n", "b"))
        found = find_slow_points(lambda k: -k + n @ jnp.tanh(m * k + b), box=([-5.0], [5.0]), n_box=50).ghosts
    kappa_g = float(found.x[0, 0])
    with jax.enable_x64(True):
        r = rank_one_r_eff(kappa_g + 0.02)
        value, grads = jax.value_and_grad(r)({k: jnp.asarray(v, jnp.float64) for k, v in p.items()})
    assert float(value) == pytest.approx(found.r_eff[0], rel=1e-8)
    h = 1e-6  # central differences of the numpy implementation, one parameter at a time
    for name in ("m", "n", "b"):
        for i in range(3):
            up, down = {k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in p.items()}
            up[name].reshape(-1)[i] += h
            down[name].reshape(-1)[i] -= h
            fd = (ghost_coordinates(up, kappa_g)["r_eff"] - ghost_coordinates(down, kappa_g)["r_eff"]) / (2 * h)
            assert float(np.ravel(grads[name])[i]) == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_task_loss_is_the_engine_loss():
    model, task = DelayedActivationRNN(N=30), delayed_activation(8)
    ds = train_sweep(model, task, lr=[0.01], seeds=[3], epochs=2, record_every=1, checkpoints=[1], progress=False)
    params = {k[len("param_"):]: ds[k].values[0, 0, 0] for k in ds.data_vars if k.startswith("param_")}
    with jax.enable_x64(True):
        value = float(task_loss(model, task)({k: jnp.asarray(v, jnp.float64) for k, v in params.items()}))
    assert value == pytest.approx(float(ds.loss.sel(epoch=1).values[0, 0]), rel=1e-5)


def test_quantile_rate_interpolates_in_log_rate():
    rates = [1.0, 2.0, 4.0, 8.0]
    assert quantile_rate(rates, [0.0, 0.0, 0.2, 0.4], 0.1) == pytest.approx(np.sqrt(8.0))
    assert quantile_rate(rates, [0.3, 0.5, 0.6, 0.9], 0.1) == 1.0  # reached at the first rate: its value
    assert np.isnan(quantile_rate(rates, [0.0, 0.0, 0.05, 0.05], 0.1))
    batch = quantile_rate(rates, [[0.0, 0.0, 0.2, 0.4], [0.0, 0.1, 0.1, 1.0]], 0.1)
    np.testing.assert_allclose(batch, [np.sqrt(8.0), 2.0])
    with pytest.raises(ValueError, match="quantile"):
        quantile_rate(rates, [0, 0, 0, 1], 1.0)
    with pytest.raises(ValueError, match="ascending"):
        quantile_rate([2.0, 1.0], [0, 1], 0.5)


def _synthetic_sweep(critical):
    """Seed i traps at every grid rate at or above critical[i] and learns below it."""
    lr = np.geomspace(0.01, 0.1, 11)
    regime = np.where(lr[None, :] >= np.asarray(critical)[:, None], TRAPPED, LEARNED).astype(np.int8)
    return xr.Dataset({"regime": (("seed", "lr"), regime)}, coords={"lr": lr, "seed": np.arange(len(critical))})


def test_onset_quantile_of_a_known_population():
    critical = np.geomspace(0.015, 0.09, 20)
    ds = _synthetic_sweep(critical)
    out = onset_quantile(ds, resamples=500)
    fraction = (ds.lr.values[None, :] >= critical[:, None]).mean(0)
    assert out["fraction_trapped"] == pytest.approx(fraction.tolist())
    assert out["value"] == pytest.approx(quantile_rate(ds.lr.values, fraction, 0.1))
    assert out["ci"][0] <= out["value"] <= out["ci"][1]
    assert out["q50"] > out["value"]
    below = ds.lr.values < out["value"]
    assert out["learned_below"] == pytest.approx((ds.lr.values[None, below] < critical[:, None]).mean())
    same = onset_quantile(_synthetic_sweep([0.03] * 10), resamples=200)  # identical seeds: no spread
    assert same["ci"][0] == same["ci"][1] == same["value"]


def test_sharp_onset_counts_the_networks_at_or_below_each_rate():
    grid = np.geomspace(0.01, 0.1, 41)
    per_network = np.geomspace(0.02, 0.05, 10)
    fraction = (per_network[:, None] <= grid[None, :]).mean(0)
    assert sharp_onset(per_network, grid) == pytest.approx(quantile_rate(grid, fraction, 0.1))


def test_compact_results_keep_what_the_onset_and_the_prediction_read(tmp_path):
    model, task = DelayedActivationRNN(N=30), delayed_activation(20)
    results = trapping_onset_sweeps(model, task, [6], [[0.02, 0.3]], seeds=3, epochs=300, checkpoint_every=100,
                                    out_dir=tmp_path, progress=False)
    compact = compact_onsets(results, {"note": "test"})
    sweep = results[6]["sweep"]
    np.testing.assert_array_equal(delay_sweep(compact, 6).regime.values, sweep.regime.transpose("seed", "lr").values)
    assert compact.seed_value.values[0].tolist() == [6000, 6001, 6002]
    learned = results[6]["learned"]
    for j in range(3):
        final = {k: learned[f"param_{k}"].values[0, j, -1] for k in ("m", "n", "b")}
        np.testing.assert_array_equal(compact.final_m.values[0, j], np.ravel(final["m"]))
        plateau = float(learned.plateau_length.values[0, j])
        if np.isfinite(plateau):
            before = learned.epoch.values < plateau
            assert compact.start_loss.values[0, j] == learned.loss.values[0, j][before][-1]
    for net in networks_from_compact(compact, 6):  # only learned networks with a ghost
        assert int(learned.regime.sel(seed=net["seed"]).values[0]) == LEARNED
        assert net["params"]["m"].shape == (30, 1)


def test_the_general_normal_form_gives_the_rank_one_closed_form_r_eff_and_its_gradient():
    """flow_r_eff (any network: the N-D normal form followed implicitly) against rank_one_r_eff (the
    latent flow's closed form with Newton's iteration), value and gradient."""
    from analysis.ghosts import find_slow_points

    p = _bump_network()
    model = DelayedActivationRNN(N=10)
    kappa_g = float(find_slow_points(model.flow_function(), box=([-5.0], [5.0]), n_box=50, params=p).ghosts.x[0, 0])
    with jax.enable_x64(True):
        params = {k: jnp.asarray(v, jnp.float64) for k, v in p.items()}
        closed, closed_grad = jax.value_and_grad(rank_one_r_eff(kappa_g))(params)
        general, general_grad = jax.value_and_grad(flow_r_eff(model, [kappa_g + 0.01]))(params)
    assert float(general) == pytest.approx(float(closed), rel=1e-9)
    for name in ("m", "n", "b"):
        np.testing.assert_allclose(np.ravel(general_grad[name]), np.ravel(closed_grad[name]), rtol=1e-7, atol=1e-10)


def test_failing_counts_the_named_regimes_and_refuses_others():
    from analysis.regimes import DESCENDING, DIVERGED, OSCILLATING

    codes = np.array([LEARNED, OSCILLATING, TRAPPED, DIVERGED, DESCENDING])
    assert failing(codes).tolist() == [False, False, True, False, False]
    assert failing(codes, "failed").tolist() == [False, True, True, True, False]
    with pytest.raises(ValueError, match="failure"):
        failing(codes, "stuck")


def test_noise_free_keeps_the_network_and_drops_only_its_noise_and_random_start():
    from analysis.networks import preset

    model = preset("fig5-dcdt").model
    clean = noise_free(model)
    assert (clean.noise_sigma, clean.r0_sigma) == (0.0, 0.0)
    assert clean.replace(noise_sigma=model.noise_sigma, r0_sigma=model.r0_sigma) == model
    rank_one = DelayedActivationRNN(N=10)
    assert noise_free(rank_one) == rank_one
