#!/usr/bin/env python3
"""`./scripts/bench report [SECTION...] [--assemble-only]`: measures the named sections (all when
none is named), stores each one's results under bench/results/, then writes bench/REPORT.md and
its charts from everything stored. Sections are independent: re-measuring one leaves the others'
stored results as they were."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from report.assemble import assemble  # noqa: E402
from report.results import run_section  # noqa: E402
from report.sections import BY_NAME, SECTIONS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench report", description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="SECTION",
                        help=f"any of: {', '.join(s.name for s in SECTIONS)} (default: all)")
    parser.add_argument("--assemble-only", action="store_true", help="measure nothing; rebuild from stored results")
    parser.add_argument("--out", type=Path, default=ROOT / "bench", help="where REPORT.md and the charts go")
    parser.add_argument("--results", type=Path, help="stored results (default: OUT/results)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.sections if name not in BY_NAME]
    if unknown:
        parser.error(f"unknown section {', '.join(unknown)}; sections: {', '.join(s.name for s in SECTIONS)}")
    if args.assemble_only and args.sections:
        parser.error("--assemble-only measures nothing: name no section")
    results = args.results or args.out / "results"
    failed = []
    if not args.assemble_only:
        for section in [BY_NAME[name] for name in args.sections] or SECTIONS:
            print(f"==> report section {section.name}: {section.command.replace('{data}', '...')}", flush=True)
            if run_section(section, ROOT, results) != 0:
                failed.append(section.name)
    report = assemble(results, args.out)
    print(f"==> {report.relative_to(ROOT) if report.is_relative_to(ROOT) else report}"
          + (f" (failed: {', '.join(failed)}; their output is stored and the report says so)" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
