"""The one style of every figure: the palette, theory-line styles and the axes helpers.

Colours are the Okabe-Ito palette (colour-blind safe), defined once here; colormaps are
cividis/viridis. Every plotting function takes ``ax=None`` (or ``axes=``), draws on it or on a
new :class:`matplotlib.figure.Figure` (never pyplot's global state) and returns the figure.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
# Two orders of the one palette: curves of the reduced model (contrast between neighbours first),
# and runs or seeds of the networks (blue and vermillion first, the two most distinct).
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black")]
RUN_COLORS = tuple(OKABE_ITO[k] for k in ("blue", "vermillion", "green", "purple", "orange", "sky", "yellow"))
REGIME_COLORS = {
    "learned": OKABE_ITO["blue"],
    "oscillating": OKABE_ITO["orange"],
    "trapped": OKABE_ITO["vermillion"],
    "diverged": OKABE_ITO["black"],
    "descending": "#BBBBBB",
}
THEORY = dict(ls="--", lw=1.3, color=OKABE_ITO["black"])
SPLIT_SHARE = 0.7  # phase maps hatch the cells where fewer seeds than this agree
ZONE_SHADE = dict(color=OKABE_ITO["vermillion"], alpha=0.10, lw=0)
DPI = 150  # every saved figure, the main job's and the command line's


def convention_label(normalized: bool) -> str:
    """The loss convention's name, for axis labels."""
    return "normalized" if normalized else "integral"


def new_axes(ax=None, *, size=(5.2, 3.8)):
    """``(figure, ax)``: the given Axes and its figure, or a new figure with one Axes."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def axes_row(axes, n: int, *, size):
    """``(figure, [n Axes])``: the given Axes (any nesting, n of them), or a new figure with a row of n."""
    if axes is None:
        fig = Figure(figsize=size, layout="constrained")
        return fig, list(fig.subplots(1, n, squeeze=False)[0])
    axes = list(np.ravel(np.asarray(axes, dtype=object)))
    if len(axes) != n:
        raise ValueError(f"axes must hold {n} Axes, got {len(axes)}")
    return axes[0].figure, axes


def legend_below(ax, *, ncols: int = 2, handles=None, labels=None, fontsize: float = 7, **kwargs):
    """The legend under the axes (and its x label), off the data; constrained layout makes room for it."""
    extra = {} if handles is None else {"handles": handles, "labels": labels}
    return ax.legend(**extra, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=ncols, frameon=False,
                     fontsize=fontsize, **kwargs)


def no_minor_labels(ax):
    """Keep log axes readable: no crowded minor labels; under two decades, label 1, 2 and 5 per
    decade in plain numbers so that the axis still carries several labels."""
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        if axis.get_scale() != "log":
            continue
        axis.set_minor_formatter(NullFormatter())
        if np.log10(max(limits) / min(limits)) < 2:
            axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(FormatStrFormatter("%g"))


def log_axis_labels(ax):
    """A log y axis whose data span less than a decade becomes linear, with plain labels (not
    9.99909x10^-1 at every tick); a wider one keeps its log scale without crowded minor labels."""
    from matplotlib.ticker import ScalarFormatter

    low, high = ax.get_ylim()
    if low > 0 and high / low < 10:
        ax.set_yscale("linear")
        plain = ScalarFormatter(useOffset=False)
        plain.set_scientific(False)
        ax.yaxis.set_major_formatter(plain)
        ax.set_ylabel(ax.get_ylabel() + " (linear: it spans less than a decade)")
    else:
        no_minor_labels(ax)


def viridis(x):
    """Colours of viridis at the positions ``x`` in [0, 1]."""
    from matplotlib import colormaps

    return colormaps["viridis"](x)


def save_figure(fig, path, *, dpi: int = DPI):
    """Save a figure at the project's resolution; returns the path."""
    fig.savefig(path, dpi=dpi)
    return path
