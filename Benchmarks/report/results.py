"""Measuring a section and storing what it measured: `<name>.txt` (the command's output),
`<name>.meta.json` (commit, time, the machine's load before and after, exit status) and, for
structured sections, `<name>.json` (written by the command itself)."""
from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from report.sections import Section


@dataclass
class Stored:
    """One section's stored results; `text` is None when it was never measured."""
    meta: dict | None
    text: str | None
    data: dict | None


def git_state(root: Path) -> dict:
    """The commit measured, and whether the tree had changes outside bench/ (so the figures may
    not be that commit's)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True).stdout
    # Porcelain lines are "XY path": the status's leading blank is part of the format.
    changed = [line for line in git("status", "--porcelain").splitlines() if not line[3:].startswith("bench/")]
    return {"commit": git("rev-parse", "--short=10", "HEAD").strip() or "unknown", "dirty": bool(changed)}


def machine_load() -> dict:
    one, five, fifteen = os.getloadavg()
    return {"loadavg": [round(one, 2), round(five, 2), round(fifteen, 2)], "cpus": os.cpu_count()}


def run_section(section: Section, root: Path, results: Path, command: str | None = None) -> int:
    """Runs the section's command, its output shown as it comes and stored; returns its status."""
    results.mkdir(parents=True, exist_ok=True)
    data = results / f"{section.name}.json"
    command = (command or section.command).replace("{data}", str(data))
    data.unlink(missing_ok=True)  # a failed run must not leave the previous run's figures looking current
    before, state = machine_load(), git_state(root)
    started = time.time()
    process = subprocess.Popen(["bash", "-c", command], cwd=root, stdout=subprocess.PIPE, text=True)
    lines = []
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    status = process.wait()
    meta = {"section": section.name, "command": command.replace(str(data), f"bench/results/{data.name}"),
            **state, "measuredAt": datetime.datetime.fromtimestamp(started, datetime.timezone.utc)
            .strftime("%Y-%m-%d %H:%M UTC"), "seconds": round(time.time() - started, 1),
            "loadBefore": before, "loadAfter": machine_load(), "status": status}
    (results / f"{section.name}.txt").write_text("".join(lines))
    (results / f"{section.name}.meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    return status


def load(section: Section, results: Path) -> Stored:
    def read(suffix: str, parse):
        path = results / f"{section.name}{suffix}"
        return parse(path.read_text()) if path.exists() else None
    return Stored(meta=read(".meta.json", json.loads), text=read(".txt", str),
                  data=read(".json", json.loads) if section.structured else None)
