"""ONNX export of Sequential networks: MLPs and CNNs as a standard graph (opset 17).

Each layer kind has one converter in a table: Linear -> Gemm (MatMul + Add
beyond 2-D), Conv1d/Conv2d -> Conv, ConvTranspose2d -> ConvTranspose, MaxPool2d
-> MaxPool, AvgPool2d -> AveragePool, AdaptiveAvgPool2d -> GlobalAveragePool
(or AveragePool when the sizes divide), BatchNorm1d/2d -> BatchNormalization
(eval form: the running statistics), Flatten -> Flatten, Reshape -> Reshape, Upsample -> Resize,
ReLU/LeakyReLU/ELU/Sigmoid/Tanh/Softplus/PReLU/Softmax/LogSoftmax -> their
operators; Dropout, Dropout2d and Identity are dropped (they are the identity
at inference). The batch axis is dynamic. The model is checked with
``onnx.checker`` and written atomically. Requires the ``onnx`` extra.
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from typing import Any

import numpy as np

from chainrule.autograd.function import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.nn import activations as act
from chainrule.nn.batchnorm import BatchNorm1d, BatchNorm2d
from chainrule.nn.containers import Sequential
from chainrule.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from chainrule.nn.layers import Dropout, Flatten, Identity, Linear
from chainrule.nn.module import Module
from chainrule.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, Dropout2d, MaxPool2d, Upsample
from chainrule.nn.reshape import Reshape

__all__ = ["export_onnx"]

OPSET = 17


class _Graph:
    """The nodes and initializers built so far, and fresh tensor names."""

    def __init__(self, helper: Any, numpy_helper: Any):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, hint: str, value: np.ndarray) -> str:
        name = self.name(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], **attrs))
        return out


def _pads(padding: Any, module: Module) -> list[int]:
    """ONNX pads [begin..., end...] from a module's padding (an int tuple or 'same'/'valid')."""
    from chainrule.autograd.entry.conv import _padding

    dims = len(module.kernel_size)
    if isinstance(padding, str):
        kernel = (1,) * (2 - dims) + tuple(module.kernel_size)
        dilation = (1,) * (2 - dims) + tuple(module.dilation)
        pairs = _padding(padding, kernel, (1, 1), dilation, "export_onnx")[2 - dims:]
    else:
        pairs = [(p, p) for p in padding]
    return [p[0] for p in pairs] + [p[1] for p in pairs]


def _linear(g: _Graph, m: Linear, x: str, shape: tuple) -> str:
    w = m.weight.data
    if len(shape) == 2:
        inputs = [x, g.const("weight", w)] + ([g.const("bias", m.bias.data)] if m.bias is not None
                                             else [])
        return g.op("Gemm", inputs, transB=1)
    y = g.op("MatMul", [x, g.const("weight_t", np.ascontiguousarray(w.T))])
    return y if m.bias is None else g.op("Add", [y, g.const("bias", m.bias.data)])


def _conv(g: _Graph, m: Conv1d | Conv2d | ConvTranspose2d, x: str, shape: tuple) -> str:
    inputs = [x, g.const("weight", m.weight.data)]
    if m.bias is not None:
        inputs.append(g.const("bias", m.bias.data))
    attrs = {"kernel_shape": list(m.kernel_size), "strides": list(m.stride),
             "dilations": list(m.dilation), "group": m.groups, "pads": _pads(m.padding, m)}
    if isinstance(m, ConvTranspose2d):
        return g.op("ConvTranspose", inputs, output_padding=list(m.output_padding), **attrs)
    return g.op("Conv", inputs, **attrs)


def _max_pool(g: _Graph, m: MaxPool2d, x: str, shape: tuple) -> str:
    return g.op("MaxPool", [x], kernel_shape=list(m.kernel_size), strides=list(m.stride),
                pads=list(m.padding) * 2, dilations=list(m.dilation))


