"""The main job, ``ghost figures``, and the README table built from its summary."""

import json
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pytest

import reduced as R
from analysis.figures import FIGURES, summary_table
from analysis.figures.summary import SCALES_END, SCALES_START, TABLE_END, TABLE_START, scales_table

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.xdist_group("quick_run")  # one worker runs the shared quick run (pytest -n)


def ghost(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "analysis.cli", *args], capture_output=True, text=True, **kwargs)


def test_quick_run_writes_every_figure(quick_run):
    for name, _, _ in FIGURES:
        assert (quick_run / f"{name}.png").is_file()
    assert (quick_run / "summary.json").is_file()


def test_figures_are_not_blank(quick_run):
    for name, _, _ in FIGURES:
        pixels = mpimg.imread(quick_run / f"{name}.png")[..., :3]
        assert pixels.std() > 0.05, name


def test_summary_numbers_agree_with_closed_forms(quick_run):
    summary = json.loads((quick_run / "summary.json").read_text())
    for row in summary["eta_c"]:
        closed = R.critical_learning_rate(row["T"], row["convention"] == "normalized")
        assert row["closed_form"] == pytest.approx(closed, rel=1e-12)
        assert 0 <= row["relative_difference"] < 0.01  # the onset sits within 1% above eta_c
    for name, expected in (("normalized", -4), ("integral", -5)):
        fit = summary["exponents"][name]
        assert fit["ci95"][0] - 1e-6 <= expected <= fit["ci95"][1] + 1e-6
    assert 1.0 < summary["reference_experiment"]["ratio"] < 1.1
    for row in summary["minimum"]["continuous"]:
        if row["a"] >= 1:
            assert row["eta_s"] == pytest.approx(row["eta_s_asymptotic"], rel=1e-3)
    assert summary["plateau"]["regime"] == "learned"
    assert summary["plateau"]["plateau_length"] > 100  # a long plateau before the abrupt drop


def test_rerun_reuses_cached_sweeps(quick_run):
    """A second run reads its sweeps back: two 1-D phase diagrams and two network sweeps here (the
    recipes' tests read every network figure back from the cache)."""
    cache = quick_run / ".cache"
    before = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.nc")}
    assert before
    proc = ghost("figures", "--quick", "--out", str(quick_run), "--format", "svg", "--only", "07,08,14,21")
    assert proc.returncode == 0, proc.stderr
    after = {p.name: p.stat().st_mtime_ns for p in cache.glob("*.nc")}
    assert after == before
    assert all((quick_run / f"{name}.svg").is_file()
               for name in ("07_phase_eta_T", "08_phase_eta_a", "14_rnn_lr_sweeps", "21_rnn_large_rates"))


@pytest.mark.parametrize(
    "args",
    [["figures", "--format", "gif"], ["figures", "--jobs", "0"], ["figures", "--jobs", "two"],
     ["figures", "--out", "/proc/forbidden/figs"], ["summary-table", "--summary", "/nonexistent.json"]],
)
def test_bad_arguments_one_line_exit_2(args):
    proc = ghost(*args)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_readme_table_is_generated_from_committed_summary():
    summary = json.loads((ROOT / "figures" / "summary.json").read_text())
    readme = (ROOT / "README.md").read_text()
    table = readme.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0].strip()
    assert table == summary_table(summary)
    scales = readme.split(SCALES_START, 1)[1].split(SCALES_END, 1)[0].strip()
    assert scales == scales_table(summary)


def test_scales_say_reduced_with_the_factor_against_the_reference():
    from analysis.figures.context import scale_entry

    entry = scale_entry({"a": ({"epochs": 5000, "seeds": 20}, {"epochs": 20_000, "seeds": 20}),
                         "b": ({"epochs": 10}, None)})
    assert entry["drawn_at"] == "reduced"
    assert entry["parts"]["a"]["reduced_by"] == {"epochs": 4.0}
    assert scale_entry({"a": ({"seeds": 100}, {"seeds": 100})})["drawn_at"] == "reference"
    assert scale_entry({"b": ({"epochs": 10}, None)})["drawn_at"] == "own experiment"
    table = scales_table({"scales": {"21_x": entry}})
    assert "| 21_x | reduced | a | epochs 5,000, seeds 20 | epochs 20,000, seeds 20 | epochs x4 |" in table


def test_the_gallery_captions_every_committed_figure_and_the_readme_shows_one():
    captions = (ROOT / "docs" / "gallery_captions.md").read_text()
    headings = re.findall(r"^## (\S+)$", captions, re.M)
    assert headings == [name for name, _, _ in FIGURES]
    for name, _, _ in FIGURES:
        assert (ROOT / "figures" / f"{name}.png").is_file()
    shown = re.findall(r"\]\(figures/(\S+?)\.png\)", (ROOT / "README.md").read_text())
    assert shown and all((ROOT / "figures" / f"{name}.png").is_file() for name in shown)
    summary = json.loads((ROOT / "figures" / "summary.json").read_text())
    assert summary["quick"] is False  # the committed figures are the full-quality run
    assert "seconds" not in summary  # no timing in a committed output: reruns reproduce it bit for bit


def test_only_some_figures_keeps_the_other_entries(quick_run, tmp_path):
    import shutil

    from analysis.figures import make_figures, selected_figures

    out = tmp_path / "figs"
    shutil.copytree(quick_run, out)
    before = json.loads((out / "summary.json").read_text())
    summary = make_figures(out, quick=True, only=["1"], progress=False)
    after = json.loads((out / "summary.json").read_text())
    assert set(after) == set(before) and set(after["files"]) == set(before["files"])
    others = [name for name in before["files"] if name != "01_canonical_form"]
    assert all(after["files"][name] == before["files"][name] for name in others)  # the others kept as they were
    # (another test may have redrawn the shared quick run in another format: only figure 1 is png now)
    assert after["files"]["01_canonical_form"]["file"] == "01_canonical_form.png" == summary["drawn"][0] + ".png"
    assert [f[0] for f in selected_figures(["21", "03_landscape"])] == ["03_landscape", "21_rnn_large_rates"]
    with pytest.raises(ValueError, match="unknown figure"):
        selected_figures(["99"])
    with pytest.raises(ValueError, match="scale must be one of"):
        make_figures(out, quick=True, scale="huge")


def test_per_architecture_entries_replace_only_their_own_architectures():
    from analysis.figures.runner import merged_entries

    old = [{"architecture": "rank one", "delay_tau": 5}, {"architecture": "full rank", "delay_tau": 5}]
    new = [{"architecture": "full rank", "delay_tau": 8}, {"architecture": "full rank (companion)", "delay_tau": 4}]
    assert merged_entries(old, new) == [old[0], *new]
    rank_one = [{"architecture": "rank one", "delay_tau": 7}]
    assert merged_entries([*new, old[0]], rank_one) == [*new, *rank_one]  # redrawn in its own place
    assert merged_entries([old[0], *new], rank_one) == [*rank_one, *new]
    assert merged_entries(None, new) == new
    assert merged_entries({"a": 1}, {"b": 2}) == {"b": 2}  # any other value is replaced whole
    assert merged_entries(old, []) == []
