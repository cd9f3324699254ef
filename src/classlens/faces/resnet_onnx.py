"""dlib's face ResNet as an ONNX graph, built from the installed weights.

face_recognition_models' `dlib_face_recognition_resnet_model_v1.dat` is a
dlib-serialized network (dlib/dnn/core.h, layers.h, input.h, loss.h,
serialize.h). This module reads that file and writes the same network as an
ONNX model, so that onnxruntime (already used for detection) computes the
128 numbers instead of dlib-bin, which has no BLAS: one face cost 85-100 ms.

The network is dlib's `anet_type` (examples/dnn_face_recognition_ex.cpp),
spelled out in dlib_file.py exactly as its C++ template. dlib's file does not name the
kind of every wrapper (tags and skips are bare version numbers), so the file
is read *against* that definition: every layer's version string, size,
stride and padding is checked, and anything unexpected raises
`FormatError` - the caller then keeps dlib's own network.

Nothing here changes the face chip: dlib still finds the five landmarks and
cuts the 150x150 chip; only the ResNet moves. The graph takes the chips as
dlib gives them (N x 150 x 150 x 3, uint8 RGB) and applies dlib's input
normalisation, (pixel - mean) / 256, itself.

The ONNX file is written with a small protobuf writer (onnx_proto.py) so that the
`onnx` package is not needed at run time; onnxruntime checks the model when it
loads it, and `encode.py` checks its output against dlib's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from classlens.faces.dlib_file import FormatError, Layer, Reader, anet_type, check
from classlens.faces.onnx_proto import (
    FLOAT,
    IR_VERSION,
    OPSET,
    UINT8,
    Graph,
    field_,
    node,
    value_info,
    varint_field,
)

CHIP_PX = 150
# Bump when the graph this module writes changes (cached models are rebuilt).
CONVERTER_VERSION = 1


@dataclass
class _Value:
    name: str
    shape: tuple[int, ...]  # channels, rows, columns


def _pooled(size: int, k: int, stride: int, pad: int) -> int:
    return 1 + (size + 2 * pad - k) // stride


class _Converter:
    def __init__(self, data: bytes):
        self.read = Reader(data)
        self.graph = Graph()
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
            check(i in self.tags, f"skip{i} without tag{i}")
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
        check(read.integer() == CHIP_PX and read.integer() == CHIP_PX, "not a 150x150 input")
        pixels = graph.op("Cast", ["chips"], to=FLOAT)
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
        check((filters, nr, nc, stride_y, stride_x, pad_y, pad_x)
               == (n, k, k, s, s, default_pad, default_pad), f"unexpected con_ {filters}x{nr}x{nc}")
        check(shape == (n, below.shape[0], k, k), f"unexpected filters {shape}")
        size = math.prod(shape)
        inputs = [below.name, graph.const("w", params[:size].reshape(shape))]
        if use_bias:
            check(math.prod(bias) == n and params.size == size + n, "unexpected con_ bias")
            inputs.append(graph.const("b", params[size:size + n]))
        else:
            check(params.size == size, "unexpected con_ parameters")
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
        check(mode == 0 and gamma == beta == (1, channels, 1, 1)
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
        check((nr, nc, stride_y, stride_x, pad_y, pad_x) == (k, k, s, s, 0, 0),
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
        check(tuple(read.integer() for _ in range(6)) == (0, 0, 1, 1, 0, 0),
               "unexpected avg_pool_everything")
        return _Value(self.graph.op("GlobalAveragePool", [below.name]), (below.shape[0], 1, 1))

    def _add_prev(self, layer: Layer, below: _Value) -> _Value:
        """dlib adds tensors of different sizes as if the smaller one were
        padded with zeros after its last channel, row and column."""
        self.read.name("add_prev_")
        (i,) = layer.args
        check(i in self.tags, f"add_prev{i} without tag{i}")
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
        check(outputs == n and inputs == math.prod(below.shape) and bias_mode == 1
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
    graph.nodes.append(node("Identity", [converter.output.name], ["descriptors"], "out", {}))
    chips = value_info("chips", UINT8, ["n", CHIP_PX, CHIP_PX, 3])
    descriptors = value_info("descriptors", FLOAT, ["n", 128])
    body = (b"".join(field_(1, node) for node in graph.nodes)
            + field_(2, b"dlib_face_recognition_resnet_model_v1")
            + b"".join(field_(5, t) for t in graph.initializers)
            + field_(11, chips) + field_(12, descriptors))
    opset = field_(1, b"") + varint_field(2, OPSET)
    return (varint_field(1, IR_VERSION) + field_(2, b"classlens")
            + field_(3, str(CONVERTER_VERSION).encode()) + field_(7, body) + field_(8, opset))
