# %% [markdown]
# # Recurrent networks: presets, sweeps, resuming and the Dataset
#
# `analysis.networks` trains the paper's recurrent networks with JAX and optax. A sweep is every
# (learning rate, seed) network at once, in one compiled program, and comes back as a labelled
# `xarray.Dataset` with the reduced model's regimes. This tutorial trains a small sweep of
# rank-one networks on the delayed-activation task, reads its Dataset, saves and resumes it, and
# shows the paper's experiments as presets.

# %%
# %matplotlib inline
import tempfile
import time
from pathlib import Path

import numpy as np

from analysis import REGIMES
from analysis.networks import DelayedActivationRNN, delayed_activation, preset, train_sweep
from analysis.plotting import plot_training

# %% [markdown]
# ## A sweep
#
# Rank-one networks of 50 units ($W = m n^T$, readout $\mathrm{sigmoid}(c(\kappa - 1))$ of the
# latent $\kappa = n^T x$, gain $c = 10$) learn to switch their output on after a delay of 10
# steps. Four learning rates x 3 seeds train together:

# %%
model = DelayedActivationRNN(N=50)
task = delayed_activation(10)
lr = [0.003, 0.03, 0.3, 3.0]
ds = train_sweep(model, task, lr=lr, seeds=3, epochs=1500, record_every=10, checkpoints=[0, 1500])
ds

# %% [markdown]
# ## Reading it
#
# Curves are over `(lr, seed, epoch)`; per-run summaries over `(lr, seed)`; the regime of each run
# is a code of `analysis.REGIMES`:

# %%
print(ds.loss.dims, ds.regime.dims)
for i, rate in enumerate(ds.lr.values):
    names = [REGIMES[int(c)] for c in ds.regime.isel(lr=i).values]
    print(f"lr {rate:g}: final loss {ds.final_loss.isel(lr=i).values.round(4)}, regimes {names}")

# %%
fig = plot_training(ds)
fig

# %% [markdown]
# ## Saving and resuming
#
# With `out=` a sweep saves chunk by chunk as it goes; a sweep that was interrupted resumes from
# what it saved, and one that finished is read back instead of trained again. Nothing is
# overwritten: a store made with other settings is refused.

# %%
store = Path(tempfile.mkdtemp()) / "sweep.nc"
start = time.perf_counter()
first = train_sweep(model, task, lr=lr, seeds=3, epochs=1500, record_every=10, out=store)
trained = time.perf_counter() - start
start = time.perf_counter()
again = train_sweep(model, task, lr=lr, seeds=3, epochs=1500, record_every=10, out=store)
print(f"trained in {trained:.1f} s, read back in {time.perf_counter() - start:.2f} s")
np.testing.assert_array_equal(first.loss.values, again.loss.values)
np.testing.assert_array_equal(first.loss.values, ds.loss.values)  # the same runs as above, bit for bit

# %% [markdown]
# ## The paper's experiments
#
# Every network experiment of the paper is a preset with the reference's settings; `run` trains it,
# at full size or with fewer epochs and seeds:

# %%
p = preset("fig6a-rank-one")
print(sorted(p.settings()))
print(f"{len(p.lr)} rates from {p.lr[0]:g} to {p.lr[-1]:g}, {len(p.seeds)} seeds, {p.epochs} epochs")
small = p.run(lr=list(p.lr[10:20:3]), seeds=[0, 1], epochs=500, record_every=50, progress=False)
print(small.final_loss.values.round(3))  # 500 epochs leave every run on the plateau: the reference trains 200k
