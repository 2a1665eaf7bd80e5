"""Resources/imagenet-labels.json: 1,000 unique names, in the package's class order."""
from __future__ import annotations

import json

from vision_testkit import LABELS, load

make_labels = load("make_labels")


def test_labels_file_has_1000_unique_non_empty_names():
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    assert isinstance(labels, list) and len(labels) == 1000
    assert all(isinstance(label, str) and label.strip() == label and label for label in labels)
    assert len(set(labels)) == 1000


def test_committed_file_is_what_the_generator_writes():
    assert make_labels.main(["--out", str(LABELS), "--check"]) == 0


def test_each_label_is_the_first_synonym_of_its_synset_except_the_disambiguated_ones():
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    texts = make_labels.synset_texts()
    for index, (label, text) in enumerate(zip(labels, texts)):
        if index in make_labels.DISAMBIGUATIONS:
            assert label != text.split(",")[0], index
        else:
            assert label == text.split(",")[0].strip(), index
    assert {labels[134], labels[517]} == {"crane (bird)", "crane (machine)"}


def test_generator_refuses_duplicates():
    texts = make_labels.synset_texts()
    texts[1] = texts[0]  # two classes called "tench"
    try:
        make_labels.make_labels(texts)
    except SystemExit as error:
        assert "duplicate label 'tench'" in str(error)
    else:
        raise AssertionError("a duplicate label was accepted")


def test_check_mode_detects_a_stale_file(tmp_path):
    stale = tmp_path / "labels.json"
    stale.write_text(json.dumps(["tench"] * 1000))
    assert make_labels.main(["--out", str(stale), "--check"]) == 1
    assert make_labels.main(["--out", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == LABELS.read_text(encoding="utf-8")
