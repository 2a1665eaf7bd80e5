"""bench/REPORT.md and its charts, from the stored results alone (nothing is measured here)."""
from __future__ import annotations

import re
from pathlib import Path

from report import e2e, ec2path, policies
from report.results import Stored, load
from report.sections import SECTIONS, Section

# Sections whose stored data REPORT.md renders itself: (table, headline rows, chart).
RENDERERS = {"e2e": e2e, "ec2path": ec2path, "policies": policies}
# Build chatter and progress lines in a benchmark's output, not its results.
NOISE = re.compile(r"^(==> |\[\d+/\d+\]|Building for |Build complete|Build of product |Compiling |Linking |Write |"
                   r"Fetching |Fetched |Creating working copy |Working copy of |Computing version |Computed |"
                   # compiler diagnostics and the source excerpts under them
                   r"\S+\.swift:\d+:\d+: (warning|error|note): |\s+\||\s*\d+ \||\[#\w+\]: <)")


def measured(meta: dict) -> str:
    """Where and when: commit, time, the machine's load (the figures are ratios within one run; the
    load says how busy the machine was while they were taken)."""
    before, after = meta["loadBefore"], meta["loadAfter"]
    dirty = " with uncommitted changes" if meta.get("dirty") else ""
    status = "" if meta.get("status", 0) == 0 else f" **The command exited with status {meta['status']}.**"
    return (f"_Measured at commit `{meta['commit']}`{dirty}, {meta['measuredAt']}, in {meta['seconds']:.0f} s; "
            f"load average {before['loadavg'][0]:.1f} before and {after['loadavg'][0]:.1f} after "
            f"(1 min) on {before['cpus']} CPUs; `{meta['command']}`._{status}")


def output_text(text: str) -> str:
    kept = [line.rstrip() for line in text.splitlines() if not NOISE.match(line)]
    while kept and not kept[0]:
        kept.pop(0)
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def section_body(section: Section, stored: Stored, out: Path) -> tuple[list[str], list[str]]:
    """(REPORT.md lines, headline rows) of one section."""
    lines = [f"## {section.title}", "", section.about, ""]
    if stored.meta is None:
        lines += [f"_Not measured yet: `./scripts/bench report {section.name}`._", ""]
        return lines, []
    lines += [measured(stored.meta), ""]
    renderer = RENDERERS.get(section.name)
    if renderer and stored.data is not None:
        chart = renderer.chart(stored.data, out / f"{section.name}.png")
        lines += [renderer.table(stored.data), "", f"![{section.title}]({chart.name})", ""]
        return lines, renderer.headline(stored.data)
    return lines + output_markdown(output_text(stored.text or "")), []


def output_markdown(text: str) -> list[str]:
    """A command's output as Markdown: its Markdown tables as tables, everything else (fixed-width
    tables, notes) verbatim in text blocks."""
    lines: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        rows = block.splitlines()
        if rows and all(row.startswith("|") for row in rows):
            lines += rows + [""]
        elif block.strip():
            lines += ["```text", block, "```", ""]
    return lines


def assemble(results: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    body, headline = [], []
    for section in SECTIONS:
        lines, rows = section_body(section, load(section, results), out)
        body += lines
        headline += rows
    top = ["# Benchmark report", "",
           "Written by `./scripts/bench report` from the results stored in `bench/results/` (each section: the "
           "command's output, the commit measured and the machine's load at the time). "
           "`./scripts/bench report SECTION...` measures sections again; `./scripts/bench report --assemble-only` "
           "rebuilds this file and the charts without measuring. Every comparison is side by side within one run "
           "on the same machine: on a shared, loaded machine the absolute figures move, the ratios much less.", ""]
    if headline:
        top += ["## Headline", "", "| what | ours | compared with | ratio |", "|---|---|---|---|", *headline, ""]
    report = out / "REPORT.md"
    report.write_text("\n".join(top + body).rstrip() + "\n")
    return report
