"""The documentation site: complete docstrings of the public API, and the pages generated from the code."""

import importlib
import importlib.util
import inspect
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTED = ("reduced", "analysis", "analysis.networks", "analysis.ghosts")
"""The packages whose exported names the API reference documents."""


def _exported():
    seen = {}
    for module_name in DOCUMENTED:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                seen.setdefault(id(obj), (f"{module_name}.{name}", obj))
    return list(seen.values())


def _sections(doc: str) -> set[str]:
    return set(re.findall(r"^(\w[\w ]*)\n-{3,}$", doc, re.M))


def test_every_exported_function_has_a_summary_parameters_returns_and_type_hints():
    problems = []
    for name, obj in _exported():
        doc = inspect.getdoc(obj) or ""
        if not doc.strip():
            problems.append(f"{name}: no docstring")
            continue
        if not inspect.isfunction(obj):
            continue
        sections = _sections(doc)
        signature = inspect.signature(obj)
        named = [p for p in signature.parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if named and "Parameters" not in sections:
            problems.append(f"{name}: no Parameters section")
        if not sections & {"Returns", "Yields"}:
            problems.append(f"{name}: no Returns section")
        if signature.return_annotation is inspect.Signature.empty:
            problems.append(f"{name}: no return annotation")
        bare = [p.name for p in named if p.annotation is inspect.Parameter.empty]
        if bare:
            problems.append(f"{name}: parameters without a type hint: {bare}")
    assert not problems, "\n".join(problems)


def test_every_exported_class_documents_its_fields():
    problems = []
    for name, obj in _exported():
        if not inspect.isclass(obj) or issubclass(obj, Exception):
            continue
        sections = _sections(inspect.getdoc(obj) or "")
        if not sections & {"Parameters", "Attributes"}:
            problems.append(f"{name}: neither Parameters nor Attributes")
    assert not problems, "\n".join(problems)


def _hooks():
    pytest.importorskip("mkdocs")
    spec = importlib.util.spec_from_file_location("site_hooks", ROOT / "docs" / "hooks" / "site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_gallery_page_shows_every_figure_with_its_recipe_and_scale():
    import json

    from analysis.figures import FIGURES

    page = _hooks().gallery_page()
    scales = json.loads((ROOT / "figures" / "summary.json").read_text())["scales"]
    for name, title, recipe in FIGURES:
        assert f"](figures/{name}.png)" in page and title in page
        assert f"`{recipe.__module__}.{recipe.__qualname__}`" in page
        if name in scales:
            section = page.split(f"figures/{name}.png", 1)[1].split("\n## ", 1)[0]
            assert f"Drawn at: **{scales[name]['drawn_at']}**" in section


def test_the_command_line_page_has_every_subcommand_and_option():
    from analysis.cli import build_parser

    page = _hooks().cli_page()
    for names, sub, _ in _hooks().subcommands(build_parser()):
        assert f"## ghost {' '.join(names)}" in page
        for action in sub._actions:
            for option in action.option_strings:
                assert option in page, (names, option)


def test_the_nav_lists_every_tutorial_and_every_page_exists():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())

    def pages(nav):
        for entry in nav:
            value = next(iter(entry.values())) if isinstance(entry, dict) else entry
            yield from pages(value) if isinstance(value, list) else [value]

    listed = set(pages(config["nav"]))
    generated = {"gallery.md", "cli.md"}
    assert all((ROOT / "docs" / p).is_file() for p in listed - generated)
    tutorials = {f"tutorials/{p.name}" for p in (ROOT / "docs" / "tutorials").glob("*.py")}
    assert tutorials and tutorials <= listed


def test_every_link_of_a_page_stays_inside_the_project_and_exists():
    """Relative links (Markdown pages, the tutorials' Markdown cells, the README) resolve to files of
    this repository; the generated pages and the site's figures count as present."""
    generated = {ROOT / "docs" / "gallery.md", ROOT / "docs" / "cli.md"}
    pages = [*(ROOT / "docs").rglob("*.md"), *(ROOT / "docs" / "tutorials").glob("*.py"), ROOT / "README.md"]
    bad = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue  # a web address or an anchor on the same page
            path = (page.parent / target.split("#", 1)[0]).resolve()
            if not path.is_relative_to(ROOT) or not (path.exists() or path in generated):
                bad.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not bad, bad
