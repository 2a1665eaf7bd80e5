"""The policy comparison: `scalesim --json`'s rows as a table and a chart of cost and latency."""
from __future__ import annotations

import textwrap
from pathlib import Path

from report import charts


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def table(data: dict) -> str:
    world = data["world"]
    lines = [f"Simulated world: boot {world['bootSeconds']:g} s, {world['networkMs']:g} ms S3/SQS per image, "
             f"{world['imagesPerSecondPerInstance']:.1f} images/s per instance, SLO {world['sloSeconds']:g} s, "
             f"seed {world['seed']}, scale {world['scale']:g}.", "",
             f"| workload | policy | last result | p50 | p95 | within {world['sloSeconds']:g} s | instance-s billed | "
             f"vs {data['baselinePolicy']} | peak | launches |", "|---|---|---|---|---|---|---|---|---|---|"]
    for row in data["rows"]:
        notes = (f" ({row['unanswered']} unanswered)" if row["unanswered"] else "") + (" (cut off)" if row["cutOff"] else "")
        ratio = "-" if row["billedVsBaseline"] is None else f"{row['billedVsBaseline']:.2f}"
        lines.append(f"| {row['workload']} | {row['policy']} | {seconds(row['lastResultSeconds'])} | "
                     f"{seconds(row['p50Seconds'])} | {seconds(row['p95Seconds'])} | {100 * row['withinSLO']:.1f}% | "
                     f"{row['billedInstanceSeconds']:.0f}{notes} | {ratio} | {row['peakInstances']} | {row['launches']} |")
    return "\n".join(lines)


def headline(data: dict) -> list[str]:
    """Per workload: our policy's cost and SLO share against the baseline's (the table has the rest)."""
    lines = []
    baseline = data["baselinePolicy"]
    slo = data["world"]["sloSeconds"]
    for workload in dict.fromkeys(row["workload"] for row in data["rows"]):
        rows = [r for r in data["rows"] if r["workload"] == workload]
        base = next((r for r in rows if r["policy"] == baseline), None)
        for row in rows:
            if row is base or base is None or not row["policy"].startswith("ours"):
                continue
            lines.append(f"| policies, {workload}: {row['policy']} | {row['billedInstanceSeconds']:.0f} instance-s, "
                         f"{100 * row['withinSLO']:.0f}% within {slo:g} s | {baseline}: "
                         f"{base['billedInstanceSeconds']:.0f} instance-s, {100 * base['withinSLO']:.0f}% | "
                         f"{row['billedVsBaseline']:.2f}x the cost |")
    return lines


def chart(data: dict, path: Path) -> Path:
    rows = data["rows"]
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    colors = [charts.PYTHON_COLOR, "gray", charts.OURS_COLOR] + ["#9467bd", "#8c564b"] * 3
    fig, (cost, late) = charts.figure(1, 2, size=(11, 4.2))
    width = 0.8 / len(policies)
    for index, policy in enumerate(policies):
        positions = [w + (index - (len(policies) - 1) / 2) * width for w in range(len(workloads))]
        picked = [next((r for r in rows if r["workload"] == w and r["policy"] == policy), None) for w in workloads]
        cost.bar(positions, [r["billedInstanceSeconds"] if r else 0 for r in picked], width, label=policy,
                 color=colors[index])
        late.bar(positions, [r["p95Seconds"] if r else 0 for r in picked], width, label=policy, color=colors[index])
    # Log scales: the policies differ by orders of magnitude (0.1 s against 100 s, 120 against 27,000).
    for ax, label in ((cost, "instance-seconds billed (lower is cheaper)"), (late, "p95 latency, s (lower is faster)")):
        ax.set_xticks(range(len(workloads)), [textwrap.fill(w, 18) for w in workloads], fontsize=8)
        ax.set_ylabel(label)
        ax.set_yscale("log")
    late.axhline(data["world"]["sloSeconds"], color="black", linestyle=":", linewidth=1, label="SLO")
    cost.legend(fontsize=8)
    late.legend(fontsize=8)
    fig.suptitle("Autoscaling policies on simulated workloads")
    return charts.save(fig, path)
