"""Every differentiable op, one ``Function`` subclass each, grouped by family."""

from chainrule.autograd.ops.activation import (
    ELU,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from chainrule.autograd.ops.activation_extra import (
    GELU,
    SELU,
    GELUTanh,
    Hardtanh,
    LogSigmoid,
    Mish,
    SiLU,
    Softsign,
)
from chainrule.autograd.ops.arithmetic import (
    Abs,
    Add,
    Cast,
    Clip,
    Div,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    Neg,
    PowScalar,
    PowTensor,
    Sqrt,
    Sub,
    Where,
)
from chainrule.autograd.ops.conv import Conv2d
from chainrule.autograd.ops.conv_transpose import ConvTranspose2d
from chainrule.autograd.ops.crossentropy import NLL, SoftmaxCrossEntropy
from chainrule.autograd.ops.einsum import Einsum
from chainrule.autograd.ops.elementwise import (
    Acos,
    Asin,
    Atan,
    Cos,
    Cosh,
    Erf,
    FloorDivide,
    Fmod,
    Remainder,
    Rounding,
    Sin,
    Sinh,
    Tan,
)
from chainrule.autograd.ops.index import Gather, Scatter
from chainrule.autograd.ops.linalg import Linear, MatMul
from chainrule.autograd.ops.loss import (
    L1,
    MSE,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    Huber,
    KLDiv,
)
from chainrule.autograd.ops.norm import BatchNorm
from chainrule.autograd.ops.padding import PadIndexed
from chainrule.autograd.ops.penalty import NormPenalty
from chainrule.autograd.ops.pool import AvgPool2d, MaxPool2d, Resample2d
from chainrule.autograd.ops.rearrange import (
    Diag,
    Flip,
    RepeatInterleave,
    Roll,
    Tile,
    Triangle,
)
from chainrule.autograd.ops.reduce import LogSumExp, Max, Mean, Min, Sum, Var
from chainrule.autograd.ops.scan import CumProd, CumSum, LogCumSumExp
from chainrule.autograd.ops.shape import (
    BroadcastTo,
    Concatenate,
    GetItem,
    Pad,
    Reshape,
    Squeeze,
    Stack,
    TakeAlongAxis,
    Transpose,
    Unsqueeze,
)
from chainrule.autograd.ops.sort import Prod

__all__ = [name for name in dir() if not name.startswith("_")]
