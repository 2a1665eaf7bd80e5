"""Reads a PyTorch state_dict file into numpy arrays without torch and without running code.

Both on-disk formats are handled:

* legacy (torch < 1.6): a stream of pickles -- magic number, protocol version, sys info, the
  object, then the list of storage keys -- followed by each storage as an int64 element count and
  its raw little-endian bytes, in key-list order;
* zip (torch >= 1.6): ``<prefix>/data.pkl`` with storages in ``<prefix>/data/<key>``.

The pickle is read by a restricted unpickler: ``find_class`` resolves only the few names a
state_dict needs (OrderedDict, the typed storage classes, ``torch._utils._rebuild_tensor_v2``) and
maps them to our own inert stand-ins; anything else (``os.system``, ``builtins.eval``...) raises
``UnsafeCheckpointError`` before it can be called. Never use an unrestricted unpickler on a
downloaded file.
"""
from __future__ import annotations

import collections
import io
import pickle
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL_VERSION = 1001

# torch storage class name -> numpy dtype of one element (little-endian on disk).
STORAGE_DTYPES: dict[str, np.dtype] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "BFloat16Storage": np.dtype("<u2"),  # widened to float32 after loading
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}


class CheckpointError(ValueError):
    """The file is not a state_dict this reader understands (truncated, wrong format...)."""


class UnsafeCheckpointError(CheckpointError):
    """The pickle asked for a global outside the allow-list; nothing from it was executed."""


@dataclass(frozen=True)
class _StorageType:
    name: str


@dataclass
class _Storage:
    key: str
    type_name: str
    numel: int
    data: np.ndarray | None = None

    @property
    def dtype(self) -> np.dtype:
        return STORAGE_DTYPES[self.type_name]


@dataclass(frozen=True)
class _StorageView:
    """A legacy storage view: a window onto a root storage, starting at ``offset`` elements."""

    root: _Storage
    offset: int


@dataclass
class _PendingTensor:
    """A tensor whose storage bytes may not have been read yet (legacy files store them last)."""

    storage: _Storage | _StorageView
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]

    def materialise(self, name: str) -> np.ndarray:
        root, start = (self.storage.root, self.storage.offset) if isinstance(self.storage, _StorageView) \
            else (self.storage, 0)
        if root.data is None:
            raise CheckpointError(f"tensor {name!r}: storage {root.key} has no data")
        base = root.data[start:]
        if self.offset < 0 or min(self.stride, default=0) < 0:
            raise CheckpointError(f"tensor {name!r}: negative offset or stride")
        if int(np.prod(self.size, dtype=np.int64)) > base.size:
            # torch.save never writes an expanded (stride-0) tensor larger than its storage; a file
            # claiming one could make us allocate without bound.
            raise CheckpointError(f"tensor {name!r}: {self.size} has more elements than its storage of {base.size}")
        if min(self.size, default=1) > 0:
            last = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride))
            if last >= base.size:
                raise CheckpointError(f"tensor {name!r}: shape {self.size}, stride {self.stride} at "
                                      f"offset {self.offset} overruns its storage of {base.size}")
        itemsize = base.dtype.itemsize
        view = np.lib.stride_tricks.as_strided(
            base[self.offset:], shape=self.size, strides=tuple(s * itemsize for s in self.stride),
            writeable=False)
        array = np.array(view, copy=True)  # contiguous and owning its memory
        if root.type_name == "BFloat16Storage":
            array = (array.astype(np.uint32) << 16).view(np.float32)
        return array


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    if not isinstance(storage, (_Storage, _StorageView)):
        raise CheckpointError("_rebuild_tensor_v2 called without a storage")
    if not all(isinstance(v, int) for v in (storage_offset, *size, *stride)) or len(size) != len(stride):
        raise CheckpointError(f"malformed tensor header: size {size!r}, stride {stride!r}")
    return _PendingTensor(storage, storage_offset, tuple(size), tuple(stride))


