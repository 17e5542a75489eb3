"""One quick run of the main job, shared by the tests of the runner and of the recipes."""

import os
import subprocess
import sys

import pytest


def ghost(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "analysis.cli", *args], capture_output=True, text=True,
                          **kwargs)


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("figs")
    proc = ghost("figures", "--quick", "--out", str(out), env=os.environ | {"MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr
    return out
