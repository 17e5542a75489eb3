"""Sweeps beyond one machine: a ``dask.distributed`` executor for the ``executor=`` of every sweep.

:func:`phase_diagram` and :func:`analysis.networks.train_sweep` run their chunks on any
``concurrent.futures.Executor``; a dask client's ``get_executor()`` is one, so a sweep spreads over
a cluster with no home-made scheduler. Finished chunks come back to the calling process, which
saves them in its ``out=`` store as they arrive: an interrupted sweep resumes from that store, and
dask itself recomputes the chunks of a worker that dies.

Needs the ``cluster`` extra: ``pip install -e ".[cluster]"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager


@contextmanager
def cluster_executor(scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """An Executor on a dask cluster: the scheduler at ``scheduler`` (an address such as
    ``tcp://host:8786``), or a local cluster of ``workers`` processes. Closed on exit."""
    if (scheduler is None) == (workers is None):
        raise ValueError("give exactly one of scheduler (an address) and workers (a count >= 1)")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ValueError('dask.distributed is not installed: pip install -e ".[cluster]"') from None
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ValueError(f"scheduler: cannot connect to {scheduler}: {exc}") from None
        with client:
            yield client.get_executor()
        return
    with LocalCluster(n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client.get_executor()
