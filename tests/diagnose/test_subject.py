import numpy as np
import pytest

import chainrule as cr
from chainrule import functional as F
from chainrule import nn, optim
from chainrule import random as cr_random
from chainrule.diagnose import Subject, clone_optimizer, diagnose
from chainrule.diagnose.subject import preserved_rng, without_dropout
from chainrule.nn import regularize as reg
from chainrule.train import Trainer
from tests.diagnose import setups


def snapshot(subject):
    model, opt = subject.model, subject.optimizer
    return {"state": {k: v.copy() for k, v in model.state_dict().items()},
            "grads": [None if p.grad is None else p.grad.copy() for p in model.parameters()],
            "optimizer": opt.state_dict(), "lr": opt.lr, "training": model.training,
            "hooks": [len(m._forward_hooks) for m in model.modules()],
            "rng": cr_random.get_state()}


def same(a, b):
    assert a["state"].keys() == b["state"].keys()
    for k in a["state"]:
        np.testing.assert_array_equal(a["state"][k], b["state"][k], err_msg=k)
    for g, h in zip(a["grads"], b["grads"], strict=True):
        assert (g is None) == (h is None)
        if g is not None:
            np.testing.assert_array_equal(g, h)
    assert a["lr"] == b["lr"] and a["training"] == b["training"] and a["hooks"] == b["hooks"]
    assert a["rng"] == b["rng"]
    assert a["optimizer"]["param_groups"] == b["optimizer"]["param_groups"]
    for leaf_a, leaf_b in zip(_leaves(a["optimizer"]["state"]), _leaves(b["optimizer"]["state"]),
                              strict=True):
        np.testing.assert_array_equal(leaf_a, leaf_b)


def trained_subject():
    """A subject mid-training: Adam moments, gradients, BatchNorm statistics, dropout, L2."""
    x, y = setups.digits()
    cr.manual_seed(1)
    model = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.3),
                          nn.Linear(32, 10))
    opt = optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    regs = [reg.L2(1e-4), reg.ActivationL1(1e-5, [model[2]])]
    trainer = Trainer(model, opt, "cross_entropy", regularizers=regs)
    trainer.fit((x[:128], y[:128]), epochs=1, batch_size=32, seed=0, verbose=False)
    return Subject.from_trainer(trainer, (x, y))


@pytest.mark.parametrize("make", [trained_subject, setups.huge_lr, setups.detached])
def test_a_diagnosis_changes_nothing(make):
    subject = make()
    cr.manual_seed(5)
    before = snapshot(subject)
    diagnose(subject, lr_range_steps=30)
    same(before, snapshot(subject))


def _leaves(node):
    if isinstance(node, dict):
        for k in sorted(node):
            yield from _leaves(node[k])
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _leaves(v)
    else:
        yield node


def test_copy_shares_no_arrays_and_keeps_regularizers_bound_to_the_copy():
    subject = trained_subject()
    c = subject.copy()
    for p, q in zip(subject.model.parameters(), c.model.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
        assert not np.shares_memory(p.data, q.data)
    activation_reg = c.regularizers[1]
    copied_modules = {id(m) for m in c.model.modules()}
    assert all(id(m) in copied_modules for m in activation_reg.modules)
    assert all(not m._forward_hooks for m in c.model.modules())


def test_clone_optimizer_has_the_same_options_and_its_own_state():
    model = setups.mlp()
    opt = optim.SGD([{"params": [model[0].weight, model[0].bias], "lr": 0.1},
                     {"params": [model[2].weight, model[2].bias], "lr": 0.01}],
                    momentum=0.9, weight_decay=1e-3)
    copy_model = Subject(model, "cross_entropy", *setups.digits(), opt).copy().model
    clone = clone_optimizer(opt, model, copy_model, weight_decay=0.0)
    assert type(clone) is optim.SGD
    assert [g["lr"] for g in clone.param_groups] == [0.1, 0.01]
    assert [g["momentum"] for g in clone.param_groups] == [0.9, 0.9]
    assert [g["weight_decay"] for g in clone.param_groups] == [0.0, 0.0]
    assert opt.param_groups[0]["weight_decay"] == 1e-3
    assert clone.param_groups[0]["params"][0] is copy_model[0].weight
    # stepping the clone moves only the copy
    before = model[0].weight.data.copy()
    x, y = setups.digits()
    F.cross_entropy(copy_model(cr.tensor(x[:16])), y[:16]).backward()
    clone.step()
    np.testing.assert_array_equal(model[0].weight.data, before)
    assert not np.array_equal(copy_model[0].weight.data, before)


def test_clone_optimizer_keeps_a_transform_optimizers_chain():
    model = setups.mlp()
    opt = optim.TransformOptimizer(model.parameters(), optim.clip_by_value(0.5), lr=0.1)
    copy_model = Subject(model, "cross_entropy", *setups.digits(), opt).copy().model
    clone = clone_optimizer(opt, model, copy_model)
    assert clone.transform is opt.transform and clone.lr == 0.1


def test_clone_optimizer_rejects_foreign_parameters():
    model, other = setups.mlp(), setups.mlp(seed=1)
    opt = optim.SGD(other.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="not parameters of the model"):
        clone_optimizer(opt, model, setups.mlp())


def test_subject_validates_its_inputs():
    model = setups.mlp()
    x, y = setups.digits()
    with pytest.raises(ValueError, match="same, non-zero number of samples"):
        Subject(model, "cross_entropy", x[:10], y[:9])
    with pytest.raises(TypeError, match="chainrule.optim.Optimizer"):
        Subject(model, "cross_entropy", x, y, optimizer="adam")
    with pytest.raises(ValueError, match="unknown loss"):
        Subject(model, "hinge", x, y)


def test_task_and_classes_follow_targets_and_outputs():
    x, y = setups.digits()
    assert Subject(setups.mlp(), "cross_entropy", x, y).task == "classification"
    assert Subject(setups.mlp(), "cross_entropy", x, y).num_classes == 10
    binary = nn.Sequential(nn.Linear(64, 1))
    assert Subject(binary, "bce_with_logits", x, (y > 4).astype(np.int64)).task == "binary"
    assert Subject(binary, "mse", x, y.astype(np.float32)).task == "regression"


def test_preserved_rng_and_without_dropout():
    cr.manual_seed(3)
    state = cr_random.get_state()
    with preserved_rng():
        cr_random.resolve(None).random(10)
    assert cr_random.get_state() == state
    model = without_dropout(nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5)))
    assert model[1].p == 0.0
