"""The rank-one latent flow over training, in closed form, against the network itself."""


import jax
import jax.numpy as jnp
import numpy as np
import pytest

from analysis.networks import (
    DelayedActivationRNN,
    delayed_activation,
    train_sweep,
)

SMALL = DelayedActivationRNN(N=8)
SMALL_TASK = delayed_activation(5)


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


def test_the_rank_one_update_is_judged_as_a_map_beside_the_flow():
    """n.m = -5, b = 0: the flow -k - 5 tanh(k) has one fixed point, stable (f' = -6); the network's
    own update k + 0.5 f(k) has the multiplier 1 + 0.5 f' = -2 there: unstable (period 2)."""
    from analysis.networks.flows import flow_structure

    m, n, b = np.array([1.0]), np.array([-5.0]), np.array([0.0])
    s = flow_structure(m, n, b, alpha=0.5)
    assert (int(s["n_fixed"]), int(s["n_stable_flow"]), int(s["n_stable_map"])) == (1, 1, 0)
    gentle = flow_structure(m, n, b, alpha=0.1)  # multiplier 1 - 0.6 = 0.4: stable as a map too
    assert int(gentle["n_stable_map"]) == 1
