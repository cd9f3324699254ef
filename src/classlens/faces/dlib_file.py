"""dlib's serialized face ResNet: the network's definition and a reader.

face_recognition_models' `dlib_face_recognition_resnet_model_v1.dat` is a
dlib-serialized network (dlib/dnn/core.h, layers.h, input.h, loss.h,
serialize.h). The network is dlib's `anet_type`
(examples/dnn_face_recognition_ex.cpp), spelled out below exactly as its C++
template. dlib's file does not name the kind of every wrapper (tags and skips
are bare version numbers), so the file is read *against* that definition
(resnet_onnx.py): anything unexpected raises FormatError.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


class FormatError(ValueError):
    """The file is not the network this converter knows."""



@dataclass
class Layer:
    kind: str
    below: Layer | None = None
    args: tuple = ()

    @property
    def sub(self) -> Layer:
        if self.below is None:
            raise FormatError(f"{self.kind} has nothing below it")
        return self.below


def _con(n, k, s, sub):
    return Layer("con", sub, (n, k, s))


def _affine(sub):
    return Layer("affine", sub)


def _relu(sub):
    return Layer("relu", sub)


def _tag(i, sub):
    return Layer("tag", sub, (i,))


def _skip(i, sub):
    return Layer("skip", sub, (i,))


def _add_prev(i, sub):
    return Layer("add_prev", sub, (i,))


def _avg_pool(k, s, sub):
    return Layer("avg_pool", sub, (k, s))


def _max_pool(k, s, sub):
    return Layer("max_pool", sub, (k, s))


def _block(n, stride, sub):
    # block = BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>, BN = affine
    return _affine(_con(n, 3, 1, _relu(_affine(_con(n, 3, stride, sub)))))


def _ares(n, sub):
    # relu<add_prev1<block<N,affine,1,tag1<SUBNET>>>>
    return _relu(_add_prev(1, _block(n, 1, _tag(1, sub))))


def _ares_down(n, sub):
    # relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUBNET>>>>>>>
    return _relu(_add_prev(2, _avg_pool(2, 2, _skip(1, _tag(2, _block(n, 2, _tag(1, sub)))))))


def anet_type() -> Layer:
    """dlib's face recognition network, outermost layer first (the loss)."""
    net = _con(32, 7, 2, Layer("input"))
    net = _max_pool(3, 2, _relu(_affine(net)))
    for _ in range(3):                      # alevel4
        net = _ares(32, net)
    net = _ares_down(64, net)                 # alevel3
    for _ in range(3):
        net = _ares(64, net)
    net = _ares_down(128, net)                # alevel2
    for _ in range(2):
        net = _ares(128, net)
    net = _ares_down(256, net)                # alevel1
    for _ in range(2):
        net = _ares(256, net)
    net = _ares_down(256, net)                # alevel0
    return Layer("loss_metric", Layer("fc", Layer("avg_pool_everything", net), (128,)))



class Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = memoryview(data), 0

    def _byte(self) -> int:
        if self.pos >= len(self.data):
            raise FormatError("unexpected end of file")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def integer(self) -> int:
        """dlib's integers: a control byte (size, 0x80 = negative), then the
        value's bytes, least significant first."""
        control = self._byte()
        size = control & 0x0F
        if size == 0 or size > 8 or control & 0x70:
            raise FormatError(f"bad integer at byte {self.pos - 1}")
        value = int.from_bytes(self.data[self.pos:self.pos + size], "little")
        self.pos += size
        return -value if control & 0x80 else value

    def boolean(self) -> bool:
        value = self._byte()
        if value not in (ord("0"), ord("1")):
            raise FormatError(f"bad bool at byte {self.pos - 1}")
        return value == ord("1")

    def string(self) -> str:
        size = self.integer()
        value = bytes(self.data[self.pos:self.pos + size])
        self.pos += size
        return value.decode("latin-1")

    def real(self) -> float:
        """float_details: a 64-bit mantissa and a 16-bit exponent."""
        if self.data[self.pos] & 0x70:
            raise FormatError("old ASCII floating point format")
        mantissa, exponent = self.integer(), self.integer()
        if exponent >= 32000:
            return (math.inf, -math.inf, math.nan)[exponent - 32000]
        return math.ldexp(mantissa, exponent)

    def version(self, *allowed: int) -> int:
        value = self.integer()
        if value not in allowed:
            raise FormatError(f"unexpected version {value}, expected {allowed}")
        return value

    def name(self, *allowed: str) -> str:
        value = self.string()
        if value not in allowed:
            raise FormatError(f"unexpected {value!r}, expected {allowed}")
        return value

    def dims(self) -> tuple[int, int, int, int]:
        return (self.integer(), self.integer(), self.integer(), self.integer())

    def tensor(self) -> np.ndarray:
        self.version(2)
        dims = self.dims()
        count = math.prod(dims)
        end = self.pos + 4 * count
        if end > len(self.data):
            raise FormatError("tensor past the end of the file")
        values = np.frombuffer(self.data[self.pos:end], dtype="<f4").astype(np.float32)
        self.pos = end
        return values.reshape(dims)

    def alias(self) -> tuple[int, int, int, int]:
        self.version(1)
        return self.dims()


def check(condition: bool, message: str) -> None:
    if not condition:
        raise FormatError(message)
