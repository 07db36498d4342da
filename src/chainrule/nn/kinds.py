"""The built-in layer kinds a config can name (see :mod:`chainrule.nn.registry`).

Dense layers take flat samples and give ``(out_features,)``; the ``out_features``
of the network's last one is set from the data (classes or target width).
Activations, dropout and batch normalisation keep the sample shape; ``flatten``
turns any sample into ``(C * H * W,)``.
"""

from __future__ import annotations

import math
from typing import Literal

from chainrule.nn import activations as act
from chainrule.nn.batchnorm import BatchNorm1d
from chainrule.nn.layers import Dropout, Flatten, Identity, Linear, Maxout
from chainrule.nn.registry import LayerKind, Option, register

POSITIVE = {"gt": 0}


def _dense_shape(options: dict, in_shape: tuple[int, ...]) -> tuple[int, ...]:
    return (options["out_features"],)


register(LayerKind(
    "linear", Linear,
    options={"out_features": Option(int, **POSITIVE), "bias": Option(bool, True)},
    build=lambda o, s: Linear(s[0], o["out_features"], bias=o["bias"]),
    output_shape=_dense_shape, flat_input=True, head_option="out_features",
    roles={"weights"}))
register(LayerKind(
    "maxout", Maxout,
    options={"out_features": Option(int, **POSITIVE), "pieces": Option(int, 2, ge=2)},
    build=lambda o, s: Maxout(s[0], o["out_features"], o["pieces"]),
    output_shape=_dense_shape, flat_input=True, head_option="out_features",
    roles={"weights", "activation"}))
register(LayerKind(
    "batchnorm", BatchNorm1d,
    options={"eps": Option(float, 1e-5, gt=0), "momentum": Option(float, 0.1, ge=0, le=1),
             "affine": Option(bool, True)},
    build=lambda o, s: BatchNorm1d(s[0], eps=o["eps"], momentum=o["momentum"],
                                   affine=o["affine"]),
    flat_input=True, roles={"norm"}))
register(LayerKind(
    "dropout", Dropout,
    options={"p": Option(float, 0.5, ge=0, lt=1), "inverted": Option(bool, True)},
    roles={"passthrough"}))
register(LayerKind(
    "flatten", Flatten,
    output_shape=lambda o, s: (math.prod(s),), roles={"passthrough"}))
register(LayerKind("identity", Identity, roles={"passthrough"}))

for _name, _cls in (("relu", act.ReLU), ("sigmoid", act.Sigmoid), ("tanh", act.Tanh),
                    ("elu", act.ELU), ("softplus", act.Softplus)):
    register(LayerKind(_name, _cls, roles={"activation"}))
register(LayerKind("step", act.Step, options={"value_at_zero": Option(float, 1.0)})
         )  # recorded by diagnose, but no gradient to penalise
register(LayerKind(
    "leaky_relu", act.LeakyReLU, options={"negative_slope": Option(float, 0.01, ge=0)},
    roles={"activation"}))
for _name, _cls in (("silu", act.SiLU), ("mish", act.Mish), ("selu", act.SELU),
                    ("softsign", act.Softsign), ("logsigmoid", act.LogSigmoid),
                    ("relu6", act.ReLU6)):
    register(LayerKind(_name, _cls, roles={"activation"}))
register(LayerKind(
    "gelu", act.GELU, options={"approximate": Option(Literal["none", "tanh"], "none")},
    roles={"activation"}))
register(LayerKind(
    "hardtanh", act.Hardtanh,
    options={"min_val": Option(float, -1.0), "max_val": Option(float, 1.0)},
    roles={"activation"}))
register(LayerKind(
    "prelu", act.PReLU,
    options={"num_parameters": Option(int, 1, **POSITIVE), "init": Option(float, 0.25)},
    roles={"activation"}))
