"""The ``ghost`` console script: output and one-line errors with exit status 2."""

import subprocess
import sys

import pytest

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
