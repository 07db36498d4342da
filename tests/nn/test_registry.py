"""The layer registry: kinds by name and by module class, roles, shapes, clear errors."""

import pytest

from chainrule import nn
from chainrule.nn import registry
from chainrule.nn.registry import LayerKind, Option


def test_builtin_kinds_build_and_give_their_output_shape():
    linear = registry.get("linear")
    layer = linear.make({"out_features": 5, "bias": False}, (7,))
    assert isinstance(layer, nn.Linear) and layer.weight.shape == (5, 7) and layer.bias is None
    assert linear.out_shape({"out_features": 5, "bias": False}, (7,)) == (5,)
    assert registry.get("flatten").out_shape({}, (3, 4, 5)) == (60,)
    assert registry.get("relu").out_shape({}, (3, 4, 5)) == (3, 4, 5)
    dropout = registry.get("dropout").make({"p": 0.3, "inverted": False}, (8,))
    assert dropout.p == 0.3 and not dropout.inverted


def test_modules_are_looked_up_by_class_nearest_first():
    assert registry.kind_of(nn.Maxout(4, 2, 3)).name == "maxout"  # a subclass of Linear
    assert registry.kind_of(nn.Linear(4, 2)).name == "linear"

    class MyLinear(nn.Linear):
        pass

    assert registry.kind_of(MyLinear(2, 2)).name == "linear"
    assert registry.kind_of(nn.Softmax()) is None


def test_roles_pick_the_modules_the_rest_of_the_library_treats_alike():
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Dropout(0.1),
                          nn.Step(), nn.Maxout(8, 3, 2))
    kinds = lambda role: [type(m).__name__ for m in registry.modules_with_role(model, role)]  # noqa: E731
    assert kinds("weights") == ["Linear", "Maxout"]
    assert kinds("activation") == ["Tanh", "Maxout"]
    assert kinds("norm") == ["BatchNorm1d"]
    assert kinds("passthrough") == ["Dropout"]
    with pytest.raises(ValueError, match="unknown role 'weight'"):
        registry.has_role(model, "weight")


def test_a_new_kind_is_one_registration(monkeypatch):
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    monkeypatch.setattr(registry, "_BY_CLASS", dict(registry._BY_CLASS))

    class Twice(nn.Module):
        def __init__(self, factor: float = 2.0):
            super().__init__()
            self.factor = factor

        def forward(self, x):
            return x * self.factor

    kind = registry.register(LayerKind("twice", Twice, options={"factor": Option(float, 2.0)},
                                       roles={"activation"}))
    assert registry.get("twice") is kind and kind.make({"factor": 3.0}, (4,)).factor == 3.0
    assert registry.has_role(Twice(), "activation")
    with pytest.raises(ValueError, match="'twice' exists already"):
        registry.register(LayerKind("twice", Twice))


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "Conv"}, "lower-case"),
    ({"name": "x", "options": {"type": Option(int)}}, "'type' is the tag"),
    ({"name": "x", "head_option": "out"}, "head_option 'out' is not one of its options"),
    ({"name": "x", "roles": {"weight"}}, r"unknown roles \['weight'\]"),
])
def test_bad_kinds_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LayerKind(module=nn.Identity, **kwargs)


def test_unknown_names_list_the_known_ones():
    with pytest.raises(KeyError, match="no layer kind named 'conv9'; known: .*linear, "):
        registry.get("conv9")


def test_options_know_required_and_bounds():
    assert Option(int, gt=0).required and Option(int, gt=0).bounds == {"gt": 0}
    assert not Option(bool, True).required and Option(bool, True).bounds == {}
