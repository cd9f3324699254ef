"""A minimal ONNX model writer: just the protobuf messages a converted network
needs (nodes, initialisers, inputs and outputs), so that the `onnx` package is
not needed at run time. onnxruntime checks the model when it loads it."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

IR_VERSION = 8
OPSET = 17
FLOAT, UINT8, INT64 = 1, 2, 7


def varint(value: int) -> bytes:
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


def varint_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def field_(number: int, value: bytes | str) -> bytes:
    if isinstance(value, str):
        value = value.encode()
    return varint(number << 3 | 2) + varint(len(value)) + value


def tensor(name: str, array: np.ndarray) -> bytes:
    kind = {np.dtype(np.float32): FLOAT, np.dtype(np.int64): INT64}[array.dtype]
    return (b"".join(varint_field(1, d) for d in array.shape) + varint_field(2, kind)
            + field_(8, name)
            + field_(9, np.ascontiguousarray(array, array.dtype.newbyteorder("<")).tobytes()))


def attribute(name: str, value) -> bytes:
    if isinstance(value, bytes):
        return field_(1, name) + field_(4, value) + varint_field(20, 3)
    if isinstance(value, int):
        return field_(1, name) + varint_field(3, value) + varint_field(20, 2)
    if isinstance(value, float):
        return (field_(1, name) + varint(2 << 3 | 5) + struct.pack("<f", value)
                + varint_field(20, 1))
    return (field_(1, name) + b"".join(varint_field(8, v) for v in value)
            + varint_field(20, 7))


def node(op_type: str, inputs: list[str], outputs: list[str], name: str,
          attributes: dict) -> bytes:
    return (b"".join(field_(1, i) for i in inputs) + b"".join(field_(2, o) for o in outputs)
            + field_(3, name) + field_(4, op_type)
            + b"".join(field_(5, attribute(k, v)) for k, v in attributes.items()))


def value_info(name: str, elem_type: int, shape: list[int | str]) -> bytes:
    dims = b"".join(field_(1, field_(2, d) if isinstance(d, str) else varint_field(1, d))
                    for d in shape)
    tensor_type = varint_field(1, elem_type) + field_(2, dims)
    return field_(1, name) + field_(2, field_(1, tensor_type))


@dataclass
class Graph:
    nodes: list[bytes] = field(default_factory=list)
    initializers: list[bytes] = field(default_factory=list)
    count: int = 0

    def name(self, stem: str) -> str:
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, stem: str, array: np.ndarray) -> str:
        name = self.name(stem)
        self.initializers.append(tensor(name, array))
        return name

    def op(self, op_type: str, inputs: list[str], **attributes) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(node(op_type, inputs, [out], out, attributes))
        return out
