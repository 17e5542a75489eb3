# %% [markdown]
# # The remedies
#
# Above the critical rate learning fails because a step lands where the output is confidently
# wrong and the gradient vanishes. The reduced model names two remedies: **lower the output's
# confidence** (the gain $a$: the no-learning zone's gradient grows and the critical rate with
# it) and **more trainable rank** (more directions to leave the zone by). This tutorial runs each
# remedy on networks at a reduced size (`analysis.networks.remedies`; every function defaults to
# the reference's sizes).

# %%
# %matplotlib inline
import numpy as np

from analysis.networks.remedies import gain_ablation, rank_remedy, readout_normalization
from analysis.plotting import plot_gain_ablation, plot_rank_remedy, plot_readout_normalization

# %% [markdown]
# ## Lowering the gain
#
# Rank-one networks (gain 10) train at lr 0.02, above their critical rate, for 6000 epochs; those
# caught in the trap then train on with their gain lowered. A low enough gain frees them:

# %%
ablation = gain_ablation(seeds=16, gains=(10.0, 5.0, 2.0, 1.0, 0.5), progress=False)
trapped = ablation.trapped.values
print(f"{trapped.sum()} of {trapped.size} runs trapped after the first phase")
final = [round(float(v), 2) for v in ablation.accuracy.isel(epoch=-1).values[:, trapped].mean(1)]
print("final accuracy of the trapped runs, per gain:",
      dict(zip(ablation.gain.values.tolist(), final, strict=True)))
fig = plot_gain_ablation(ablation)
fig

# %% [markdown]
# ## A normalised readout
#
# Full-rank networks on cue discrimination (Adam 0.1) train for 1000 epochs; then their readout
# is held at an L1 norm $c$ (or left free) for 1000 more:

# %%
norm = readout_normalization(seeds=3, epochs=1000, norms=(0.5, 3.0), record_every=50, progress=False)
print(norm.accuracy.isel(epoch=-1).mean("seed").to_series())
fig = plot_readout_normalization(norm)
fig

# %% [markdown]
# ## More trainable rank
#
# The fraction of networks that learn (final / initial loss below 1e-2) over the trainable rank
# and the learning rate, at 2 seeds and 3000 epochs (the reference: 9 ranks, 10 seeds, 500k):

# %%
ranks = rank_remedy(ranks=(1, 5, 100), lr=np.logspace(-2, 0, 4).tolist(), seeds=2, epochs=3000, progress=False)
print(ranks.fraction_learned.to_pandas())
fig = plot_rank_remedy(ranks)
fig