class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only allow-listed globals, each to an inert stand-in."""

    def __init__(self, file, storages: dict[str, _Storage], legacy: bool):
        super().__init__(file, encoding="utf-8")
        self._storages = storages
        self._legacy = legacy

    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise UnsafeCheckpointError(
            f"checkpoint pickle refers to {module}.{name}, which is not allowed in a state_dict "
            "(only OrderedDict, typed storages and torch._utils._rebuild_tensor_v2 are)")

    def persistent_load(self, saved_id):
        if not isinstance(saved_id, tuple) or not saved_id or saved_id[0] != "storage":
            raise CheckpointError(f"unsupported persistent id {saved_id!r:.80}")
        if self._legacy:
            if len(saved_id) != 6:
                raise CheckpointError(f"malformed legacy storage id {saved_id!r:.80}")
            _, storage_type, key, _location, numel, view_metadata = saved_id
        else:
            if len(saved_id) != 5:
                raise CheckpointError(f"malformed storage id {saved_id!r:.80}")
            _, storage_type, key, _location, numel = saved_id
            view_metadata = None
        if not isinstance(storage_type, _StorageType) or not isinstance(key, str) \
                or not isinstance(numel, int) or numel < 0:
            raise CheckpointError(f"malformed storage id {saved_id!r:.80}")
        root = self._storages.setdefault(key, _Storage(key, storage_type.name, numel))
        if view_metadata is None:
            return root
        _view_key, offset, _view_size = view_metadata
        return _StorageView(root, offset)


def _tensors_from(obj, what: str) -> dict[str, np.ndarray]:
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]  # training checkpoints wrap the state_dict
    if not isinstance(obj, dict):
        raise CheckpointError(f"{what}: expected a state_dict (a dict of tensors), got {type(obj).__name__}")
    tensors = {}
    for name, value in obj.items():
        if not isinstance(name, str) or not isinstance(value, _PendingTensor):
            raise CheckpointError(f"{what}: entry {name!r} is not a tensor")
        tensors[name] = value.materialise(name)
    return tensors


def _load_legacy(raw: bytes, what: str) -> dict[str, np.ndarray]:
    stream = io.BytesIO(raw)

    def plain_load():
        # The header pickles hold only ints and dicts; the restricted unpickler refuses anything else.
        return _RestrictedUnpickler(stream, {}, legacy=True).load()

    if plain_load() != LEGACY_MAGIC_NUMBER:
        raise CheckpointError(f"{what}: not a legacy torch file (bad magic number)")
    if plain_load() != LEGACY_PROTOCOL_VERSION:
        raise CheckpointError(f"{what}: unsupported legacy protocol version")
    sys_info = plain_load()
    if isinstance(sys_info, dict) and sys_info.get("little_endian") is False:
        raise CheckpointError(f"{what}: big-endian checkpoints are not supported")
    storages: dict[str, _Storage] = {}
    obj = _RestrictedUnpickler(stream, storages, legacy=True).load()
    keys = plain_load()
    if not isinstance(keys, list) or set(keys) != set(storages):
        raise CheckpointError(f"{what}: storage key list does not match the tensors")
    for key in keys:
        storage = storages[key]
        header = stream.read(8)
        if len(header) != 8:
            raise CheckpointError(f"{what}: truncated before storage {key}")
        (numel,) = struct.unpack("<q", header)
        nbytes = numel * storage.dtype.itemsize
        if numel != storage.numel or stream.tell() + nbytes > len(raw):
            raise CheckpointError(f"{what}: storage {key} truncated or of unexpected size")
        storage.data = np.frombuffer(raw, dtype=storage.dtype, count=numel, offset=stream.tell())
        stream.seek(nbytes, io.SEEK_CUR)
    return _tensors_from(obj, what)


def _load_zip(path: Path, what: str) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        pickles = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pickles) != 1:
            raise CheckpointError(f"{what}: zip checkpoint without exactly one <prefix>/data.pkl")
        prefix = pickles[0][: -len("data.pkl")]
        if f"{prefix}byteorder" in names and archive.read(f"{prefix}byteorder").strip() != b"little":
            raise CheckpointError(f"{what}: big-endian checkpoints are not supported")
        storages: dict[str, _Storage] = {}
        obj = _RestrictedUnpickler(io.BytesIO(archive.read(pickles[0])), storages, legacy=False).load()
        for key, storage in storages.items():
            member = f"{prefix}data/{key}"
            if member not in names:
                raise CheckpointError(f"{what}: storage {member} missing from the archive")
            expected = storage.numel * storage.dtype.itemsize
            size = archive.getinfo(member).file_size  # checked before reading: no zip bombs
            if size != expected or len(raw := archive.read(member)) != expected:
                raise CheckpointError(f"{what}: storage {member} has {size} bytes, "
                                      f"expected {storage.numel} x {storage.dtype.itemsize}")
            storage.data = np.frombuffer(raw, dtype=storage.dtype)
    return _tensors_from(obj, what)


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Returns the state_dict at ``path`` as name -> numpy array, in the file's order."""
    path = Path(path)
    what = str(path)
    try:
        if zipfile.is_zipfile(path):
            return _load_zip(path, what)
        return _load_legacy(path.read_bytes(), what)
    except CheckpointError:
        raise
    except (pickle.UnpicklingError, EOFError, struct.error, zipfile.BadZipFile,
            TypeError, ValueError, AttributeError, IndexError, KeyError) as error:
        raise CheckpointError(f"{what}: unreadable checkpoint ({type(error).__name__}: {error})") from error
