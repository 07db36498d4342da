"""What a trained network learned, and how sure it is: the interpretability tools of deck 002.

- :func:`permutation_importance`: drop in held-out score when a feature (or a one-hot group)
  is permuted, with repeats (mean and spread).
- :func:`partial_dependence`: the response against one feature (or two) with the others at
  their means (``"means"``), averaged over the data (``"average"``), or per row (ICE,
  ``"individual"``).
- :func:`bootstrap`: refit on B resamples in worker processes; percentile intervals.
- :func:`surrogate_tree`: a decision tree fitted to the network's predictions, with fidelity.
- :func:`saliency`: input gradients through the engine, and gradient x input.
- :func:`decision_boundary`: a prediction grid over two features.

Every function takes a trained chainrule model (predictions through the one predict path;
pass ``preprocess=`` for a run's fitted preprocessing) or any fitted scikit-learn estimator,
including ``chainrule.sklearn.MLPClassifier``/``MLPRegressor``. scikit-learn is imported
with this package, never by ``import chainrule``.

Layer: beside ``diagnose`` and ``search``: imports ``train`` (the predict path) and
``autograd``; never ``config`` or ``runs``, except that ``bootstrap`` handed a run config
reaches ``chainrule.runs.replicates.ConfigReplicates`` (imported there and then).
"""

from chainrule.explain.bootstrap import BootstrapResult, bootstrap
from chainrule.explain.boundary import BoundaryGrid, decision_boundary
from chainrule.explain.dependence import Dependence, partial_dependence
from chainrule.explain.importance import Importance, permutation_importance
from chainrule.explain.model import as_estimator
from chainrule.explain.saliency import Saliency, saliency
from chainrule.explain.surrogate import Surrogate, surrogate_tree

__all__ = [
    "BootstrapResult", "BoundaryGrid", "Dependence", "Importance", "Saliency", "Surrogate",
    "as_estimator", "bootstrap", "decision_boundary", "partial_dependence",
    "permutation_importance", "saliency", "surrogate_tree",
]
