"""`scripts/bench report`'s assembly, from fixture results (nothing is measured): the report's
sections, tables, headline rows, charts and the record of where and when each was measured."""
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "Benchmarks"))

from report import main as report_main  # noqa: E402
from report.assemble import assemble, output_markdown, output_text  # noqa: E402
from report.results import git_state, run_section  # noqa: E402
from report.sections import BY_NAME, SECTIONS  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def meta(name, commit="abc1234567", status=0, load=3.5):
    return {"section": name, "command": f"scripts/bench-{name}", "commit": commit, "dirty": False,
            "measuredAt": "2026-12-05 08:00 UTC", "seconds": 42.0, "status": status,
            "loadBefore": {"loadavg": [load, 2.0, 1.0], "cpus": 2}, "loadAfter": {"loadavg": [4.25, 2.5, 1.0], "cpus": 2}}


def e2e_data():
    def row(design, workers, seconds, p95, vs_python, vs_classify):
        return {"design": design, "workers": workers, "images": 100, "failed": 0, "seconds": seconds,
                "rate": 100 / seconds, "p50": p95 and p95 / 2, "p95": p95, "cpu": 20.0, "moto_cpu": 30.0,
                "vs_python": vs_python, "vs_classify": vs_classify, "rounds": 3}
    rows = []
    for workers, ours, python in ((1, 5.40, 10.65), (2, 4.0, 6.84), (3, 3.6, 5.29)):
        rows.append(row("ours (Swift)", workers, ours, ours * 0.9, python / ours, ours / 1.16))
        rows.append(row("Python (Flask + boto3)", workers, python, python * 0.8, 1.0, python / 1.16))
    limit = row("classify (one process)", 0, 1.16, None, None, 1.0)
    limit.update(p50=None, moto_cpu=None)
    return {"images": 100, "batch": 10, "clients": 4, "rounds": 3, "workers": [1, 2, 3], "rows": rows + [limit],
            "trials": []}


def ec2path_data():
    samples = [{"t": t / 4, "visible": max(0, 60 - t), "in_flight": 4 if t < 40 else 0,
                "pending": 1 if t < 8 else 0, "running": 4 if 8 <= t < 92 else 0, "desired": 4 if t < 60 else 0,
                "results": min(80, t * 2)} for t in range(100)]
    return {"summary": {"images": 80, "failed": 0, "seconds": 10.4, "peak": 4, "peak_moto": 4, "back_to_zero": 23.0,
                        "classify_seconds": 0.95, "max_instances": 4, "boot_delay": 2},
            "samples": samples, "fleet": [{"t": 1.0, "pending": 4, "running": 0, "workers": 0},
                                          {"t": 3.0, "pending": 0, "running": 4, "workers": 4}],
            "results": [3 + i * 0.09 for i in range(80)]}


def policies_data():
    rows = []
    for workload in ("burst", "diurnal"):
        for policy, billed, within in (("original design", 1200.0, 0.5), ("AWS target tracking", 900.0, 0.8),
                                       ("ours (slo)", 600.0, 0.99)):
            rows.append({"workload": workload, "policy": policy, "images": 1000, "unanswered": 0,
                         "lastResultSeconds": 40.0, "p50Seconds": 12.0, "p95Seconds": 28.0, "withinSLO": within,
                         "billedInstanceSeconds": billed, "billedVsBaseline": billed / 1200, "peakInstances": 19,
                         "launches": 19, "cutOff": False})
    return {"baselinePolicy": "original design", "rows": rows,
            "world": {"bootSeconds": 60, "networkMs": 100, "sloSeconds": 30, "imagesPerSecondPerInstance": 12.5,
                      "longPollSeconds": 5, "maxEmptyPolls": 12, "scale": 1, "seed": 12}}


@pytest.fixture
def stored(tmp_path):
    """Every section stored: structured data for three, command output for the rest."""
    results = tmp_path / "results"
    results.mkdir()
    data = {"e2e": e2e_data(), "ec2path": ec2path_data(), "policies": policies_data()}
    for section in SECTIONS:
        (results / f"{section.name}.meta.json").write_text(json.dumps(meta(section.name)))
        (results / f"{section.name}.txt").write_text(
            f"==> building {section.name}\n[3/9] Compiling X\nBuild complete! (1.2s)\n\n"
            f"| metric | ours | theirs | ratio |\n|---|---|---|---|\n| {section.name} speed | 2 | 1 | 2.00x |\n")
        if section.name in data:
            (results / f"{section.name}.json").write_text(json.dumps(data[section.name]))
    return results


def test_report_has_every_section_in_order_with_where_and_when(stored, tmp_path):
    text = assemble(stored, tmp_path).read_text()
    positions = [text.index(f"## {section.title}") for section in SECTIONS]
    assert positions == sorted(positions)
    assert text.count("_Measured at commit `abc1234567`") == len(SECTIONS)
    assert "load average 3.5 before and 4.2 after (1 min) on 2 CPUs" in text


def test_e2e_rows_and_headline_carry_the_ratio_against_python(stored, tmp_path):
    text = assemble(stored, tmp_path).read_text()
    headline = text.split("## Headline")[1].split("\n## ")[0]
    assert "| 100 photos end to end, 1 worker | 5.40 s, 18.5 img/s, p95 4.86 s | Python: 10.65 s, 9.4 img/s" in headline
    assert "**1.97x** faster" in headline
    assert "the limit: `classify` on the same 100 files, one process | 1.16 s, 86.2 img/s" in headline
    assert "| ours (Swift) | 1 | 5.40 s | 18.5 | 4.86 s | 20.0 | 30.0 | 1.97x | 4.7x |" in text
    assert "| classify (one process) | - | 1.16 s | 86.2 | - | 20.0 | - | - | 1.0x |" in text


