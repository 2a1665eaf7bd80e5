#!/usr/bin/env python3
"""Writes a tiny real ONNX model for the binding tests: scores[N,3] = features[N,4] @ W + b.

Usage: make_tiny_model.py OUT.onnx. W and b are fixed (see below); the Swift test computes the
expected output itself.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

weights = np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5
bias = np.array([0.25, -1.0, 2.0], dtype=np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["features", "W"], ["product"]),
     helper.make_node("Add", ["product", "b"], ["scores"])],
    "tiny-linear",
    [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 4])],
    [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["batch", 3])],
    [numpy_helper.from_array(weights, "W"), numpy_helper.from_array(bias, "b")],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="vision-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
