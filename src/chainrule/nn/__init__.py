"""Neural-network building blocks with PyTorch's names: modules, layers, init, losses.

Every layer kind a config can name is registered in :mod:`chainrule.nn.registry`
(built-in kinds: :mod:`chainrule.nn.kinds`); the config schema, the model builder,
diagnose's statistics, the init schemes and the regularisers read it.

    >>> from chainrule import nn
    >>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    >>> model.num_parameters()
    58

Layer: imports ``functional`` and ``autograd`` (and the services ``io``, ``random``);
never ``optim``, ``data`` or ``train``.
"""

from chainrule.nn import image_kinds, init, kinds, registry, regularize
from chainrule.nn.activations import (
    ELU,
    GELU,
    SELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Step,
    Tanh,
)
from chainrule.nn.batchnorm import BatchNorm1d, BatchNorm2d
from chainrule.nn.containers import ModuleList, Sequential
from chainrule.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from chainrule.nn.layers import Dropout, Flatten, Identity, Linear, Maxout
from chainrule.nn.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from chainrule.nn.module import Module, RemovableHandle
from chainrule.nn.parameter import Parameter
from chainrule.nn.pooling import AdaptiveAvgPool2d, AvgPool2d, Dropout2d, MaxPool2d, Upsample
from chainrule.nn.reshape import Reshape
from chainrule.nn.state import IncompatibleKeys, StateDictError

__all__ = [
    "AdaptiveAvgPool2d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d",
    "BatchNorm2d", "Conv1d", "Conv2d", "ConvTranspose2d", "CrossEntropyLoss", "Dropout",
    "Dropout2d", "ELU", "Flatten", "HuberLoss", "Identity", "IncompatibleKeys", "KLDivLoss",
    "L1Loss", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d", "Maxout", "Module",
    "ModuleList", "NLLLoss", "PReLU", "Parameter", "ReLU", "RemovableHandle", "Reshape",
    "Sequential",
    "Sigmoid", "SmoothL1Loss", "Softmax", "Softplus", "StateDictError", "Step", "Tanh",
    "Upsample", "init", "registry", "regularize",
    "GELU", "Hardtanh", "LogSigmoid", "Mish", "ReLU6", "SELU", "SiLU", "Softmin", "Softsign",
]
