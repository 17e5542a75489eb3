"""Phase diagrams: content, labelled output, resumable chunked sweeps, executors."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial

import numpy as np
import pytest
import xarray as xr

import analysis.descent.phase as phase
import reduced as R
from analysis import REGIMES, phase_diagram
from analysis.regimes import OSCILLATING, TRAPPED

T_AXIS = np.array([20.0, 50.0, 100.0])
ETA_REL = np.geomspace(0.3, 3.0, 8)


def _eta():
    return ETA_REL * R.critical_learning_rate(50.0)


def small(**kwargs):
    args = dict(eta=_eta(), T=T_AXIS, seeds=3, epochs=2000, chunk_size=2) | kwargs
    return phase_diagram(**args)


def test_eta_T_diagram_follows_theory_line():
    T = np.array([20.0, 50.0, 100.0, 200.0])
    # regimes switch from oscillating to trapped where eta crosses eta_c(T)
    eta = np.geomspace(R.critical_learning_rate(200.0) / 3, R.critical_learning_rate(20.0) * 3, 60)
    ds = phase_diagram(eta=eta, T=T, seeds=3, epochs=5000)
    assert ds.regime.dims == ("eta", "T", "a") and ds.regime_fraction.dims == ("eta", "T", "a", "regime_name")
    for j, t in enumerate(T):
        column = ds.regime.isel(T=j, a=0).values
        eta_c = R.critical_learning_rate(t)
        above, below = eta > 1.05 * eta_c, (eta < 0.95 * eta_c) & (eta > 0.05 * eta_c)
        assert np.all(column[above] == TRAPPED)
        assert np.all(column[below] == OSCILLATING)
    np.testing.assert_allclose(ds.eta_c, R.critical_learning_rate(T))


def test_eta_a_diagram_has_both_failure_regimes_and_eta_s():
    eta = np.geomspace(1e-12, 5e-7, 24)
    a = np.array([0.3, 1.0, 3.0])
    ds = phase_diagram(eta=eta, a=a, T=100.0, seeds=3, epochs=4000, rho0=1.5)
    names = {REGIMES[c] for c in np.unique(ds.regime.values)}
    assert {"learned", "oscillating", "trapped"} <= names
    np.testing.assert_allclose(ds.eta_s.sel(T=100.0), R.minimum(100.0, a).eta_s, rtol=1e-12)
    # below eta_s gradient descent settles: learned wherever it had time to arrive
    for k, ak in enumerate(a):
        eta_s = float(ds.eta_s.isel(T=0, a=k))
        column = ds.regime.isel(T=0, a=k).values
        window = (eta < 0.5 * eta_s) & (eta > 2e-3 * R.learning_rate_scale(100.0))
        assert np.all(column[window] == 0), (ak, column)


def test_dataset_round_trips_through_netcdf(tmp_path):
    ds = small()
    path = tmp_path / "d.nc"
    ds.to_netcdf(path, engine="scipy")
    back = xr.open_dataset(path, engine="scipy").load()
    xr.testing.assert_allclose(back.drop_vars("regime_name"), ds.drop_vars("regime_name"))
    assert back.attrs["settings"] == ds.attrs["settings"]


def test_interrupted_sweep_resumes_without_recomputing(tmp_path, monkeypatch):
    out = tmp_path / "sweep.nc"
    reference = small()
    calls = []
    real = phase.compute_chunk

    def flaky(settings, chunk):
        if len(calls) == 2:
            raise KeyboardInterrupt  # the user stops the sweep after two chunks
        calls.append(chunk)
        return real(settings, chunk)

    monkeypatch.setattr(phase, "compute_chunk", flaky)
    with pytest.raises(KeyboardInterrupt):
        small(out=out)
    assert len(list((tmp_path / "sweep.nc.parts").glob("chunk_*.npz"))) == 2
    assert not out.exists()

    resumed_calls = []

    def counting(settings, chunk):
        resumed_calls.append(chunk)
        return real(settings, chunk)

    monkeypatch.setattr(phase, "compute_chunk", counting)
    resumed = small(out=out)
    assert len(resumed_calls) == 2  # 4 chunks in all, 2 were saved
    assert not any(c in calls for c in resumed_calls)
    xr.testing.assert_identical(resumed, reference)
    assert out.exists() and not (tmp_path / "sweep.nc.parts").exists()

    monkeypatch.setattr(phase, "compute_chunk", lambda *a: pytest.fail("recomputed a finished sweep"))
    xr.testing.assert_identical(small(out=out), reference)


def test_resume_with_other_settings_refuses(tmp_path, monkeypatch):
    out = tmp_path / "sweep.nc"
    real = phase.compute_chunk
    state = {"n": 0}

    def stop_after_one(settings, chunk):
        if state["n"] == 1:
            raise KeyboardInterrupt
        state["n"] += 1
        return real(settings, chunk)

    monkeypatch.setattr(phase, "compute_chunk", stop_after_one)
    with pytest.raises(KeyboardInterrupt):
        small(out=out)
    monkeypatch.setattr(phase, "compute_chunk", real)
    with pytest.raises(ValueError, match="different settings"):
        small(out=out, seeds=4)
    small(out=tmp_path / "done.nc")
    with pytest.raises(ValueError, match="different settings"):
        small(out=tmp_path / "done.nc", epochs=2500)


# numba's thread pool is not fork-safe, so processes are spawned (Python 3.14's default too)
SPAWNED_PROCESSES = partial(ProcessPoolExecutor, mp_context=multiprocessing.get_context("spawn"))


@pytest.mark.parametrize("pool", [ThreadPoolExecutor, SPAWNED_PROCESSES])
def test_executor_gives_same_result(pool, tmp_path):
    reference = small()
    with pool(max_workers=2) as executor:
        spread = small(executor=executor, out=tmp_path / "x.nc")
    xr.testing.assert_identical(spread, reference)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        (dict(eta=np.array([])), "eta"),
        (dict(eta=np.array([-1e-9])), "eta"),
        (dict(T=np.array([])), "T"),
        (dict(epochs=0), "epochs"),
        (dict(seeds=1.5), "seeds"),
        (dict(a=np.array([0.0])), "a"),
        (dict(eta=np.ones((2, 2)) * 1e-9), "eta"),
    ],
)
def test_phase_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        small(**kwargs)


@pytest.mark.slow
def test_benchmark_sized_diagram_boundary_on_theory_line():
    """200 x 50 grid, 10 seeds, 10^4 epochs (10^9 map steps): for every T the onset of
    trapping lies within one eta grid step above the closed-form eta_c(T)."""
    T = np.geomspace(10, 1000, 50)
    eta_c = R.critical_learning_rate(T)
    eta = np.geomspace(eta_c.min() / 10, eta_c.max() * 10, 200)
    ds = phase_diagram(eta=eta, T=T, seeds=10, epochs=10_000)
    step = eta[1] / eta[0]
    trapped = ds.fraction_trapped.isel(a=0).values > 0
    for j in range(T.size):
        onset = eta[np.argmax(trapped[:, j])]
        assert eta_c[j] <= onset <= eta_c[j] * step * 1.01
        assert not trapped[eta < eta_c[j], j].any()


def test_output_path_must_be_netcdf_in_an_existing_directory(tmp_path):
    with pytest.raises(ValueError, match="out: .*NetCDF"):
        small(out=tmp_path / "diagram.csv")
    with pytest.raises(ValueError, match="out: directory .* does not exist"):
        small(out=tmp_path / "missing" / "diagram.nc")
    assert not (tmp_path / "missing").exists()
