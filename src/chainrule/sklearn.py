"""scikit-learn estimators over the chainrule Trainer: ``MLPClassifier`` and ``MLPRegressor``.

They follow scikit-learn's estimator protocol (parameters stored untouched in ``__init__``,
validation at ``fit``, fitted attributes ending in ``_``), so they work in ``Pipeline``,
``GridSearchCV``, ``cross_val_score``, ``clone`` and the ``sklearn.inspection`` tools, and
pass ``sklearn.utils.estimator_checks.check_estimator``. The network is
``Linear -> activation [-> Dropout]`` per hidden layer, then a ``Linear`` output layer
(one unit per class, softmax cross-entropy; one unit per target, mean squared error),
trained by :class:`chainrule.train.Trainer` in float32.

Parameter names follow scikit-learn's ``MLPClassifier`` where the idea is the same
(``hidden_layer_sizes``, ``activation``, ``alpha``, ``batch_size``, ``early_stopping``,
``validation_fraction``, ``n_iter_no_change``, ``tol``, ``warm_start``, ``random_state``);
``optimizer``, ``learning_rate``, ``epochs`` and ``dropout`` are chainrule's words for
``solver``, ``learning_rate_init``, ``max_iter`` and the dropout rate. Inputs are not scaled:
put a ``StandardScaler`` in front, as with scikit-learn's MLP.

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from chainrule.sklearn import MLPClassifier
    >>> clf = make_pipeline(StandardScaler(), MLPClassifier((32,), epochs=50, random_state=0))
    >>> # clf.fit(X, y).predict_proba(X_new)

Layer: beside ``explain``: imports ``train``, ``data``, ``optim``, ``nn`` and ``explain``'s
predict path; never ``config`` or ``runs``. scikit-learn loads with this module only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_random_state, validate_data

from chainrule import nn, optim
from chainrule.data import ArrayDataset
from chainrule.nn import regularize
from chainrule.train import Trainer
from chainrule.train import callbacks as cb
from chainrule.train.predict import predict as _predict
from chainrule.train.predict import predict_proba as _predict_proba

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "logistic": nn.Sigmoid, "sigmoid": nn.Sigmoid,
               "identity": nn.Identity, "elu": nn.ELU, "leaky_relu": nn.LeakyReLU}
OPTIMIZERS = {
    "adam": lambda params, lr: optim.Adam(params, lr=lr),
    "adamw": lambda params, lr: optim.AdamW(params, lr=lr),
    "sgd": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9, nesterov=True),
    "rmsprop": lambda params, lr: optim.RMSprop(params, lr=lr),
    "adagrad": lambda params, lr: optim.Adagrad(params, lr=lr),
}


# Two OpenBLAS threads cost far more CPU than they save on the small float32 products of a
# typical estimator fit. CPU time (time.process_time, all threads) per float32 GEMM, 1 vs 2
# threads, on this 2-core machine (/work/notes/blas_gemm.py): (200x64)@(64x256) 71 us vs
# 5,974 us; (128x784)@(784x512) 1.1 ms vs 19 ms; (512x784)@(784x512) 4.3 vs 21.8 ms; only
# (1024x1024)@(1024x1024) comes near (22.7 vs 41.5 ms). A whole fit (400 x 30 features,
# hidden 100, batch 200, 5 epochs) took 0.006 s of CPU with one thread and 0.084 s with
# two. So a fit whose largest layer product batch x fan_in x fan_out is under this many
# multiply-adds runs with one BLAS thread.
SMALL_FIT_GEMM = 2 * 10**8


def _blas_threads(batch: int, model: nn.Sequential) -> Any:
    """A context limiting BLAS to one thread while fitting a small network (see
    :data:`SMALL_FIT_GEMM`), or one that changes nothing."""
    import contextlib

    from threadpoolctl import threadpool_limits

    largest = max(m.in_features * m.out_features for m in model if isinstance(m, nn.Linear))
    if batch * largest < SMALL_FIT_GEMM:
        return threadpool_limits(limits=1, user_api="blas")
    return contextlib.nullcontext()


class _BaseMLP(BaseEstimator):
    """Shared fitting machinery; see :class:`MLPClassifier` for the parameters."""

    _is_classifier = False

    def __init__(self, hidden_layer_sizes: Sequence[int] = (100,), activation: str = "relu",
                 optimizer: str = "adam", learning_rate: float = 1e-3, batch_size: int = 200,
                 epochs: int = 200, alpha: float = 1e-4, dropout: float = 0.0,
                 early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int = 10, tol: float = 1e-4, warm_start: bool = False,
                 random_state: Any = None, verbose: bool = False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.alpha = alpha
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> tuple[int, ...]:
        sizes = tuple(self.hidden_layer_sizes) if np.iterable(self.hidden_layer_sizes) else (
            self.hidden_layer_sizes,)
        if any(not isinstance(s, (int, np.integer)) or s < 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {sizes!r}")
        for name, table in (("activation", ACTIVATIONS), ("optimizer", OPTIMIZERS)):
            if getattr(self, name) not in table:
                raise ValueError(f"{name}={getattr(self, name)!r} is not one of {sorted(table)}")
        checks = {"learning_rate": self.learning_rate > 0, "batch_size": self.batch_size >= 1,
                  "epochs": self.epochs >= 1, "alpha": self.alpha >= 0,
                  "dropout": 0 <= self.dropout < 1, "tol": self.tol >= 0,
                  "validation_fraction": 0 < self.validation_fraction < 1,
                  "n_iter_no_change": self.n_iter_no_change >= 1}
        bad = [f"{k}={getattr(self, k)!r}" for k, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"invalid parameter(s): {', '.join(bad)} (learning_rate > 0, "
                             f"batch_size >= 1, epochs >= 1, alpha >= 0, 0 <= dropout < 1, "
                             f"tol >= 0, 0 < validation_fraction < 1, n_iter_no_change >= 1)")
        return sizes

    # ------------------------------------------------------------------ model
    def _network(self, n_in: int, n_out: int, rng: np.random.Generator) -> nn.Sequential:
        sizes = self._check_params()
        layers: list[nn.Module] = []
        width = n_in
        for size in sizes:
            layers += [nn.Linear(width, int(size), generator=rng), ACTIVATIONS[self.activation]()]
            if self.dropout > 0:
                layers.append(nn.Dropout(self.dropout, generator=rng))
            width = int(size)
        layers.append(nn.Linear(width, n_out, generator=rng))
        return nn.Sequential(*layers)

    def _build(self, n_in: int, n_out: int, rng: np.random.Generator) -> None:
        self.model_ = self._network(n_in, n_out, rng)
        self.optimizer_ = self._make_optimizer()
        self._rng = rng
        self.n_iter_ = 0
        self.loss_curve_: list[float] = []

    def _make_optimizer(self) -> Any:
        return OPTIMIZERS[self.optimizer](list(self.model_.parameters()),
                                          float(self.learning_rate))

    def _train(self, x: np.ndarray, y: np.ndarray, epochs: int, stop_early: bool) -> None:
        """Train the current model for up to ``epochs`` epochs on float32 ``x`` and ``y``."""
        data, val, callbacks = ArrayDataset(x, y), None, []
        if stop_early and self.early_stopping and len(x) >= 2:
            from chainrule.data import train_val_split

            data, val = train_val_split(data, self.validation_fraction,
                                        seed=self._rng, stratify=self._is_classifier)
        if stop_early:
            monitor = "val_loss" if val is not None else "loss"
            callbacks.append(cb.EarlyStopping(monitor, patience=self.n_iter_no_change,
                                              min_delta=self.tol, restore_best=val is not None))
        batch = min(int(self.batch_size), len(data))
        regs = [regularize.L2(self.alpha / batch)] if self.alpha > 0 else []
        trainer = Trainer(self.model_, self.optimizer_, self._loss, callbacks=callbacks,
                          regularizers=regs)
        with _blas_threads(batch, self.model_):
            history = trainer.fit(data, val=val, epochs=epochs, batch_size=batch,
                                  seed=int(self._rng.integers(2**31)),
                                  verbose=bool(self.verbose))
        self.loss_curve_ += list(history.history["loss"])
        self.n_iter_ += len(history.epoch)

    def _fit(self, x: Any, y: Any, partial: bool) -> _BaseMLP:
        first = not hasattr(self, "model_") or not (partial or self.warm_start)
        x, y = validate_data(self, x, y, reset=first, dtype=(np.float64, np.float32),
                             multi_output=not self._is_classifier, y_numeric=not
                             self._is_classifier)
        target = self._encode_target(y, first)
        if not first and self.model_[-1].out_features != self._n_outputs(target):
            raise ValueError(f"warm start: the data has {self._n_outputs(target)} outputs but "
                             f"the fitted network has {self.model_[-1].out_features}")
        if first:
            seed = check_random_state(self.random_state).randint(2**31 - 1)
            self._build(x.shape[1], self._n_outputs(target), np.random.default_rng(seed))
        self._train(x.astype(np.float32), target, 1 if partial else int(self.epochs),
                    stop_early=not partial)
        return self

    def fit(self, X: Any, y: Any) -> _BaseMLP:
        """Train on ``X`` (n_samples, n_features) and ``y``; continues from the current weights
        when ``warm_start`` is set and the estimator is fitted. Returns ``self``."""
        return self._fit(X, y, partial=False)

    def _outputs(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "model_")
        x = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return _predict(self.model_, x.astype(np.float32))

    def __getstate__(self) -> dict[str, Any]:
        # Pickle (clone, joblib, worker processes) carries plain arrays: the weights' and the
        # optimizer's state dicts; the network and optimizer are rebuilt around them on load.
        state = self.__dict__.copy()
        if "model_" in state:
            state["model_"] = self.model_.state_dict()
            state["optimizer_"] = self.optimizer_.state_dict()
            state["_shape"] = (self.model_[0].in_features, self.model_[-1].out_features)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "model_" in state:
            weights = {k: np.array(v) for k, v in state["model_"].items()}
            self.model_ = self._network(*state["_shape"], self._rng)
            self.model_.load_state_dict(weights)
            self.optimizer_ = self._make_optimizer()
            self.optimizer_.load_state_dict(state["optimizer_"])
            del self._shape

class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier (softmax cross-entropy) trained by chainrule.

    Args:
        hidden_layer_sizes: units of each hidden layer. Defaults to ``(100,)``.
        activation: ``"relu"``, ``"tanh"``, ``"logistic"`` (= ``"sigmoid"``), ``"identity"``,
            ``"elu"`` or ``"leaky_relu"``. Defaults to ``"relu"``.
        optimizer: ``"adam"``, ``"adamw"``, ``"sgd"`` (momentum 0.9, Nesterov, as
            scikit-learn's), ``"rmsprop"`` or ``"adagrad"``. Defaults to ``"adam"``.
        learning_rate: the optimizer's step size. Defaults to ``1e-3``.
        batch_size: samples per step, at most the training set. Defaults to ``200``.
        epochs: most passes over the data per ``fit``. Defaults to ``200``.
        alpha: L2 penalty (alpha / (2 * batch_size)) * sum ||W||^2 on the weights (not the
            biases), scikit-learn's scaling. Defaults to ``1e-4``.
        dropout: dropout rate after each hidden activation. Defaults to ``0.0``.
        early_stopping: hold out ``validation_fraction`` (stratified), stop when its loss has
            not improved by ``tol`` for ``n_iter_no_change`` epochs and restore the best
            weights. Without it, training stops when the training loss stalls the same way.
            Defaults to ``False``.
        validation_fraction: held-out share for early stopping. Defaults to ``0.1``.
        n_iter_no_change: patience in epochs. Defaults to ``10``.
        tol: smallest loss improvement that counts. Defaults to ``1e-4``.
        warm_start: ``fit`` continues from the previous weights and optimizer state.
            Defaults to ``False``.
        random_state: seed (int, ``RandomState`` or ``None``) of the initial weights, dropout
            masks, shuffling and validation split. Defaults to ``None``.
        verbose: show a progress bar. Defaults to ``False``.

    Attributes:
        classes_, n_features_in_, feature_names_in_ (when X has string column names),
        model_ (the ``nn.Sequential``), optimizer_, n_iter_ (epochs run), loss_curve_.
    """

    _is_classifier = True
    _loss = staticmethod(nn.CrossEntropyLoss())

    def _encode_target(self, y: np.ndarray, first: bool) -> np.ndarray:
        check_classification_targets(y)
        if first and not getattr(self, "_classes_given", False):
            self.classes_ = np.unique(y)
        self._classes_given = False
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes; the "
                             f"data holds one class: {self.classes_[0]!r}")
        unseen = np.setdiff1d(y, self.classes_)
        if len(unseen):
            raise ValueError(f"y holds labels {unseen[:5].tolist()} outside classes_ "
                             f"{self.classes_.tolist()}")
        return np.searchsorted(self.classes_, y).astype(np.int64)

    def _n_outputs(self, target: np.ndarray) -> int:
        return len(self.classes_)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> MLPClassifier:
        """One epoch on ``X``, ``y`` from the current weights; the first call needs
        ``classes`` (every label that will ever be seen), as in scikit-learn."""
        if not hasattr(self, "model_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit")
            self.classes_ = np.unique(np.asarray(classes))
            self._classes_given = True
        return self._fit(X, y, partial=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes), columns in ``classes_`` order."""
        check_is_fitted(self, "model_")
        x = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return _predict_proba(self.model_, x.astype(np.float32))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample (labels from ``classes_``)."""
        outputs = self._outputs(X)
        return self.classes_[np.argmax(outputs, axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor (mean squared error) trained by chainrule.

    Takes the parameters of :class:`MLPClassifier`. ``y`` may be (n,) or (n, n_targets);
    ``predict`` returns the same shape.

    Attributes:
        n_features_in_, feature_names_in_, model_, optimizer_, n_iter_, loss_curve_.
    """

    @staticmethod
    def _loss(output: Any, target: Any) -> Any:
        from chainrule import functional as F

        return F.mse_loss(output, target)

    def _encode_target(self, y: np.ndarray, first: bool) -> np.ndarray:
        if first:
            self._y_ndim = y.ndim
        return np.asarray(y, dtype=np.float32).reshape(len(y), -1)

    def _n_outputs(self, target: np.ndarray) -> int:
        return target.shape[1]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def partial_fit(self, X: Any, y: Any) -> MLPRegressor:
        """One epoch on ``X``, ``y`` from the current weights (builds the network first)."""
        return self._fit(X, y, partial=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, (n_samples,) or (n_samples, n_targets) as ``y`` was."""
        out = self._outputs(X).astype(np.float64)
        return out[:, 0] if self._y_ndim == 1 else out