def test_e2e_shows_each_round_s_ratio_when_trials_carry_rounds(stored, tmp_path):
    data = e2e_data()
    data["trials"] = [{"design": design, "workers": 1, "round": r, "seconds": seconds}
                      for r, (ours, python) in enumerate(((5.0, 10.0), (4.0, 10.0)), start=1)
                      for design, seconds in (("ours (Swift)", ours), ("Python (Flask + boto3)", python))]
    (stored / "e2e.json").write_text(json.dumps(data))
    assert "Ours vs Python in each round: 1 worker 2.00, 2.50." in assemble(stored, tmp_path).read_text()


def test_charts_are_written_as_png_and_linked(stored, tmp_path):
    text = assemble(stored, tmp_path).read_text()
    for name in ("e2e", "ec2path", "policies"):
        chart = tmp_path / f"{name}.png"
        assert chart.read_bytes().startswith(PNG) and chart.stat().st_size > 10_000
        assert f"]({name}.png)" in text


def test_charts_do_not_change_when_reassembled(stored, tmp_path):
    assemble(stored, tmp_path)
    first = {name: (tmp_path / f"{name}.png").read_bytes() for name in ("e2e", "ec2path", "policies")}
    assemble(stored, tmp_path)
    assert first == {name: (tmp_path / f"{name}.png").read_bytes() for name in first}


def test_policies_and_ec2path_tables(stored, tmp_path):
    text = assemble(stored, tmp_path).read_text()
    assert "| burst | ours (slo) | 40.0 s | 12.0 s | 28.0 s | 99.0% | 600 | 0.50 | 19 | 19 |" in text
    assert "| policies, diurnal: ours (slo) | 600 instance-s, 99% within 30 s | original design: 1200" in text
    assert "policies, diurnal: AWS target tracking" not in text.split("## Headline")[1].split("\n## ")[0]
    assert "| peak fleet (autoscaler / moto) | 4 / 4 of at most 4 |" in text
    assert "| fleet back to 0 | 23 s after the upload |" in text
    assert "10.4 s to the last result, peak 4 instances, back to 0 at 23 s" in text


def test_missing_and_failed_sections_say_so(stored, tmp_path):
    (stored / "aws.meta.json").unlink()
    failed = meta("vision", status=2)
    (stored / "vision.meta.json").write_text(json.dumps(failed))
    text = assemble(stored, tmp_path).read_text()
    assert "_Not measured yet: `./scripts/bench report aws`._" in text
    assert "**The command exited with status 2.**" in text


def test_command_output_is_shown_without_build_chatter():
    kept = output_text("==> building\n[1/3] Compiling A\nBuilding for production...\nFetching https://x from cache\n"
                       "Working copy of https://x resolved at 1.0\n/w/A.swift:9:2: warning: 'f' is deprecated\n"
                       "   |\n 9 |     f()\n   |     `- warning: 'f' is deprecated\n"
                       "[#DeprecatedDeclaration]: <https://docs.swift.org/x>\n\n| a | b |\n|---|---|\n\n")
    assert kept == "| a | b |\n|---|---|"


def test_markdown_tables_stay_tables_and_other_output_is_verbatim():
    text = "header line\n  indented   fixed   width\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nnote after"
    assert output_markdown(text) == ["```text", "header line\n  indented   fixed   width", "```", "",
                                     "| a | b |", "|---|---|", "| 1 | 2 |", "",
                                     "```text", "note after", "```", ""]


def test_run_section_stores_output_commit_and_load(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "e2e.json").write_text("{\"stale\": true}")
    status = run_section(BY_NAME["e2e"], ROOT, results, command="echo measured; echo '{}' > /dev/null; exit 3")
    assert status == 3
    assert (results / "e2e.txt").read_text() == "measured\n"
    stored = json.loads((results / "e2e.meta.json").read_text())
    head = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    assert stored["commit"] == head.strip() and stored["status"] == 3
    assert len(stored["loadBefore"]["loadavg"]) == 3 and stored["loadBefore"]["cpus"] >= 1
    assert not (results / "e2e.json").exists(), "a failed run must not leave the previous run's data"


def test_changes_under_bench_do_not_make_the_tree_dirty(tmp_path):
    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                       capture_output=True)
    git("init", "-q")
    (tmp_path / "bench").mkdir()
    for path in ("bench/REPORT.md", "code.py"):
        (tmp_path / path).write_text("one\n")
    git("add", "-A")
    git("commit", "-qm", "start")
    (tmp_path / "bench/REPORT.md").write_text("two\n")  # modified: " M bench/REPORT.md"
    assert git_state(tmp_path)["dirty"] is False
    (tmp_path / "code.py").write_text("two\n")
    assert git_state(tmp_path)["dirty"] is True


def test_assemble_only_measures_nothing_and_unknown_sections_are_refused(stored, tmp_path, monkeypatch, capsys):
    def refuse(*args, **kwargs):
        raise AssertionError("--assemble-only ran a section")
    monkeypatch.setattr(report_main, "run_section", refuse)
    assert report_main.main(["--assemble-only", "--out", str(tmp_path), "--results", str(stored)]) == 0
    assert (tmp_path / "REPORT.md").exists()
    with pytest.raises(SystemExit):
        report_main.main(["nosuch", "--out", str(tmp_path)])
    assert "unknown section nosuch" in capsys.readouterr().err
