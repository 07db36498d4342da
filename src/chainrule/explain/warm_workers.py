"""Preloaded by the bootstrap's fork server: training's compiled kernels, loaded once.

:func:`chainrule.explain.bootstrap` starts its workers from a multiprocessing fork server
that imports this module once. Importing it trains a four-sample classifier and regressor
for one epoch, so numba and the machine code of the kernels a training step runs (ReLU,
Adam, the fused cross-entropy) are in the server's memory and every worker it forks starts
with them. Without it each worker's first refit paid for them: on the diabetes MLP of
``benchmarks/explain.py`` a fresh process's first fit took 0.52 s of CPU and the next ones
0.14 s (the first scikit-learn fit: 0.17 s), which made a 20-replicate bootstrap on 2
workers 8% slower than scikit-learn's.
"""

from __future__ import annotations

import numpy as np

from chainrule.sklearn import MLPClassifier, MLPRegressor

_X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
MLPClassifier(hidden_layer_sizes=(4,), epochs=1, batch_size=2).fit(_X, [0, 1, 0, 1])
MLPRegressor(hidden_layer_sizes=(4,), epochs=1, batch_size=2).fit(_X, [0.0, 1.0, 0.5, 0.2])
