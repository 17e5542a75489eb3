"""Every figure of the project (matplotlib only), one module per subject, one style.

* :mod:`.style`: the Okabe-Ito palette, theory-line styles and the axes helpers every figure uses;
* :mod:`.reduced_model`: the 1-D model (canonical form, passage times, landscape, failure modes,
  learning dynamics, reference experiment, normal form);
* :mod:`.descent`: phase diagrams, eta_c against T, momentum and Adam;
* :mod:`.networks`: trained networks (ghost timing, latent flows, slow points, regimes);
* :mod:`.ghosts`: any network's slow points with its trajectories, and a tracker's timeline;
* :mod:`.remedies`: the remedies and the scaling law in networks;
* :mod:`.oscillation`: full-rank networks at large learning rates (box plots against the rate, case
  studies, the saturation run; figure 21);
* :mod:`.network_critical`: a network's critical rate, measured and predicted from its own 1-D model
  (rank one: figure 22; two full-rank architectures: figure 23).

Every function takes ``ax=None`` (or ``axes=``), draws on it or on a new figure, and returns the
:class:`matplotlib.figure.Figure`; none calls ``plt.show()``.
"""

from .descent import check_phase_diagram, plot_optimizers, plot_phase_eta_a, plot_phase_eta_T, plot_scaling
from .ghosts import plot_ghost_tracker, plot_slow_points_pca, principal_axes
from .network_critical import plot_network_critical_more, plot_network_critical_rate
from .networks import (
    plot_ghost_lag,
    plot_latent_flow_map,
    plot_network_slow_points_pca,
    plot_rank_one_run,
    plot_regime_fractions,
    plot_training,
)
from .oscillation import plot_case_study, plot_lr_summary, plot_saturation
from .reduced_model import (
    plot_canonical_form,
    plot_landscape,
    plot_learning_dynamics,
    plot_normal_form,
    plot_reference_experiment,
    plot_trajectories,
    plot_vanishing_gradient,
)
from .reference_runs import plot_long_rank_one_run, plot_loss_against_rate
from .remedies import (
    plot_gain_ablation,
    plot_learnable_gain,
    plot_network_scaling,
    plot_rank_remedy,
    plot_readout_normalization,
)
from .style import CYCLE, OKABE_ITO, REGIME_COLORS, RUN_COLORS, SPLIT_SHARE, THEORY, ZONE_SHADE

__all__ = [
    "CYCLE",
    "OKABE_ITO",
    "REGIME_COLORS",
    "RUN_COLORS",
    "SPLIT_SHARE",
    "THEORY",
    "ZONE_SHADE",
    "check_phase_diagram",
    "plot_canonical_form",
    "plot_case_study",
    "plot_gain_ablation",
    "plot_ghost_lag",
    "plot_landscape",
    "plot_latent_flow_map",
    "plot_learnable_gain",
    "plot_learning_dynamics",
    "plot_long_rank_one_run",
    "plot_loss_against_rate",
    "plot_lr_summary",
    "plot_network_critical_more",
    "plot_network_critical_rate",
    "plot_network_scaling",
    "plot_normal_form",
    "plot_optimizers",
    "plot_phase_eta_T",
    "plot_phase_eta_a",
    "plot_rank_one_run",
    "plot_rank_remedy",
    "plot_readout_normalization",
    "plot_reference_experiment",
    "plot_saturation",
    "plot_regime_fractions",
    "plot_scaling",
    "plot_ghost_tracker",
    "plot_network_slow_points_pca",
    "plot_slow_points_pca",
    "principal_axes",
    "plot_trajectories",
    "plot_training",
    "plot_vanishing_gradient",
]
