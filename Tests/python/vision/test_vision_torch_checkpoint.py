"""The restricted torch checkpoint reader: round trips both formats and refuses hostile pickles."""
from __future__ import annotations

import os
import pickle
import zipfile

import numpy as np
import pytest

from vision_testkit import load, write_state_dict

checkpoint = load("modelkit.torch_checkpoint")


def sample_tensors() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    return {
        "conv.weight": rng.standard_normal((4, 3, 3, 3)).astype(np.float32),
        "fc.weight": rng.standard_normal((5, 7)).astype(np.float32),
        "bn.running_var": rng.random(4).astype(np.float64),
        "bn.num_batches_tracked": np.array(12345678901, dtype=np.int64),
        "half": rng.standard_normal(6).astype(np.float16),
    }


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_round_trip_gives_the_same_arrays_in_order(tmp_path, fmt):
    tensors = sample_tensors()
    path = tmp_path / f"weights.{fmt}.pth"
    write_state_dict(path, tensors, fmt, transposed={"fc.weight"})
    loaded = checkpoint.load_state_dict(path)
    assert list(loaded) == list(tensors)
    for name, array in tensors.items():
        assert loaded[name].dtype == array.dtype, name
        assert loaded[name].shape == array.shape, name
        np.testing.assert_array_equal(loaded[name], array, err_msg=name)


def test_reads_the_real_efficientnet_checkpoint():
    build = load("build_efficientnet_lite0")
    weights = checkpoint.load_state_dict(build.default_checkpoint())
    assert weights["_conv_stem.weight"].shape == (32, 3, 3, 3)
    assert weights["_fc.weight"].shape == (1000, 1280)
    assert all(np.isfinite(w).all() for w in weights.values())


class _RunsShell:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _legacy_file_with(payload: bytes) -> bytes:
    header = pickle.dumps(checkpoint.LEGACY_MAGIC_NUMBER, protocol=2) + pickle.dumps(1001, protocol=2)
    return header + pickle.dumps({"little_endian": True}, protocol=2) + payload


@pytest.mark.parametrize("fmt", ["legacy", "zip"])
def test_hostile_pickle_calling_os_system_is_refused_and_nothing_runs(tmp_path, fmt):
    marker = tmp_path / "pwned"
    payload = pickle.dumps({"weight": _RunsShell(marker)}, protocol=2)
    path = tmp_path / "evil.pth"
    if fmt == "legacy":
        path.write_bytes(_legacy_file_with(payload))
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("evil/data.pkl", payload)
    with pytest.raises(checkpoint.UnsafeCheckpointError, match=r"system"):
        checkpoint.load_state_dict(path)
    assert not marker.exists()


def test_hostile_magic_number_pickle_is_refused_before_anything_else(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pth"
    path.write_bytes(pickle.dumps(_RunsShell(marker), protocol=2))
    with pytest.raises(checkpoint.UnsafeCheckpointError):
        checkpoint.load_state_dict(path)
    assert not marker.exists()


def test_builtins_eval_is_refused(tmp_path):
    payload = b"\x80\x02cbuiltins\neval\nX\x06\x00\x00\x001+1==2\x85R."
    path = tmp_path / "eval.pth"
    path.write_bytes(_legacy_file_with(payload))
    with pytest.raises(checkpoint.UnsafeCheckpointError, match=r"builtins\.eval"):
        checkpoint.load_state_dict(path)


@pytest.mark.parametrize("cut", [10, 200, -1])
def test_truncated_legacy_file_is_a_clear_error(tmp_path, cut):
    good = tmp_path / "good.pth"
    write_state_dict(good, sample_tensors(), "legacy")
    data = good.read_bytes()
    bad = tmp_path / "bad.pth"
    bad.write_bytes(data[:cut])
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.load_state_dict(bad)


def test_zip_with_a_missing_storage_is_a_clear_error(tmp_path):
    good = tmp_path / "good.pth"
    write_state_dict(good, sample_tensors(), "zip")
    bad = tmp_path / "bad.pth"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            if not item.filename.endswith("/data/1"):
                dst.writestr(item, src.read(item))
    with pytest.raises(checkpoint.CheckpointError, match=r"data/1 missing"):
        checkpoint.load_state_dict(bad)


def test_tensor_overrunning_its_storage_is_refused(tmp_path):
    # A zip whose storage is shorter than the tensor it backs claims: refuse instead of reading past it.
    good = tmp_path / "good.pth"
    write_state_dict(good, {"w": np.ones((4, 4), np.float32)}, "zip")
    bad = tmp_path / "bad.pth"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[:-4] if item.filename.endswith("/data/0") else data)
    with pytest.raises(checkpoint.CheckpointError, match=r"bytes, expected"):
        checkpoint.load_state_dict(bad)


def test_not_a_checkpoint_is_a_clear_error(tmp_path):
    path = tmp_path / "photo.pth"
    path.write_bytes(b"\xff\xd8\xff\xe0 definitely a JPEG")
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.load_state_dict(path)


def test_tensor_claiming_more_elements_than_its_storage_is_refused(tmp_path):
    # A hand-made pickle: a 1000x1000 tensor with zero strides over a 1-element storage.
    from vision_testkit import PickleOpcodes
    op = PickleOpcodes()
    op.global_("collections", "OrderedDict")
    op.raw(b")R(")
    op.text("huge")
    op.global_("torch._utils", "_rebuild_tensor_v2")
    op.raw(b"((")
    op.text("storage")
    op.global_("torch", "FloatStorage")
    op.text("0")
    op.text("cpu")
    op.int(1)
    op.raw(b"tQ")
    op.int(0)
    op.tuple_of_ints((1000, 1000))
    op.tuple_of_ints((0, 0))
    op.raw(b"\x89")
    op.global_("collections", "OrderedDict")
    op.raw(b")RtRu")
    path = tmp_path / "huge.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("huge/data.pkl", op.stop())
        archive.writestr("huge/data/0", np.zeros(1, np.float32).tobytes())
    with pytest.raises(checkpoint.CheckpointError, match="more elements than its storage"):
        checkpoint.load_state_dict(path)
