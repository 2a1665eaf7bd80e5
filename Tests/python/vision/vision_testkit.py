"""Helpers for the vision pytest files: paths, a torch-free state_dict writer, numpy reference ops.

The writer produces the two PyPI-torch formats byte-for-byte in structure (legacy stream of
pickles + raw storages; zip with archive/data.pkl + archive/data/<key>), emitting the pickle
opcodes by hand so that no torch (and no trick with fake modules) is needed.

The numpy ops are deliberately naive (float64, BatchNorm not folded, padding by np.pad, windows
by sliding_window_view) so they are independent of the ONNX builders they check.
"""
from __future__ import annotations

import importlib
import io
import math
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS_MODEL = ROOT / "scripts" / "model"
REFERENCE_DIR = ROOT / "Benchmarks" / "reference"
PYTHON = ROOT / ".venv" / "bin" / "python"
LABELS = ROOT / "Resources" / "imagenet-labels.json"
PHOTOS = ROOT / "testdata" / "photos"
SHARED_PHOTOS = ROOT.parent / "shared" / "photos"

for path in (SCRIPTS_MODEL, REFERENCE_DIR):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def load(module: str):
    """Imports a module from scripts/model or Benchmarks/reference."""
    return importlib.import_module(module)


# ---------------------------------------------------------------------------------------------
# A minimal torch-compatible state_dict writer (pickle protocol 2 opcodes, written by hand)

_STORAGE_NAMES = {np.dtype("float32"): "FloatStorage", np.dtype("int64"): "LongStorage",
                  np.dtype("float64"): "DoubleStorage", np.dtype("float16"): "HalfStorage"}
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class PickleOpcodes:
    """Emits pickle protocol-2 opcodes one by one, for files no Python object would pickle to."""

    def __init__(self):
        self.out = io.BytesIO()
        self.out.write(b"\x80\x02")  # PROTO 2

    def raw(self, data: bytes):
        self.out.write(data)

    def text(self, value: str):
        data = value.encode("utf-8")
        self.raw(b"X" + struct.pack("<I", len(data)) + data)  # BINUNICODE

    def int(self, value: int):
        if 0 <= value < 2**31:
            self.raw(b"J" + struct.pack("<i", value))  # BININT
        else:
            data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
            self.raw(b"\x8a" + bytes([len(data)]) + data)  # LONG1

    def global_(self, module: str, name: str):
        self.raw(b"c" + module.encode() + b"\n" + name.encode() + b"\n")

    def tuple_of_ints(self, values):
        self.raw(b"(")
        for v in values:
            self.int(v)
        self.raw(b"t")

    def stop(self) -> bytes:
        self.raw(b".")
        return self.out.getvalue()


def _plain_pickle(value) -> bytes:
    import pickle
    return pickle.dumps(value, protocol=2)


def _state_dict_pickle(tensors: dict[str, np.ndarray], legacy: bool, transposed: set[str]) -> bytes:
    op = PickleOpcodes()
    op.global_("collections", "OrderedDict")
    op.raw(b")R")  # EMPTY_TUPLE, REDUCE -> OrderedDict()
    op.raw(b"(")  # MARK for SETITEMS
    for key, (name, array) in enumerate(tensors.items()):
        op.text(name)
        op.global_("torch._utils", "_rebuild_tensor_v2")
        op.raw(b"(")  # args tuple
        op.raw(b"(")  # persistent id tuple
        op.text("storage")
        op.global_("torch", _STORAGE_NAMES[array.dtype])
        op.text(str(key))
        op.text("cpu")
        op.int(array.size)
        if legacy:
            op.raw(b"N")  # view_metadata None
        op.raw(b"tQ")  # TUPLE, BINPERSID
        op.int(0)  # storage offset
        shape = array.shape
        if name in transposed:  # stored as the transpose's memory, described by swapped strides
            strides = (1, shape[0])
        else:
            strides = tuple(int(np.prod(shape[i + 1:])) for i in range(len(shape)))
        op.tuple_of_ints(shape)
        op.tuple_of_ints(strides)
        op.raw(b"\x89")  # NEWFALSE requires_grad
        op.global_("collections", "OrderedDict")
        op.raw(b")R")  # backward hooks
        op.raw(b"tR")  # TUPLE, REDUCE
    op.raw(b"u")  # SETITEMS
    return op.stop()


