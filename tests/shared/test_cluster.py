"""Sweeps on a dask.distributed cluster (two local worker processes) equal the serial sweeps."""

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import xarray as xr

distributed = pytest.importorskip("distributed")

from analysis import phase_diagram  # noqa: E402
from analysis.cluster import cluster_executor  # noqa: E402
from analysis.networks import DelayedActivationRNN, delayed_activation, train_sweep  # noqa: E402
from reduced import critical_learning_rate  # noqa: E402

SMALL, TASK = DelayedActivationRNN(N=8), delayed_activation(5)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as c, \
            distributed.Client(c) as client:
        yield client


def test_sweeps_on_the_cluster_equal_the_serial_ones(cluster):
    executor = cluster.get_executor()
    eta = np.geomspace(0.5, 2, 6) * critical_learning_rate(100.0)
    args = dict(eta=eta, T=[50.0, 100.0], seeds=3, epochs=2000, chunk_size=2)
    xr.testing.assert_identical(phase_diagram(**args, executor=executor), phase_diagram(**args))
    net = dict(lr=[0.01, 0.1], seeds=2, epochs=20, chunk_size=1)
    xr.testing.assert_identical(train_sweep(SMALL, TASK, **net, executor=executor).drop_attrs(),
                                train_sweep(SMALL, TASK, **net).drop_attrs())


def test_killing_a_worker_mid_sweep_loses_nothing(cluster, tmp_path):
    """One worker process dies while the sweep runs: dask recomputes its chunk, the store keeps the
    finished ones, and the result equals the serial sweep."""
    args = dict(lr=list(np.geomspace(0.01, 0.1, 6)), seeds=2, epochs=4000, chunk_size=1)
    reference = train_sweep(SMALL, TASK, **args)
    out = tmp_path / "sweep.nc"
    result = {}
    runner = threading.Thread(target=lambda: result.setdefault(
        "ds", train_sweep(SMALL, TASK, **args, out=out, executor=cluster.get_executor())))
    runner.start()
    parts = tmp_path / "sweep.nc.parts"
    deadline = time.time() + 120
    while not list(parts.glob("chunk_*.npz")) and time.time() < deadline and runner.is_alive():
        time.sleep(0.05)
    assert runner.is_alive()
    saved_at_kill = len(list(parts.glob("chunk_*.npz")))
    assert saved_at_kill < len(args["lr"])  # the sweep was still running
    pids = cluster.run(os.getpid)
    victim = sorted(pids)[0]
    os.kill(pids[victim], signal.SIGKILL)  # the worker dies mid-sweep; its nanny starts a new one
    runner.join(timeout=300)
    assert not runner.is_alive() and "ds" in result
    xr.testing.assert_identical(result["ds"].drop_attrs(), reference.drop_attrs())


def test_cluster_executor_refuses_bad_arguments():
    with pytest.raises(ValueError, match="exactly one of scheduler"):
        with cluster_executor():
            pass
    with pytest.raises(ValueError, match="workers must be"):
        with cluster_executor(workers=0):
            pass


def test_cli_unreachable_scheduler_is_one_line_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "analysis", "figures", "--quick", "--out", str(tmp_path),
                           "--scheduler", "tcp://127.0.0.1:9"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "scheduler" in proc.stderr
