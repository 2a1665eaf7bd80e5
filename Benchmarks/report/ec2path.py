"""The EC2-path section: queue depth, fleet size and results over time, from one timed run."""
from __future__ import annotations

from pathlib import Path

from report import charts


def table(data: dict) -> str:
    s = data["summary"]
    zero = f"{s['back_to_zero']:.0f} s after the upload" if s.get("back_to_zero") is not None else "not within the run"
    return "\n".join([
        "| figure | value |", "|---|---|",
        f"| photos | {s['images']} in one job ({s['failed']} failed) |",
        f"| time to last result | {s['seconds']:.1f} s |",
        f"| `classify` on the same files, one process | {s['classify_seconds']:.1f} s "
        f"(the EC2 path takes {s['seconds'] / s['classify_seconds']:.1f}x that) |",
        f"| peak fleet (autoscaler / moto) | {s['peak']} / {s['peak_moto']} of at most {s['max_instances']} |",
        f"| fleet back to 0 | {zero} |",
    ])


def headline(data: dict) -> list[str]:
    s = data["summary"]
    zero = f", back to 0 at {s['back_to_zero']:.0f} s" if s.get("back_to_zero") is not None else ""
    return [f"| EC2 path on one machine (moto EC2 + ec2sim), {s['images']} photos | {s['seconds']:.1f} s to the last "
            f"result, peak {s['peak']} instances{zero} | `classify`: {s['classify_seconds']:.1f} s | "
            f"{s['seconds'] / s['classify_seconds']:.1f}x the limit |"]


def chart(data: dict, path: Path) -> Path:
    samples, fleet, results = data["samples"], data["fleet"], data["results"]
    fig, (queue, instances, done) = charts.figure(3, 1, size=(8, 7.5), sharex=True)
    t = [s["t"] for s in samples]
    queue.plot(t, [s.get("visible", 0) for s in samples], label="waiting (visible)", color=charts.PYTHON_COLOR)
    queue.plot(t, [s.get("in_flight", 0) for s in samples], label="being classified (in flight)",
               color=charts.OURS_COLOR)
    queue.set_ylabel("request queue")
    queue.legend(fontsize=8)
    instances.step(t, [s.get("pending", 0) + s.get("running", 0) for s in samples], where="post",
                   label="live instances (autoscaler)", color=charts.OURS_COLOR)
    instances.step(t, [s.get("desired", 0) for s in samples], where="post", linestyle=":",
                   label="desired", color="gray")
    if fleet:
        instances.step([f["t"] for f in fleet], [f["workers"] for f in fleet], where="post",
                       label="workers running (ec2sim)", color=charts.LIMIT_COLOR)
    instances.set_ylabel("fleet")
    instances.legend(fontsize=8)
    done.step([0] + results, list(range(len(results) + 1)), where="post", color=charts.OURS_COLOR)
    done.set_ylabel("results")
    done.set_xlabel("seconds since the upload started")
    queue.set_title(f"EC2 path: {data['summary']['images']} photos, one job")
    return charts.save(fig, path)
