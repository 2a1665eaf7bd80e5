"""The end-to-end section: medians table, headline rows and a chart of time to last result."""
from __future__ import annotations

from pathlib import Path

from report import charts

OURS, PYTHON = "ours (Swift)", "Python (Flask + boto3)"


def table(data: dict) -> str:
    def cell(value, fmt):
        return "-" if value is None else fmt.format(value)
    lines = ["| design | workers | time to last result | img/s | p95 latency | CPU s (tiers) | moto CPU s | "
             "ours vs Python | time vs classify |", "|---|---|---|---|---|---|---|---|---|"]
    for row in data["rows"]:
        lines.append(f"| {row['design']} | {row['workers'] or '-'} | {row['seconds']:.2f} s | {row['rate']:.1f} | "
                     f"{cell(row['p95'], '{:.2f} s')} | {row['cpu']:.1f} | {cell(row['moto_cpu'], '{:.1f}')} | "
                     f"{cell(row.get('vs_python'), '{:.2f}x') if row['design'] == OURS else '-'} | "
                     f"{row['vs_classify']:.1f}x |")
    rounds = per_round(data.get("trials", []))
    return "\n".join(lines + (["", rounds] if rounds else []))


def per_round(trials: list[dict]) -> str:
    """Python's time over ours in each round (the two ran one after the other in that round)."""
    ratios: dict[int, list[str]] = {}
    for ours in (t for t in trials if t["design"] == OURS and "round" in t):
        python = next((t for t in trials if t["design"] == PYTHON and t["workers"] == ours["workers"]
                       and t.get("round") == ours["round"]), None)
        if python:
            ratios.setdefault(ours["workers"], []).append(f"{python['seconds'] / ours['seconds']:.2f}")
    if not ratios:
        return ""
    return "Ours vs Python in each round: " + "; ".join(
        f"{workers} worker{'s' if workers > 1 else ''} {', '.join(values)}" for workers, values in sorted(ratios.items())) + "."


def headline(data: dict) -> list[str]:
    """One line per worker count (ours vs Python) and the limit, for the report's top table."""
    rows = data["rows"]
    lines = []
    for ours in (r for r in rows if r["design"] == OURS):
        python = next(r for r in rows if r["design"] == PYTHON and r["workers"] == ours["workers"])
        lines.append(f"| {data['images']} photos end to end, {ours['workers']} worker{'s' if ours['workers'] > 1 else ''}"
                     f" | {ours['seconds']:.2f} s, {ours['rate']:.1f} img/s, p95 {ours['p95']:.2f} s"
                     f" | Python: {python['seconds']:.2f} s, {python['rate']:.1f} img/s, p95 {python['p95']:.2f} s"
                     f" | **{ours['vs_python']:.2f}x** faster |")
    limit = rows[-1]
    lines.append(f"| the limit: `classify` on the same {data['images']} files, one process | {limit['seconds']:.2f} s, "
                 f"{limit['rate']:.1f} img/s | - | - |")
    return lines


def chart(data: dict, path: Path) -> Path:
    rows = data["rows"]
    counts = data["workers"]
    fig, ax = charts.figure(size=(8, 4.2))
    width = 0.38
    for offset, (design, color) in enumerate(((OURS, charts.OURS_COLOR), (PYTHON, charts.PYTHON_COLOR))):
        values = [next(r["seconds"] for r in rows if r["design"] == design and r["workers"] == n) for n in counts]
        positions = [i + (offset - 0.5) * width for i in range(len(counts))]
        bars = ax.bar(positions, values, width, label=design, color=color)
        ax.bar_label(bars, fmt="%.1f s", fontsize=8)
    ax.axhline(rows[-1]["seconds"], color=charts.LIMIT_COLOR, linestyle="--",
               label=f"classify, one process ({rows[-1]['seconds']:.1f} s)")
    ax.set_xticks(range(len(counts)), [f"{n} worker{'s' if n > 1 else ''}" for n in counts])
    ax.set_ylabel("seconds to the last result (median)")
    ax.set_title(f"{data['images']} photos end to end, lower is better")
    ax.legend(fontsize=8)
    return charts.save(fig, path)
