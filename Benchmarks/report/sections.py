"""The report's sections, in the order REPORT.md shows them, and the command that measures each.

A command runs from the repository root with `{data}` replaced by the path of the section's
data file (`bench/results/<name>.json`); its standard output is stored as `<name>.txt`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    command: str
    # What the section compares, for the reader of REPORT.md.
    about: str
    # Whether the command writes `{data}` (then REPORT.md renders tables and charts from it;
    # otherwise it shows the command's own tables).
    structured: bool = False


SECTIONS = [
    Section("e2e", "End to end: 100 photos through the web tier",
            "scripts/bench-e2e --json {data}",
            "Our web tier and 1, 2, 3 local workers versus the original design in Python (Flask + boto3 and "
            "the Python worker) on the same moto and model, and versus the limit: `classify` on the same "
            "files in one process. Medians of 3 alternating rounds.", structured=True),
    Section("ec2path", "The EC2 path on one machine",
            "scripts/bench-ec2path --json {data}",
            "One job of 80 photos through the web tier with `fleet.kind=ec2`: it launches instances in moto's "
            "EC2, `ec2sim` boots a real `apptier` on each after 2 s, and idle workers terminate their own "
            "instances (scripts/ec2-sim's settings).", structured=True),
    Section("policies", "Autoscaling policies (simulated)",
            'swift build -c release --product scalesim >/dev/null && '
            '"$(swift build -c release --show-bin-path)/scalesim" --json {data}',
            "`scalesim`: the original design's rule, AWS target tracking and ours (`slo`) on the same "
            "simulated workloads, driving the web tier's real scaling code in simulated time.", structured=True),
    Section("aws", "AWS client", "scripts/bench-aws",
            "SigV4 signing and moto round trips: ours versus botocore/boto3 on the same requests."),
    Section("http", "HTTP server", "scripts/bench-http",
            "Our HTTP server versus Flask's development server and nginx, with wrk on loopback."),
    Section("ws", "WebSocket", "scripts/bench-ws",
            "Inbound-path throughput beside simple baselines; broadcast delivery latency to 100 and 1000 "
            "connections."),
    Section("vision", "Vision pipeline", "scripts/bench-vision",
            "Decode + preprocess + inference versus the Python reference (Pillow + numpy + onnxruntime) on "
            "the same photos."),
    Section("apptier", "App tier", "scripts/bench-apptier",
            "Our worker versus the Python reference worker through one moto, and versus `classify`."),
    Section("webtier", "Web-tier intake", "scripts/bench-webtier",
            "Intake versus the Flask + boto3 reference through one moto; the course endpoint's latency."),
]

BY_NAME = {section.name: section for section in SECTIONS}