def _storage_bytes(array: np.ndarray, transposed: bool) -> bytes:
    data = array.T if transposed else array
    return np.ascontiguousarray(data).astype(data.dtype.newbyteorder("<")).tobytes()


def write_state_dict(path: Path, tensors: dict[str, np.ndarray], fmt: str, transposed: set[str] = frozenset()) -> None:
    """Writes ``tensors`` as a torch state_dict file: ``fmt`` is "legacy" or "zip".

    Names in ``transposed`` (2-D tensors) are stored column-major, exercising non-trivial strides.
    """
    if fmt == "legacy":
        out = io.BytesIO()
        out.write(_plain_pickle(LEGACY_MAGIC))
        out.write(_plain_pickle(1001))
        out.write(_plain_pickle({"protocol_version": 1001, "little_endian": True,
                                 "type_sizes": {"short": 2, "int": 4, "long": 8}}))
        out.write(_state_dict_pickle(tensors, legacy=True, transposed=transposed))
        out.write(_plain_pickle([str(i) for i in range(len(tensors))]))
        for name, array in tensors.items():
            out.write(struct.pack("<q", array.size))
            out.write(_storage_bytes(array, name in transposed))
        path.write_bytes(out.getvalue())
    elif fmt == "zip":
        prefix = path.stem
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(f"{prefix}/data.pkl", _state_dict_pickle(tensors, legacy=False, transposed=transposed))
            archive.writestr(f"{prefix}/byteorder", "little")
            for key, (name, array) in enumerate(tensors.items()):
                archive.writestr(f"{prefix}/data/{key}", _storage_bytes(array, name in transposed))
            archive.writestr(f"{prefix}/version", "3\n")
    else:
        raise ValueError(fmt)


# ---------------------------------------------------------------------------------------------
# Independent numpy reference ops (float64, NCHW)

def pad(x: np.ndarray, top: int, left: int, bottom: int, right: int, value: float = 0.0) -> np.ndarray:
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=value)


def _windows(x: np.ndarray, k: int, stride: int) -> np.ndarray:
    """(N,C,H,W) -> (N,C,H',W',k,k) view of every kxk window at ``stride``."""
    return np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]


def conv2d(x: np.ndarray, weight: np.ndarray, stride: int, pads: tuple[int, int, int, int], depthwise=False):
    """Direct convolution by im2col (dense) or per-channel windows (depthwise); pads (t, l, b, r)."""
    k = weight.shape[2]
    windows = _windows(pad(x, *pads), k, stride)
    if depthwise:
        return np.einsum("nchwij,cij->nchw", windows, weight[:, 0].astype(np.float64))
    n, c, h, w = windows.shape[:4]
    columns = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * k * k)  # im2col
    out = columns @ weight.reshape(weight.shape[0], -1).astype(np.float64).T
    return out.reshape(n, h, w, -1).transpose(0, 3, 1, 2)


def batchnorm(x, weights: dict, prefix: str, eps: float):
    g, b, m, v = (weights[f"{prefix}.{p}"].astype(np.float64).reshape(1, -1, 1, 1)
                  for p in ("weight", "bias", "running_mean", "running_var"))
    return (x - m) / np.sqrt(v + eps) * g + b


def maxpool3x3s2(x):
    return _windows(pad(x, 1, 1, 1, 1, value=-np.inf), 3, 2).max(axis=(4, 5))


def linear(x, weights: dict, prefix: str):
    return x @ weights[prefix + ".weight"].astype(np.float64).T + weights[prefix + ".bias"]


def same_padding(size: int, k: int, stride: int) -> tuple[int, int]:
    """TF SAME, from its definition: output ceil(size/stride); the odd padding pixel goes after."""
    needed = (math.ceil(size / stride) - 1) * stride + k
    total = max(needed - size, 0)
    return total // 2, total - total // 2


def run_onnx(model_path: Path, batch: np.ndarray, threads: int = 1) -> np.ndarray:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    return session.run(["logits"], {"input": batch.astype(np.float32)})[0]
