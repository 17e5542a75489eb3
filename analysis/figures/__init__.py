"""The main job, ``ghost figures``: every figure and ``summary.json``, and the README's table from it.

* :mod:`.context`: the sizes, the output and the one cache helper every recipe uses;
* :mod:`.reduced_model`, :mod:`.networks`, :mod:`.full_rank` and :mod:`.network_critical`: the
  recipes, each returning its figure and its summary entries;
* :mod:`.runner`: :data:`FIGURES` in order and :func:`make_figures`;
* :mod:`.summary`: :func:`summary_table` (one row builder per summary key) and :func:`update_readme`.
"""

from .context import Context, RNNSettings, Settings
from .runner import FIGURES, FORMATS, check_output_dir, make_figures, selected_figures
from .summary import TABLE_END, TABLE_START, summary_table, update_readme

__all__ = [
    "FIGURES",
    "FORMATS",
    "Context",
    "RNNSettings",
    "Settings",
    "TABLE_END",
    "TABLE_START",
    "check_output_dir",
    "make_figures",
    "selected_figures",
    "summary_table",
    "update_readme",
]
