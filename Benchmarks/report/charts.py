"""matplotlib set up for files, not screens, and PNGs that do not change when re-drawn from the
same results (no timestamp or version in their metadata)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OURS_COLOR, PYTHON_COLOR, LIMIT_COLOR = "#1f77b4", "#ff7f0e", "#2ca02c"


def figure(rows: int = 1, columns: int = 1, size: tuple[float, float] = (8, 4.5), **options):
    return plt.subplots(rows, columns, figsize=size, **options)


def save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path
