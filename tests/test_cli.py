"""The ``ghost`` console script, every command: output, and one-line errors with exit status 2."""

import subprocess
import sys

import pytest
import xarray as xr

from analysis.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis.cli", *args], capture_output=True, text=True)


def test_critical_lr_prints_closed_form_and_value(capsys):
    assert main(["critical-lr", "--T", "100", "--convention", "integral"]) == 0
    out = capsys.readouterr().out
    assert "3*pi**4/(32*T**5)" in out and "9.132102e-10" in out


def test_derive_latex_has_every_step(capsys):
    assert main(["derive", "--latex"]) == 0
    out = capsys.readouterr().out
    assert "\\frac{\\pi^{2}}{4 T^{2}}" in out  # r*
    assert "\\frac{3 \\pi^{4}}{32 T^{4}}" in out  # eta_c, normalized


@pytest.mark.parametrize(
    "args", [["critical-lr", "--T", "-1"], ["critical-lr", "--T", "nan"], ["critical-lr", "--T", "x"],
             ["critical-lr"], ["nonsense"], ["derive", "--convention", "other"]]
)
def test_bad_arguments_one_line_exit_2(args):
    proc = run(*args)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("flag", ["--T", "--delay", "-T"])
def test_delay_option_spellings(flag, capsys):
    assert main(["critical-lr", flag, "100"]) == 0
    assert "9.132102e-08" in capsys.readouterr().out


def test_latex_and_ascii_are_mutually_exclusive():
    proc = run("derive", "--latex", "--ascii")
    assert proc.returncode == 2 and "not allowed with" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_no_command_prints_the_usage():
    proc = run()
    assert proc.returncode == 2
    assert "usage: ghost" in proc.stderr and "figures" in proc.stderr


def test_every_option_has_help_text():
    from analysis.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if action.option_strings and action.dest != "help":
                assert action.help, f"ghost {name} {action.option_strings[0]} has no help text"


# --- ghost rnn ------------------------------------------------------------------------------------
def test_rnn_cli_trains_and_writes(tmp_path):
    proc = run("rnn", "train", "fig5-dcdt", "--epochs", "20", "--seeds", "1", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    ds = xr.open_dataset(tmp_path / "fig5-dcdt-train.nc")
    assert ds.sizes["epoch"] == 20 and ds.sizes["seed"] == 1
    assert (tmp_path / "fig5-dcdt-train.png").stat().st_size > 10_000
    listing = run("rnn", "list")
    assert listing.returncode == 0 and "fig8c" in listing.stdout and "fig3a" in listing.stdout


@pytest.mark.parametrize("args", [("rnn",), ("rnn", "train", "fig99"),
                                  ("rnn", "sweep", "fig3b", "--lr", "1", "0.1", "3"),
                                  ("rnn", "train", "fig3b", "--epochs", "0"), ("rnn", "ghosts")])
def test_rnn_cli_bad_arguments_one_line_exit_2(args, tmp_path):
    proc = run(*args, *(("--out", str(tmp_path)) if len(args) > 2 else ()))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_rnn_ghosts_without_checkpoints_is_refused_before_training(tmp_path):
    proc = run("rnn", "ghosts", "fig6a-rank-one", "--epochs", "5", "--out", str(tmp_path))
    assert proc.returncode == 2 and "keeps no checkpoints" in proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing was trained or written


def test_rnn_sweep_with_an_absurd_count_is_refused_fast(tmp_path):
    import time

    start = time.perf_counter()
    proc = run("rnn", "sweep", "fig3b", "--lr", "0.01", "0.1", "1e9", "--out", str(tmp_path))
    assert proc.returncode == 2 and "--lr" in proc.stderr and "Traceback" not in proc.stderr
    assert time.perf_counter() - start < 60


def test_rnn_overwrite_replaces_a_result_made_with_other_settings(tmp_path):
    first = run("rnn", "train", "fig5-dcdt", "--epochs", "4", "--seeds", "1", "--out", str(tmp_path))
    assert first.returncode == 0, first.stderr
    refused = run("rnn", "train", "fig5-dcdt", "--epochs", "6", "--seeds", "1", "--out", str(tmp_path))
    assert refused.returncode == 2 and "different settings" in refused.stderr
    replaced = run("rnn", "train", "fig5-dcdt", "--epochs", "6", "--seeds", "1", "--chunk-size", "1",
                   "--overwrite", "--out", str(tmp_path))
    assert replaced.returncode == 0, replaced.stderr
    assert xr.open_dataset(tmp_path / "fig5-dcdt-train.nc").sizes["epoch"] == 6


def _subcommands(parser, prefix=()):
    import argparse

    for action in parser._actions:  # argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _subcommands(sub, (*prefix, name))


def test_every_command_has_help_and_refuses_an_unknown_option_in_one_line():
    from analysis.cli import build_parser

    commands = list(_subcommands(build_parser()))
    assert {c[0] for c in commands} == {"derive", "critical-lr", "figures", "summary-table", "rnn"}
    for command in commands:
        with pytest.raises(SystemExit) as help_exit:
            main([*command, "--help"])
        assert help_exit.value.code == 0
        proc = run(*command, "--no-such-option")
        assert proc.returncode == 2, command
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr, command


def test_figures_only_refuses_an_unknown_figure_in_one_line(tmp_path):
    for scale in ("--quick", "--reference"):  # --reference refuses it before it measures any cost
        proc = run("figures", scale, "--only", "42", "--out", str(tmp_path))
        assert proc.returncode == 2 and "unknown figure" in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
