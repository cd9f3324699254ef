"""dlib's face ResNet as an ONNX graph, built from the installed weights.

face_recognition_models' `dlib_face_recognition_resnet_model_v1.dat` is a
dlib-serialized network (dlib/dnn/core.h, layers.h, input.h, loss.h,
serialize.h). This module reads that file and writes the same network as an
ONNX model, so that onnxruntime (already used for detection) computes the
128 numbers instead of dlib-bin, which has no BLAS: one face cost 85-100 ms.

The network is dlib's `anet_type` (examples/dnn_face_recognition_ex.cpp),
spelled out below exactly as its C++ template. dlib's file does not name the
kind of every wrapper (tags and skips are bare version numbers), so the file
is read *against* that definition: every layer's version string, size,
stride and padding is checked, and anything unexpected raises
`FormatError` - the caller then keeps dlib's own network.

Nothing here changes the face chip: dlib still finds the five landmarks and
cuts the 150x150 chip; only the ResNet moves. The graph takes the chips as
dlib gives them (N x 150 x 150 x 3, uint8 RGB) and applies dlib's input
normalisation, (pixel - mean) / 256, itself.

The ONNX file is written with a small protobuf writer (below) so that the
`onnx` package is not needed at run time; onnxruntime checks the model when it
loads it, and `encode.py` checks its output against dlib's.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

import numpy as np

CHIP_PX = 150
# Bump when the graph this module writes changes (cached models are rebuilt).
CONVERTER_VERSION = 1


class FormatError(ValueError):
    """The file is not the network this converter knows."""


# ---------------------------------------------------------------- the network

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


# ------------------------------------------------------ dlib's serialization

class _Reader:
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


# ------------------------------------------------------------------ the graph

@dataclass
class _Graph:
    nodes: list[bytes] = field(default_factory=list)
    initializers: list[bytes] = field(default_factory=list)
    count: int = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, stem: str, array: np.ndarray) -> str:
        name = self.name(stem)
        self.initializers.append(_tensor(name, array))
        return name

    def op(self, op_type: str, inputs: list[str], **attributes) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(_node(op_type, inputs, [out], out, attributes))
        return out


@dataclass
class _Value:
    name: str
    shape: tuple[int, ...]  # channels, rows, columns


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise FormatError(message)


def _pooled(size: int, k: int, stride: int, pad: int) -> int:
    return 1 + (size + 2 * pad - k) // stride


class _Converter:
    def __init__(self, data: bytes):
        self.read = _Reader(data)
        self.graph = _Graph()
        self.tags: dict[int, _Value] = {}

    def network(self) -> None:
        net = anet_type()
        self.read.version(1)                       # add_loss_layer
        loss = self.read.name("loss_metric_", "loss_metric_2")
        if loss == "loss_metric_2":
            self.read.real(), self.read.real()  # margin, distance threshold
        out = self.layer(net.sub)
        if self.read.pos != len(self.read.data):
            raise FormatError("bytes left after the network")
        self.output = out

    def layer(self, layer: Layer) -> _Value:
        read = self.read
        if layer.kind in ("tag", "skip"):
            read.version(1)
            below = self.layer(layer.sub)
            (i,) = layer.args
            if layer.kind == "tag":
                self.tags[i] = below
                return below
            _check(i in self.tags, f"skip{i} without tag{i}")
            return self.tags[i]
        if layer.sub.kind == "input":
            version = read.version(2, 3)
            below = self.input()
        else:
            version = read.version(1, 2)
            below = self.layer(layer.sub)
        out = self.details(layer, below)
        for _ in range(3):  # setup called, gradient stale, output and gradient disabled
            read.boolean()
        read.tensor(), read.tensor()  # x_grad, cached_output
        if layer.sub.kind == "input":
            read.tensor()  # grad_final
            if version == 3:
                read.integer()  # sample expansion factor
        elif version == 2:
            read.tensor()  # params_grad
        return out

    def input(self) -> _Value:
        read, graph = self.read, self.graph
        read.name("input_rgb_image_sized")
        means = np.array([read.real(), read.real(), read.real()], dtype=np.float32)
        _check(read.integer() == CHIP_PX and read.integer() == CHIP_PX, "not a 150x150 input")
        pixels = graph.op("Cast", ["chips"], to=_FLOAT)
        planes = graph.op("Transpose", [pixels], perm=[0, 3, 1, 2])
        centred = graph.op("Sub", [planes, graph.const("means", means.reshape(1, 3, 1, 1))])
        scaled = graph.op("Mul", [centred, graph.const("scale", np.full((1, 1, 1, 1), 1 / 256,
                                                                          np.float32))])
        return _Value(scaled, (3, CHIP_PX, CHIP_PX))

    def details(self, layer: Layer, below: _Value) -> _Value:
        return getattr(self, "_" + layer.kind)(layer, below)

    def _con(self, layer: Layer, below: _Value) -> _Value:
        read, graph = self.read, self.graph
        version = read.name("con_4", "con_5", "con_6")
        params = read.tensor().reshape(-1)
        filters = read.integer()
        nr, nc, stride_y, stride_x = read.integer(), read.integer(), read.integer(), read.integer()
        pad_y, pad_x = read.integer(), read.integer()
        shape, bias = read.alias(), read.alias()
        for _ in range(4):  # learning rate and weight decay multipliers
            read.real()
        use_bias = read.boolean() if version in ("con_5", "con_6") else True
        use_relu = read.boolean() if version == "con_6" else False
        n, k, s = layer.args
        default_pad = 0 if s != 1 else k // 2
        _check((filters, nr, nc, stride_y, stride_x, pad_y, pad_x)
               == (n, k, k, s, s, default_pad, default_pad), f"unexpected con_ {filters}x{nr}x{nc}")
        _check(shape == (n, below.shape[0], k, k), f"unexpected filters {shape}")
        size = math.prod(shape)
        inputs = [below.name, graph.const("w", params[:size].reshape(shape))]
        if use_bias:
            _check(math.prod(bias) == n and params.size == size + n, "unexpected con_ bias")
            inputs.append(graph.const("b", params[size:size + n]))
        else:
            _check(params.size == size, "unexpected con_ parameters")
        out = graph.op("Conv", inputs, kernel_shape=[k, k], strides=[s, s],
                       pads=[default_pad] * 4)
        if use_relu:
            out = graph.op("Relu", [out])
        rows = _pooled(below.shape[1], k, s, default_pad)
        cols = _pooled(below.shape[2], k, s, default_pad)
        return _Value(out, (n, rows, cols))

    def _affine(self, layer: Layer, below: _Value) -> _Value:
        read, graph = self.read, self.graph
        version = read.name("affine_", "affine_2")
        params = read.tensor().reshape(-1)
        gamma, beta = read.alias(), read.alias()
        mode = read.integer()
        disabled = read.boolean() if version == "affine_2" else False
        channels = below.shape[0]
        _check(mode == 0 and gamma == beta == (1, channels, 1, 1)
               and params.size == 2 * channels, "unexpected affine_")
        if disabled:
            return below
        gamma, beta = params.reshape(2, 1, channels, 1, 1)
        out = graph.op("Mul", [below.name, graph.const("gamma", gamma)])
        out = graph.op("Add", [out, graph.const("beta", beta)])
        return _Value(out, below.shape)

    def _relu(self, layer: Layer, below: _Value) -> _Value:
        version = self.read.name("relu_", "relu_2")
        if version == "relu_2" and self.read.boolean():
            return below
        return _Value(self.graph.op("Relu", [below.name]), below.shape)

    def _pool(self, op: str, layer: Layer, below: _Value) -> _Value:
        read = self.read
        read.name(op + "2")
        nr, nc, stride_y, stride_x, pad_y, pad_x = (read.integer() for _ in range(6))
        k, s = layer.args
        _check((nr, nc, stride_y, stride_x, pad_y, pad_x) == (k, k, s, s, 0, 0),
               f"unexpected {op}")
        out = self.graph.op("AveragePool" if op == "avg_pool_" else "MaxPool", [below.name],
                            kernel_shape=[k, k], strides=[s, s], pads=[0, 0, 0, 0])
        rows, cols = _pooled(below.shape[1], k, s, 0), _pooled(below.shape[2], k, s, 0)
        return _Value(out, (below.shape[0], rows, cols))

    def _max_pool(self, layer: Layer, below: _Value) -> _Value:
        return self._pool("max_pool_", layer, below)

    def _avg_pool(self, layer: Layer, below: _Value) -> _Value:
        return self._pool("avg_pool_", layer, below)

    def _avg_pool_everything(self, layer: Layer, below: _Value) -> _Value:
        read = self.read
        read.name("avg_pool_2")
        _check(tuple(read.integer() for _ in range(6)) == (0, 0, 1, 1, 0, 0),
               "unexpected avg_pool_everything")
        return _Value(self.graph.op("GlobalAveragePool", [below.name]), (below.shape[0], 1, 1))

    def _add_prev(self, layer: Layer, below: _Value) -> _Value:
        """dlib adds tensors of different sizes as if the smaller one were
        padded with zeros after its last channel, row and column."""
        self.read.name("add_prev_")
        (i,) = layer.args
        _check(i in self.tags, f"add_prev{i} without tag{i}")
        other = self.tags[i]
        shape = tuple(max(a, b) for a, b in zip(below.shape, other.shape, strict=True))
        names = [self._padded(value, shape) for value in (below, other)]
        return _Value(self.graph.op("Add", names), shape)

    def _padded(self, value: _Value, shape: tuple[int, ...]) -> str:
        if value.shape == shape:
            return value.name
        after = [0] + [b - a for a, b in zip(value.shape, shape, strict=True)]
        pads = np.array([0, 0, 0, 0, *after], dtype=np.int64)
        return self.graph.op("Pad", [value.name, self.graph.const("pads", pads)],
                             mode=b"constant")

    def _fc(self, layer: Layer, below: _Value) -> _Value:
        read, graph = self.read, self.graph
        version = read.name("fc_2", "fc_3")
        outputs, inputs = read.integer(), read.integer()
        params = read.tensor().reshape(-1)
        weights, _biases = read.alias(), read.alias()
        bias_mode = read.integer()
        for _ in range(4):
            read.real()
        if version == "fc_3":
            read.boolean()
        (n,) = layer.args
        _check(outputs == n and inputs == math.prod(below.shape) and bias_mode == 1
               and weights[:2] == (inputs, n) and params.size == inputs * n, "unexpected fc_")
        flat = graph.op("Flatten", [below.name], axis=1)
        out = graph.op("MatMul", [flat, graph.const("fc", params.reshape(inputs, n))])
        return _Value(out, (n, 1, 1))


def convert(data: bytes) -> bytes:
    """dlib's serialized face ResNet (the bytes of the .dat file) as an ONNX model:
    input `chips` (N x 150 x 150 x 3, uint8 RGB), output `descriptors` (N x 128)."""
    converter = _Converter(data)
    converter.network()
    graph = converter.graph
    graph.nodes.append(_node("Identity", [converter.output.name], ["descriptors"], "out", {}))
    chips = _value_info("chips", _UINT8, ["n", CHIP_PX, CHIP_PX, 3])
    descriptors = _value_info("descriptors", _FLOAT, ["n", 128])
    body = (b"".join(_field(1, node) for node in graph.nodes)
            + _field(2, b"dlib_face_recognition_resnet_model_v1")
            + b"".join(_field(5, t) for t in graph.initializers)
            + _field(11, chips) + _field(12, descriptors))
    opset = _field(1, b"") + _varint_field(2, _OPSET)
    return (_varint_field(1, _IR_VERSION) + _field(2, b"classlens")
            + _field(3, str(CONVERTER_VERSION).encode()) + _field(7, body) + _field(8, opset))


# ----------------------------------------------- a minimal protobuf writer

_IR_VERSION = 8
_OPSET = 17
_FLOAT, _UINT8, _INT64 = 1, 2, 7


def _varint(value: int) -> bytes:
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _field(number: int, value: bytes | str) -> bytes:
    if isinstance(value, str):
        value = value.encode()
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _tensor(name: str, array: np.ndarray) -> bytes:
    kind = {np.dtype(np.float32): _FLOAT, np.dtype(np.int64): _INT64}[array.dtype]
    return (b"".join(_varint_field(1, d) for d in array.shape) + _varint_field(2, kind)
            + _field(8, name)
            + _field(9, np.ascontiguousarray(array, array.dtype.newbyteorder("<")).tobytes()))


def _attribute(name: str, value) -> bytes:
    if isinstance(value, bytes):
        return _field(1, name) + _field(4, value) + _varint_field(20, 3)
    if isinstance(value, int):
        return _field(1, name) + _varint_field(3, value) + _varint_field(20, 2)
    if isinstance(value, float):
        return (_field(1, name) + _varint(2 << 3 | 5) + struct.pack("<f", value)
                + _varint_field(20, 1))
    return (_field(1, name) + b"".join(_varint_field(8, v) for v in value)
            + _varint_field(20, 7))


def _node(op_type: str, inputs: list[str], outputs: list[str], name: str,
          attributes: dict) -> bytes:
    return (b"".join(_field(1, i) for i in inputs) + b"".join(_field(2, o) for o in outputs)
            + _field(3, name) + _field(4, op_type)
            + b"".join(_field(5, _attribute(k, v)) for k, v in attributes.items()))


def _value_info(name: str, elem_type: int, shape: list[int | str]) -> bytes:
    dims = b"".join(_field(1, _field(2, d) if isinstance(d, str) else _varint_field(1, d))
                    for d in shape)
    tensor_type = _varint_field(1, elem_type) + _field(2, dims)
    return _field(1, name) + _field(2, _field(1, tensor_type))
