# %% [markdown]
# # Sweeps on a Dask cluster
#
# Every sweep of the library (`phase_diagram`, `train_sweep`, the presets' `run`, the remedies)
# takes any `concurrent.futures.Executor` as `executor=` and sends its chunks there. A
# `dask.distributed` client's executor spreads them over a cluster. Finished chunks come back to
# the calling process, which saves them in its `out=` store: the store needs no shared directory,
# an interrupted sweep resumes from it, and dask recomputes the chunks of a worker that dies.
# (`pip install -e ".[cluster]"`.) Here a local cluster of two worker processes stands in for a
# real one; on a cluster, `Client("tcp://SCHEDULER:8786")` connects to its scheduler instead, and
# on SLURM `dask-jobqueue`'s `SLURMCluster` starts the workers as batch jobs.

# %%
import tempfile
from pathlib import Path

import numpy as np
from distributed import Client, LocalCluster

from analysis import phase_diagram
from analysis.networks import DelayedActivationRNN, delayed_activation, train_sweep

# %%
cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None)
client = Client(cluster)
executor = client.get_executor()

# %% [markdown]
# ## A network sweep, chunk by chunk on the workers
#
# `chunk_size=` sets how many (rate, seed) networks travel together. The result is the serial
# sweep's, bit for bit:

# %%
model, task = DelayedActivationRNN(N=30), delayed_activation(8)
settings = dict(lr=[0.01, 0.03, 0.1, 0.3], seeds=2, epochs=400, record_every=20)
store = Path(tempfile.mkdtemp()) / "sweep.nc"
on_cluster = train_sweep(model, task, **settings, chunk_size=2, out=store, executor=executor, progress=False)
serial = train_sweep(model, task, **settings, progress=False)
np.testing.assert_array_equal(on_cluster.loss.values, serial.loss.values)
print(on_cluster.final_loss.values.round(4))

# %% [markdown]
# ## A phase diagram of the 1-D model
#
# The same for the reduced model's sweeps:

# %%
grid = dict(eta=np.geomspace(1e-8, 1e-5, 12), T=np.array([50.0, 100.0]), seeds=4, epochs=2000)
spread = phase_diagram(**grid, chunk_size=6, executor=executor, progress=False)
here = phase_diagram(**grid, progress=False)
np.testing.assert_array_equal(spread.regime.values, here.regime.values)
print(spread.fraction_trapped.squeeze("a", drop=True).to_pandas().round(2))  # one (sharp) confidence a

# %%
client.close()
cluster.close()
