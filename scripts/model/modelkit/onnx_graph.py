"""A small builder for deterministic ONNX graphs of conv nets.

Determinism: node, value and initializer names come from the caller's stable layer names (never
ids or counters shared across runs), initializers are kept in creation order, the producer fields
are fixed and no timestamps are written, so building the same weights twice gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8  # the IR version that goes with opset 17; readable by every ORT >= 1.13
PRODUCER_NAME = "ElasticClassifier modelkit"
PRODUCER_VERSION = "1"


class GraphBuilder:
    """Accumulates nodes and float32 initializers; each method returns the name of its output."""

    def __init__(self, name: str):
        self.name = name
        self._nodes: list[onnx.NodeProto] = []
        self._initializers: list[onnx.TensorProto] = []
        self._names: set[str] = set()

    def _claim(self, name: str) -> str:
        if name in self._names:
            raise ValueError(f"duplicate graph name {name!r}")
        self._names.add(name)
        return name

    def constant(self, name: str, array: np.ndarray) -> str:
        array = np.ascontiguousarray(array, dtype=np.float32) if array.dtype.kind == "f" else array
        self._initializers.append(numpy_helper.from_array(array, self._claim(name)))
        return name

    def node(self, op: str, inputs: list[str], name: str, output: str | None = None, **attributes) -> str:
        output = self._claim(output or f"{name}/out")
        self._nodes.append(helper.make_node(op, inputs, [output], name=self._claim(name), **attributes))
        return output

    def conv(self, x: str, name: str, weight: np.ndarray, bias: np.ndarray, *, stride: int,
             pads: tuple[int, int, int, int], group: int = 1) -> str:
        """A 2-D convolution; ``pads`` is ONNX order (top, left, bottom, right)."""
        w = self.constant(f"{name}.weight", weight)
        b = self.constant(f"{name}.bias", bias)
        kernel = list(weight.shape[2:])
        return self.node("Conv", [x, w, b], name, kernel_shape=kernel, strides=[stride, stride],
                         pads=list(pads), group=group, dilations=[1, 1])

    def relu6(self, x: str, name: str) -> str:
        low = self._shared_scalar("const.zero", 0.0)
        high = self._shared_scalar("const.six", 6.0)
        return self.node("Clip", [x, low, high], name)

    def relu(self, x: str, name: str) -> str:
        return self.node("Relu", [x], name)

    def add(self, a: str, b: str, name: str) -> str:
        return self.node("Add", [a, b], name)

    def scale_shift(self, x: str, name: str, scale: np.ndarray, shift: np.ndarray) -> str:
        """Per-channel ``x * scale + shift`` on an NCHW tensor."""
        scaled = self.node("Mul", [x, self.constant(f"{name}.scale", scale.reshape(1, -1, 1, 1))], f"{name}/mul")
        return self.node("Add", [scaled, self.constant(f"{name}.shift", shift.reshape(1, -1, 1, 1))], f"{name}/add")

    def classifier_head(self, x: str, name: str, weight: np.ndarray, bias: np.ndarray, output: str) -> str:
        """GlobalAveragePool -> Flatten -> Gemm with a torch-layout (out, in) weight."""
        pooled = self.node("GlobalAveragePool", [x], f"{name}/pool")
        flat = self.node("Flatten", [pooled], f"{name}/flatten", axis=1)
        w = self.constant(f"{name}.weight", weight)
        b = self.constant(f"{name}.bias", bias)
        return self.node("Gemm", [flat, w, b], f"{name}/gemm", output=output, transB=1)

    def _shared_scalar(self, name: str, value: float) -> str:
        if name not in self._names:
            self.constant(name, np.array(value, dtype=np.float32))
        return name

    def build_classifier(self, input_name: str, output_name: str, *, channels: int, height: int,
                         width: int, classes: int, doc: str, metadata: dict[str, str]) -> onnx.ModelProto:
        """Wraps the nodes in a model with input ``[batch,C,H,W]`` and output ``[batch,classes]``."""
        graph = helper.make_graph(
            self._nodes, self.name,
            [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["batch", channels, height, width])],
            [helper.make_tensor_value_info(output_name, TensorProto.FLOAT, ["batch", classes])],
            initializer=self._initializers, doc_string=doc)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name=PRODUCER_NAME, producer_version=PRODUCER_VERSION,
                                  ir_version=IR_VERSION, doc_string=doc)
        for key in sorted(metadata):
            entry = model.metadata_props.add()
            entry.key, entry.value = key, metadata[key]
        onnx.checker.check_model(model, full_check=True)
        return model


def serialise(model: onnx.ModelProto) -> bytes:
    """Deterministic bytes for ``model`` (protobuf's deterministic mode; ONNX has no map fields anyway)."""
    return model.SerializeToString(deterministic=True)


def write_atomically(data: bytes, out: Path) -> None:
    """Writes to a sibling temp file and renames, so a reader never sees half a model."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.with_name(f".{out.name}.partial")
    temp.write_bytes(data)
    temp.replace(out)
