"""Project invariants: the README's Quickstart is what CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _quickstart_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_quickstart_has_exactly_two_commands():
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert commands[0].startswith("pip install") and "ghost " in commands[0]
    assert '".[test]"' in commands[1] and commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command():
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _quickstart_commands()[1] in ci_lines


def test_reduced_imports_nothing_from_analysis():
    """Data flows one way: the closed forms never depend on the numerics built on them."""
    offenders = []
    for path in (ROOT / "reduced").rglob("*.py"):
        for line in path.read_text().splitlines():
            if re.match(r"\s*(from|import)\s+analysis\b", line):
                offenders.append(f"{path.name}: {line.strip()}")
    assert offenders == []


def test_packages_import_from_outside_the_checkout(tmp_path):
    """The installed distribution provides both top-level packages and the version in one place."""
    import subprocess
    import sys

    code = "import reduced, analysis, analysis.cli; print(reduced.__version__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+", out.stdout.strip())
    setup = (ROOT / "setup.cfg").read_text()
    assert "version = attr: reduced.__version__" in setup


def test_python_dash_m_analysis_is_the_ghost_cli(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "analysis", "critical-lr", "--T", "100"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "9.132102e-08" in out.stdout
