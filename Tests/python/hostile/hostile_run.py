"""Runs the hostile cases in order against one system and prints one line per case: outcome,
RSS and descriptors (before / peak / after), the normal client's p99 latency. The order matters:
the photos accepted during the attacks, some just before a kill -9, are checked after the restart.

    python Tests/python/hostile/hostile_run.py [--quick] --bin-dir .build/release [--set key=value ...]
"""
import argparse
import dataclasses
import math
import pathlib
import signal
import sys

from hostile_case_connections import descriptor_exhaustion, idle_connections_one_address
from hostile_case_images import hostile_images, nothing_accepted_is_lost
from hostile_case_intake import body_drip, many_small_parts_stalled, spool_fill_kill_restart
from hostile_case_requests import malformed_corpus
from hostile_case_websocket import oversized_frames, ping_flood
from hostile_ledger import Ledger
from hostile_limits import Limits, known_web_keys
from hostile_measure import CaseResult
from hostile_system import ROOT, HostileSystem

CASES = {
    "ping-flood": ping_flood,
    "oversized-frames": oversized_frames,
    "small-parts-stalled": many_small_parts_stalled,
    "body-drip": body_drip,
    "idle-one-address": idle_connections_one_address,
    "malformed": malformed_corpus,
    "hostile-images": hostile_images,
    "spool-kill-restart": spool_fill_kill_restart,
    "nothing-lost": nothing_accepted_is_lost,
    "descriptor-exhaustion": descriptor_exhaustion,
}


@dataclasses.dataclass
class Run:
    system: HostileSystem
    limits: Limits
    ledger: Ledger


def start(bin_dir: pathlib.Path, limits: Limits) -> tuple[Run, list]:
    """The system with the suite's limits, after a first batch of photos; and the knobs this build lacks."""
    known = known_web_keys(str(bin_dir / "webtier"), str(ROOT / "Config/local.json"))
    settings, missing = limits.web_settings(known)
    # One worker all along: a worker that disappears died (no scale-in to mistake for it).
    settings.update({"scaling.minInstances": "1", "scaling.maxInstances": "1"})
    system = HostileSystem(bin_dir, settings, known)
    try:
        system.start()
    except BaseException:
        system.close()
        raise
    return Run(system, limits, Ledger()), missing


def run_cases(run: Run, names: list[str], report=print, fresh: bool = True) -> list[CaseResult]:
    """Runs `names` in order. `fresh` restarts the web tier (gracefully, same queues and buckets)
    before each case, so that a case's RSS is its own; without it every case attacks the one
    process the previous cases left behind (restarted only when a case killed it)."""
    results = []
    for index, name in enumerate(names):
        try:
            if fresh and index > 0 or not run.system.web.alive():
                run.system.start()
            result = CASES[name](run)
        except Exception as error:  # a broken case is reported, and the others still run
            result = CaseResult(name, failures=[f"the case raised {type(error).__name__}: {error}"])
        results.append(result)
        report(format_line(result))
    return results


def megabytes(value: int) -> str:
    return f"{value / 2**20:.0f}"


def format_header(limits: Limits, missing: list) -> str:
    lines = [f"RSS bound {megabytes(limits.rss_bound_bytes)} MB (2 x web.intakeMemoryBytes "
             f"{megabytes(limits.intake_memory_bytes)} MB + {megabytes(limits.rss_allowance_bytes)} MB); "
             f"normal client answered within {limits.latency_goal_seconds:g} s"]
    if missing:
        lines.append(f"no configuration key in this build for: {', '.join(missing)} (the server's own default applies)")
    lines.append(f"{'case':<40} {'outcome':<7} {'RSS MB before/peak/after':>24} {'fds before/peak/after':>22} "
                 f"{'p99 ms':>7}")
    return "\n".join(lines)


def format_line(result: CaseResult) -> str:
    rss = "/".join(megabytes(value) for value in result.rss)
    fds = "/".join(str(value) for value in result.fds)
    p99 = "-" if math.isnan(result.p99) else f"{result.p99 * 1000:.0f}"
    line = f"{result.name:<40} {'pass' if result.passed else 'FAIL':<7} {rss:>24} {fds:>22} {p99:>7}"
    details = [f"    ! {failure}" for failure in result.failures] + [f"    - {note}" for note in result.notes]
    return "\n".join([line] + details)


def parse_limits(quick: bool, assignments: list[str]) -> Limits:
    limits = Limits.quick() if quick else Limits()
    for assignment in assignments:
        name, _, value = assignment.partition("=")
        current = getattr(limits, name.replace("-", "_"))
        setattr(limits, name.replace("-", "_"), type(current)(float(value)) if isinstance(current, (int, float))
                else value)
    return limits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer sockets, shorter waits (scripts/test)")
    parser.add_argument("--bin-dir", type=pathlib.Path, default=ROOT / ".build/release")
    parser.add_argument("--case", action="append", choices=list(CASES), help="run only these (repeatable)")
    parser.add_argument("--one-process", action="store_true",
                        help="attack one web tier with every case in turn instead of restarting it before each")
    parser.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                        help="a suite parameter (see hostile_limits.Limits), e.g. --limit intake_memory_bytes=33554432")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra web-tier setting, passed on as --set")
    options = parser.parse_args()
    limits = parse_limits(options.quick, options.limit)
    limits.extra_settings.update(dict(item.split("=", 1) for item in options.set))
    # A TERM (a timeout, a CI cancel) unwinds like Ctrl-C, so moto, the web tier and its worker stop.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(143))
    run, missing = start(options.bin_dir, limits)
    try:
        print(format_header(limits, missing), flush=True)
        results = run_cases(run, options.case or list(CASES), report=lambda line: print(line, flush=True),
                            fresh=not options.one_process)
    finally:
        run.system.close()
    failed = [result.name for result in results if not result.passed]
    print(f"{len(results) - len(failed)} of {len(results)} cases passed" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
