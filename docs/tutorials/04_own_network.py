# %% [markdown]
# # Ghosts in your own PyTorch network
#
# The ghost finder works on any flow or map; `from_torch` reads a `torch.nn.RNN`, `GRU`, `LSTM`
# (and their `Cell`s) with PyTorch's own equations, and a `SlowPointTracker` follows the fixed
# points and ghosts of a network through an ordinary training loop. Here a tanh `nn.RNN` of 32
# units learns the delayed-activation task (off for 15 steps, then on) with Adam in plain
# PyTorch, and the tracker asks whether its abrupt drop comes with a ghost on the trial's path.
# (`pip install -e ".[torch]"`; PyTorch's CPU build is enough.)

# %%
# %matplotlib inline
import numpy as np
import torch

from analysis.ghosts import SlowPointTracker, find_slow_points, from_torch
from analysis.networks import delayed_activation
from analysis.plotting import plot_ghost_tracker, plot_slow_points_pca

torch.manual_seed(0)
torch.set_num_threads(1)

# %% [markdown]
# ## One search
#
# `find_slow_points(from_torch(module), starts)` searches the module's one-step map (discrete
# time) from the given states; `inputs=` holds the input at a constant:

# %%
gru = torch.nn.GRU(input_size=2, hidden_size=8)
starts = np.random.default_rng(0).uniform(-1, 1, size=(50, 8))
found = find_slow_points(from_torch(gru), starts, inputs=[0.5, -0.5])
print(found.time, found.kind.tolist(), found.stability.tolist())

# %% [markdown]
# ## A tracker in a training loop
#
# Every 25 epochs the tracker reads the module as it is, before the optimiser's step, and
# searches from the trial's hidden states; every epoch it logs the loss.

# %%
task = delayed_activation(15)
rnn, readout = torch.nn.RNN(1, 32), torch.nn.Linear(32, 1)
optimizer = torch.optim.Adam([*rnn.parameters(), *readout.parameters()], lr=1e-2)
inputs = torch.zeros(task.steps, 1, 1)
target = torch.tensor(task.targets[0], dtype=torch.float32)
h0 = torch.full((1, 1, 32), -0.3)
tracker = SlowPointTracker(n_starts=64, noise=0.02, seed=0)
for epoch in range(1501):
    states, _ = rnn(inputs, h0)
    loss = torch.mean((torch.sigmoid(readout(states[:, 0]))[:, 0] - target) ** 2)
    optimizer.zero_grad()
    loss.backward()
    tracker.log_loss(epoch, loss.item())
    if epoch % 25 == 0:
        trajectory = torch.cat([h0[0], states[:, 0]]).detach().numpy()
        tracker.update(epoch, rnn, states=trajectory)
    optimizer.step()
print(f"final loss {loss.item():.2e}")
print(tracker.timing())

# %% [markdown]
# `timing()` gives the drop epoch (the largest one-epoch fall of the logged loss), the ghost
# epoch (the first update with a ghost near a visited state) and their lag, to the tracker's
# resolution. The timeline and the last update's slow points among the trial's states:

# %%
fig = plot_ghost_tracker(tracker)
fig

# %%
last = max(tracker.points)
fig = plot_slow_points_pca(tracker.points[last], trajectory, title=f"epoch {last}")
fig

# %% [markdown]
# With Adam the loss of these networks spikes on its plateau, so the largest one-epoch fall can
# land on a spike's recovery: over ten seeds (`examples/torch_rnn_ghosts.py --seeds 10`) the lag
# scatters on both sides of zero. The tracker saves to NetCDF (`tracker.save("run.nc")`) and
# `tracker.to_xarray()` gives its records as a Dataset.
