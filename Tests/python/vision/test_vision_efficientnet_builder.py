"""The EfficientNet-Lite0 builder: deterministic bytes, the agreed I/O, and the network it encodes.

The ONNX model is checked against an independent numpy forward pass of the same checkpoint
(BatchNorm unfolded, TF normalisation computed from raw pixels), and against the shipped model
file in models/ when setup has built it.
"""
from __future__ import annotations

import numpy as np
import onnx
import pytest

from vision_testkit import (LABELS, PHOTOS, ROOT, SHARED_PHOTOS, batchnorm, conv2d, linear, load,
                            run_onnx, same_padding)

build = load("build_efficientnet_lite0")
reference = load("classify_reference")
checkpoint = load("modelkit.torch_checkpoint")
BN_EPS = 1e-3


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("lite0") / "first.onnx"
    assert build.main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def weights():
    return checkpoint.load_state_dict(build.default_checkpoint())


def photo_paths():
    folder = PHOTOS if PHOTOS.is_dir() else SHARED_PHOTOS
    if not folder.is_dir():
        pytest.skip("no photos: run scripts/setup (fetch_photos.py) first")
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg"))
    assert paths, folder
    return paths


def test_two_builds_are_byte_identical(built, tmp_path):
    second = tmp_path / "second.onnx"
    assert build.main(["--out", str(second)]) == 0
    assert built.read_bytes() == second.read_bytes()


def test_model_has_the_agreed_interface(built):
    model = onnx.load(str(built))
    onnx.checker.check_model(model, full_check=True)
    assert [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")] == [17]
    (graph_input,) = model.graph.input
    (graph_output,) = model.graph.output
    assert graph_input.name == "input" and graph_output.name == "logits"
    assert graph_input.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    dims = [d.dim_param or d.dim_value for d in graph_input.type.tensor_type.shape.dim]
    assert dims == ["batch", 3, 224, 224]
    assert [d.dim_param or d.dim_value for d in graph_output.type.tensor_type.shape.dim] == ["batch", 1000]
    ops = [n.op_type for n in model.graph.node]
    assert ops[:2] == ["Mul", "Add"], "the ImageNet -> TF normalisation comes first"
    assert ops[-3:] == ["GlobalAveragePool", "Flatten", "Gemm"]
    assert "BatchNormalization" not in ops and ops.count("Clip") == 33  # stem + 31 in blocks + head


def test_shipped_model_equals_a_fresh_build(built):
    shipped = ROOT / "models" / "efficientnet-lite0.onnx"
    if not shipped.exists():
        pytest.skip("models/efficientnet-lite0.onnx not built yet (scripts/setup)")
    assert shipped.read_bytes() == built.read_bytes()


def test_block_list_comes_from_the_tensor_shapes(weights):
    blocks = build.derive_blocks(weights)
    assert len(blocks) == 16
    assert [b.stride for b in blocks if b.stride == 2] == [2, 2, 2, 2]
    assert all(b.kernel in (3, 5) for b in blocks)
    assert sum(b.has_residual for b in blocks) == 9
    truncated = {k: v for k, v in weights.items() if not k.startswith("_blocks.15.")}
    with pytest.raises(build.ArchitectureError, match="stages"):
        build.derive_blocks(truncated)


def numpy_lite0(weights, x_tf: np.ndarray) -> np.ndarray:
    """EfficientNet-Lite0 in float64 numpy from the raw state_dict, input already in TF scale."""
    def conv_bn(x, conv, bn, stride, depthwise=False, relu6=True):
        w = weights[conv + ".weight"]
        k = w.shape[2]
        top, bottom = same_padding(x.shape[2], k, stride)
        left, right = same_padding(x.shape[3], k, stride)
        y = batchnorm(conv2d(x, w, stride, (top, left, bottom, right), depthwise), weights, bn, BN_EPS)
        return np.clip(y, 0.0, 6.0) if relu6 else y

    x = conv_bn(x_tf.astype(np.float64), "_conv_stem", "_bn0", 2)
    index = 0
    while f"_blocks.{index}._depthwise_conv.weight" in weights:
        p = f"_blocks.{index}."
        project = weights[p + "_project_conv.weight"]
        # Strides by the EfficientNet-B0 recipe: blocks 1, 3, 5 and 11 halve the resolution.
        stride = 2 if index in (1, 3, 5, 11) else 1
        y = conv_bn(x, p + "_expand_conv", p + "_bn0", 1) if p + "_expand_conv.weight" in weights else x
        y = conv_bn(y, p + "_depthwise_conv", p + "_bn1", stride, depthwise=True)
        y = conv_bn(y, p + "_project_conv", p + "_bn2", 1, relu6=False)
        x = x + y if stride == 1 and x.shape[1] == project.shape[0] else y
        index += 1
    x = conv_bn(x, "_conv_head", "_bn1", 1)
    return linear(x.mean(axis=(2, 3)), weights, "_fc")


def test_onnx_model_matches_an_independent_numpy_forward_on_real_photos(built, weights):
    paths = photo_paths()[:4]
    pixels = np.stack([reference.resize_and_crop(reference.decode(p)) for p in paths])  # uint8 NHWC
    imagenet_input = np.stack([reference.normalise(p) for p in pixels])
    tf_input = ((pixels.astype(np.float64) - 127.0) / 128.0).transpose(0, 3, 1, 2)
    onnx_logits = run_onnx(built, imagenet_input)
    numpy_logits = numpy_lite0(weights, tf_input)
    scale = np.abs(numpy_logits).max()
    assert np.abs(onnx_logits - numpy_logits).max() <= 2e-5 * scale + 2e-5  # observed ~6e-6
    assert (onnx_logits.argmax(axis=1) == numpy_logits.argmax(axis=1)).all()


def test_batch_dimension_is_dynamic_and_items_are_independent(built):
    paths = photo_paths()[:3]
    batch = np.stack([reference.preprocess(p) for p in paths])
    together = run_onnx(built, batch)
    one_by_one = np.concatenate([run_onnx(built, batch[i:i + 1]) for i in range(len(paths))])
    assert together.shape == (3, 1000)
    np.testing.assert_allclose(together, one_by_one, rtol=1e-5, atol=1e-5)


def test_coffee_photo_is_espresso_with_high_confidence(built):
    # A behavioural property of these weights (any regression in preprocessing or folding breaks it).
    coffee = next((p for p in photo_paths() if "coffee" in p.name), None)
    if coffee is None:
        pytest.skip("coffee photo missing")
    labels = reference.load_labels(LABELS)
    probabilities = reference.softmax(run_onnx(built, reference.preprocess(coffee)[None]))[0]
    assert labels[int(probabilities.argmax())] == "espresso"
    assert probabilities.max() > 0.9


def test_a_checkpoint_that_is_not_efficientnet_fails_cleanly(tmp_path, capsys):
    from vision_testkit import write_state_dict
    other = tmp_path / "other.pth"
    write_state_dict(other, {"conv1.weight": np.zeros((4, 3, 3, 3), np.float32)}, "zip")
    out = tmp_path / "x.onnx"
    assert build.main(["--checkpoint", str(other), "--out", str(out)]) == 1
    assert "not an EfficientNet state_dict" in capsys.readouterr().err
    assert not out.exists()
