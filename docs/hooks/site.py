"""mkdocs hooks of the documentation site: the pages that are generated so that they cannot drift.

* ``gallery.md``: every figure of ``ghost figures`` (``analysis.figures.FIGURES``), with its caption
  (``docs/gallery_captions.md``), the sizes it was drawn at (``figures/summary.json`` under ``scales``)
  and the recipe that draws it;
* ``cli.md``: the help of every ``ghost`` subcommand, from the argparse parsers themselves;
* the committed figures, served under ``figures/``, so that a page links them as
  ``../figures/NAME.png`` (which also works when the Markdown is read on the forge);
* docstrings' Sphinx roles stripped from the rendered API pages (they keep working in ``help()``);
* MathJax, served with the site rather than from a CDN (the pages render their equations offline
  and on machines that reach only package registries): its npm package, checked against the
  registry's SHA-1 and cached in ``.cache/mathjax``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import tarfile
import urllib.request
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[2]
FIGURE_DIR = ROOT / "figures"
MATHJAX = ("https://registry.npmjs.org/mathjax/-/mathjax-3.2.2.tgz", "c754d7b46a679d7f3fa03543d6b8bf124ddf9f6b")
MATHJAX_FILE = "package/es5/tex-svg.js"  # SVG output: one file, no web fonts to fetch


def mathjax_script() -> Path:
    """The MathJax bundle, downloaded once from the npm registry and verified."""
    cached = ROOT / ".cache" / "mathjax" / "tex-svg.js"
    if not cached.is_file():
        url, sha1 = MATHJAX
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
        if hashlib.sha1(data).hexdigest() != sha1:
            raise RuntimeError(f"{url}: checksum mismatch")
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            script = archive.extractfile(MATHJAX_FILE).read()
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(script)
    return cached


def on_files(files, config):
    for png in sorted(FIGURE_DIR.glob("*.png")):
        files.append(File.generated(config, f"figures/{png.name}", abs_src_path=str(png)))
    files.append(File.generated(config, "javascripts/tex-svg.js", abs_src_path=str(mathjax_script())))
    files.append(File.generated(config, "gallery.md", content=gallery_page()))
    files.append(File.generated(config, "cli.md", content=cli_page()))
    return files


def on_page_markdown(markdown, page, config, files):
    """Figure links written for the repository (``../figures/``) point into the site."""
    depth = page.file.src_uri.count("/")
    prefix = "../" * depth
    return markdown.replace("](../figures/", f"]({prefix}figures/")


SPHINX_ROLE = re.compile(r":(?:func|class|mod|meth|data|attr|obj|exc):(?=<code>|`)")


def on_page_content(html, page, config, files):
    """The docstrings' Sphinx roles (``:func:`name```), which mkdocstrings shows as text, become plain code."""
    return SPHINX_ROLE.sub("", html)


def gallery_captions() -> dict[str, str]:
    """The caption of each figure, from ``docs/gallery_captions.md`` (a heading per figure name)."""
    text = (ROOT / "docs" / "gallery_captions.md").read_text()
    found = re.findall(r"^## (\S+)\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return {name: " ".join(body.split()) for name, body in found}


def _sizes(sizes: dict | None) -> str:
    if not sizes:
        return "(this project's own experiment)"
    return ", ".join(f"{k.replace('_', ' ')} {v:,}" if isinstance(v, int) else f"{k.replace('_', ' ')} {v}"
                     for k, v in sizes.items())


def gallery_page() -> str:
    from analysis.figures import FIGURES

    summary = json.loads((FIGURE_DIR / "summary.json").read_text())
    scales = summary.get("scales", {})
    captions = gallery_captions()
    lines = ["# Gallery", "",
             "Every figure that `ghost figures` draws, as committed in the repository's `figures/`. Each "
             "network figure says the sizes it was drawn at against the reference's (from "
             "`figures/summary.json`, key `scales`); `ghost figures --only NN` redraws one of them.", ""]
    for name, title, recipe in FIGURES:
        number = name.split("_", 1)[0]
        lines += [f"## {number}. {title}", "", f"![{title}](figures/{name}.png)", "",
                  captions.get(name, ""), "",
                  f"Drawn by `{recipe.__module__}.{recipe.__qualname__}`; redraw with "
                  f"`ghost figures --only {int(number)}`.", ""]
        entry = scales.get(name)
        if entry:
            lines += [f"Drawn at: **{entry['drawn_at']}**" + (f" ({entry['note']})" if entry.get("note") else "")
                      + ".", "", "| part | sizes used | reference's sizes |", "| --- | --- | --- |"]
            lines += [f"| {part} | {_sizes(p['used'])} | {_sizes(p['reference'])} |"
                      for part, p in entry["parts"].items()]
            lines.append("")
    return "\n".join(lines)


def subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """Every subcommand below ``parser``: its names, its parser and the one-line help it was registered with."""
    for action in parser._actions:  # argparse lists its subcommands only among its actions
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*prefix, name), sub, helps.get(name, "")
                yield from subcommands(sub, (*prefix, name))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def cli_page() -> str:
    from analysis.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps its help to the terminal's width: fix it
    parser = build_parser()
    lines = ["# Command line", "",
             "Everything the library runs from a shell goes through `ghost` (also `python -m analysis`). Bad "
             "input prints one line and exits with status 2. This page is generated from the parsers "
             "themselves.", "", "```text", parser.format_help().rstrip(), "```", ""]
    for names, sub, help_line in subcommands(parser):
        lines += [f"## ghost {' '.join(names)}", "", _sentence(help_line), "",
                  "```text", sub.format_help().rstrip(), "```", ""]
    return "\n".join(lines)