def _avg_pool(g: _Graph, m: AvgPool2d, x: str, shape: tuple) -> str:
    if m.divisor_override is not None:
        raise ValueError("export_onnx: AvgPool2d with divisor_override has no ONNX operator")
    return g.op("AveragePool", [x], kernel_shape=list(m.kernel_size), strides=list(m.stride),
                pads=list(m.padding) * 2, count_include_pad=int(m.count_include_pad))


def _adaptive_avg_pool(g: _Graph, m: AdaptiveAvgPool2d, x: str, shape: tuple) -> str:
    sizes = m.output_size if isinstance(m.output_size, (tuple, list)) else (m.output_size,) * 2
    sizes = [shape[2 + i] if s is None else s for i, s in enumerate(sizes)]
    if sizes == [1, 1]:
        return g.op("GlobalAveragePool", [x])
    if any(n % s for n, s in zip(shape[2:], sizes, strict=True)):
        raise ValueError(f"export_onnx: AdaptiveAvgPool2d to {tuple(sizes)} from "
                         f"{tuple(shape[2:])} has uneven windows, which ONNX cannot express")
    kernel = [n // s for n, s in zip(shape[2:], sizes, strict=True)]
    return g.op("AveragePool", [x], kernel_shape=kernel, strides=kernel)


def _batch_norm(g: _Graph, m: BatchNorm1d | BatchNorm2d, x: str, shape: tuple) -> str:
    if not m.track_running_stats:
        raise ValueError("export_onnx: BatchNorm without running statistics normalises with "
                         "batch statistics at inference, which ONNX's BatchNormalization cannot")
    c = m.num_features
    scale = m.weight.data if m.affine else np.ones(c, np.float32)
    bias = m.bias.data if m.affine else np.zeros(c, np.float32)
    inputs = [x] + [g.const(n, v) for n, v in (("scale", scale), ("bias", bias),
                                                ("mean", m.running_mean),
                                                ("var", m.running_var))]
    return g.op("BatchNormalization", inputs, epsilon=float(m.eps))


def _flatten(g: _Graph, m: Flatten, x: str, shape: tuple) -> str:
    end = m.end_axis % len(shape)
    if m.start_axis % len(shape) != 1 or end != len(shape) - 1:
        raise ValueError(f"export_onnx: only Flatten(start_axis=1, end_axis=-1) is supported, "
                         f"got {m!r}")
    return g.op("Flatten", [x], axis=1)


def _reshape(g: _Graph, m: Reshape, x: str, shape: tuple) -> str:
    target = g.const("shape", np.array([0, *m.shape], dtype=np.int64))  # 0: keep the batch
    return g.op("Reshape", [x, target])


def _upsample(g: _Graph, m: Upsample, x: str, shape: tuple) -> str:
    if m.mode == "nearest":
        attrs = {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                 "nearest_mode": "floor"}
    else:
        attrs = {"mode": "linear", "coordinate_transformation_mode":
                 "align_corners" if m.align_corners else "pytorch_half_pixel"}
    if m.size is not None:  # sizes: the input's (N, C), then the asked (H, W)
        size = (m.size, m.size) if isinstance(m.size, int) else tuple(m.size)
        batch_channels = g.op("Shape", [x], start=0, end=2)
        sizes = g.op("Concat", [batch_channels, g.const("size", np.array(size, np.int64))],
                     axis=0)
        return g.op("Resize", [x, "", "", sizes], **attrs)
    factor = m.scale_factor
    factors = (factor, factor) if isinstance(factor, (int, float)) else tuple(factor)
    scales = g.const("scales", np.array([1.0, 1.0, *factors], dtype=np.float32))
    return g.op("Resize", [x, "", scales], **attrs)


def _prelu(g: _Graph, m: act.PReLU, x: str, shape: tuple) -> str:
    slope = m.weight.data.reshape((-1,) + (1,) * max(len(shape) - 2, 0))
    return g.op("PRelu", [x, g.const("slope", slope)])


def _simple(op_type: str, **fixed: Any) -> Callable:
    def convert(g: _Graph, m: Module, x: str, shape: tuple) -> str:
        attrs = {k: (v(m) if callable(v) else v) for k, v in fixed.items()}
        return g.op(op_type, [x], **attrs)
    return convert


def _softplus(g: _Graph, m: act.Softplus, x: str, shape: tuple) -> str:
    if m.beta != 1:
        raise ValueError(f"export_onnx: Softplus(beta={m.beta}) has no ONNX operator (beta=1 "
                         "only)")
    return g.op("Softplus", [x])


def _axis(m: Module) -> int:
    return int(getattr(m, "axis", -1))


CONVERTERS: dict[type, Callable | None] = {
    Linear: _linear, Conv1d: _conv, Conv2d: _conv, ConvTranspose2d: _conv,
    MaxPool2d: _max_pool, AvgPool2d: _avg_pool, AdaptiveAvgPool2d: _adaptive_avg_pool,
    BatchNorm1d: _batch_norm, BatchNorm2d: _batch_norm, Flatten: _flatten, Reshape: _reshape,
    Upsample: _upsample,
    act.ReLU: _simple("Relu"), act.Sigmoid: _simple("Sigmoid"), act.Tanh: _simple("Tanh"),
    act.LeakyReLU: _simple("LeakyRelu", alpha=lambda m: float(m.negative_slope)),
    act.ELU: _simple("Elu", alpha=lambda m: float(m.alpha)), act.Softplus: _softplus,
    act.PReLU: _prelu, act.Softmax: _simple("Softmax", axis=_axis),
    act.LogSoftmax: _simple("LogSoftmax", axis=_axis),
    Dropout: None, Dropout2d: None, Identity: None,  # the identity at inference
}


def _converter(m: Module) -> Callable | None:
    """The converter of ``m``'s exact class (a subclass, e.g. Maxout of Linear, computes
    something else)."""
    if type(m) in CONVERTERS:
        return CONVERTERS[type(m)]
    known = sorted(c.__name__ for c in CONVERTERS)
    raise ValueError(f"export_onnx: no ONNX conversion for {type(m).__name__}; supported: "
                     f"Sequential of {', '.join(known)}")


def _layers(model: Module) -> list[Module]:
    if not isinstance(model, Sequential):
        return [model]
    return [leaf for child in model.children() for leaf in _layers(child)]


def export_onnx(model: Module, example_input: Any, path: str | PathLike) -> Any:
    """Write ``model`` (a Sequential of supported layers) to ``path`` as an ONNX graph.

    The graph has one float32 input ``"input"`` shaped like ``example_input``
    with a dynamic batch axis, and one output ``"output"``; layers are exported
    in their inference form (eval mode). The example input runs through the
    model once to learn each layer's input shape.

    Returns:
        the ``onnx.ModelProto`` written (checked with ``onnx.checker``).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from chainrule.io.checkpoint import write_atomic

    layers = _layers(model)
    converters = [_converter(m) for m in layers]  # every layer is checked before any work
    x = np.asarray(example_input.data if isinstance(example_input, Tensor) else example_input,
                   dtype=np.float32)
    g = _Graph(helper, numpy_helper)
    name, current = "input", Tensor(x)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            for m, convert in zip(layers, converters, strict=True):
                if convert is not None:
                    name = convert(g, m, name, current.shape)
                current = m(current)
    finally:
        model.train(was_training)
    g.nodes.append(helper.make_node("Identity", [name], ["output"]))
    dims = ["batch", *x.shape[1:]]
    graph = helper.make_graph(
        g.nodes, "chainrule", [helper.make_tensor_value_info("input", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT,
                                       ["batch", *current.shape[1:]])],
        initializer=g.initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="chainrule")
    onnx.checker.check_model(proto, full_check=True)
    write_atomic(path, proto.SerializeToString())
    return proto
