"""Fused numba kernels: a named optimizer's whole chain in one pass over a flat float32 buffer.

Each kernel repeats, element by element and in the same order, the float32
operations of the transform chain its optimizer is defined by (see
``optimizers.py``), so the two paths agree bit for bit; the chain stays the
reference and the tests hold the kernels to it. Every scalar argument is a
``np.float32`` computed once per step by the optimizer, so no float64 creeps
into the arithmetic. Adam's first moment is flushed to zero when it turns
subnormal (see ``transforms.flush_denormals_``). Kernels compile on first use
and are cached on disk.

Speed, measured roughly on 669k float32 parameters on the shared 2-core
machine (best of 5, single runs vary by 2x): one step takes 0.10 / 0.40 /
0.37 / 0.21 ms fused for SGD+momentum / Adam / centred RMSprop / Adagrad
against 0.37 / 1.36 / 1.65 / 0.91 ms for the NumPy chain. numba's default
Python error model made the Adam kernel 2.8 ms (its division-by-zero checks
block SIMD); ``error_model="numpy"`` (IEEE inf/nan) lets LLVM vectorise.
Adam's bias corrections are multiplications by float32 reciprocals, not
divisions (0.38 -> 0.26 ms median per step in isolation, same machine).
The kernels are serial on purpose. A ``parallel=True`` build halves the
pass over an idle machine's cores in isolation (Adam: 0.34 instead of 0.65 ms),
but inside a training step its OpenMP threads and OpenBLAS's threads spin on
the same two cores and the step got 2.5x slower (4.0 -> 10.1 ms at batch 128,
1.7 -> 8.4 ms at batch 16, MLP 784-512-512-10); numba's workqueue layer avoids
the fight but gained nothing.
"""

from __future__ import annotations

import numpy as np

from chainrule.jit import lazy_njit

# nogil: a large update runs in slices on several threads (optimizers._fused)
_JIT = {"cache": True, "fastmath": False, "error_model": "numpy", "nogil": True}
njit = lazy_njit(globals(), **_JIT)  # numba is imported at the first call
_TINY = np.finfo(np.float32).tiny


@njit
def sgd(p, g, buf, sign, wd, momentum, keep, nesterov, first, neg_lr):  # pragma: no cover
    """chain(scale(sign), add_decayed_weights(wd), trace(momentum, ...), scale(neg_lr))."""
    for i in range(p.size):
        u = g[i] * sign
        if wd != 0:
            u = u + wd * p[i]
        if momentum != 0:
            if first:
                b = u
            else:
                b = buf[i] * momentum + keep * u
            buf[i] = b
            u = u + momentum * b if nesterov else b
        p[i] = p[i] + neg_lr * u


@njit
def adam(p, g, mu, nu, nu_max, sign, wd, decoupled_wd, w1, w1_rest, w1_small, b2, c2,
         inv_bc2_sqrt, eps, inv_bc1, neg_lr, amsgrad):  # pragma: no cover
    """chain(scale(sign), add_decayed_weights(wd), scale_by_adam, add_decayed_weights(dwd),
    scale(neg_lr)); ``w1`` is the lerp weight 1 - b1 and ``w1_rest`` = 1 - w1 in float32."""
    for i in range(p.size):
        u = g[i] * sign
        if wd != 0:
            u = u + wd * p[i]
        m = mu[i] + w1 * (u - mu[i]) if w1_small else u - (u - mu[i]) * w1_rest
        if abs(m) < _TINY:  # flush_denormals_: subnormal moments are slow to compute with
            m = np.float32(0)
        mu[i] = m
        v = nu[i] * b2 + (c2 * u) * u
        nu[i] = v
        if amsgrad:
            if not nu_max[i] >= v:
                nu_max[i] = v
            v = nu_max[i]
        x = m / (np.sqrt(v) * inv_bc2_sqrt + eps) * inv_bc1
        if decoupled_wd != 0:
            x = x + decoupled_wd * p[i]
        p[i] = p[i] + neg_lr * x


@njit
def rmsprop(p, g, nu, mu, buf, sign, wd, decay, c, w_rest, w_small, eps, momentum, neg_lr,
            centered):  # pragma: no cover
    """chain(scale(sign), add_decayed_weights(wd), scale_by_rms(...), scale(neg_lr));
    ``c`` = 1 - decay is also the lerp weight of the centred mean, ``w_rest`` = 1 - c."""
    for i in range(p.size):
        u = g[i] * sign
        if wd != 0:
            u = u + wd * p[i]
        n = nu[i] * decay + (c * u) * u
        nu[i] = n
        if centered:
            m = mu[i] + c * (u - mu[i]) if w_small else u - (u - mu[i]) * w_rest
            mu[i] = m
            a = np.sqrt(n - m * m)
        else:
            a = np.sqrt(n)
        x = u / (a + eps)
        if momentum > 0:
            x = buf[i] * momentum + x
            buf[i] = x
        p[i] = p[i] + neg_lr * x


@njit
def adagrad(p, g, total, sign, wd, eps, neg_lr):  # pragma: no cover
    """chain(scale(sign), add_decayed_weights(wd), scale_by_adagrad(eps), scale(neg_lr))."""
    for i in range(p.size):
        u = g[i] * sign
        if wd != 0:
            u = u + wd * p[i]
        s = total[i] + u * u
        total[i] = s
        p[i] = p[i] + neg_lr * (u / (np.sqrt(s) + eps))
