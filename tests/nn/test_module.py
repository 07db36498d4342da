import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.autograd.flat import FlatBuffer


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.scale = nn.Parameter(np.ones(4))
        self.register_buffer("count", np.zeros((), dtype=np.int64))
        self.register_buffer("scratch", np.zeros(2), persistent=False)
        self.act = nn.Tanh()

    def forward(self, x):
        return self.act(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.block(x))


def _torch_net():
    torch = pytest.importorskip("torch")

    class TorchBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(3, 4)
            self.scale = torch.nn.Parameter(torch.ones(4))
            self.register_buffer("count", torch.zeros((), dtype=torch.int64))
            self.register_buffer("scratch", torch.zeros(2), persistent=False)
            self.act = torch.nn.Tanh()

    class TorchNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.block = TorchBlock()
            self.head = torch.nn.Linear(4, 2)

    return TorchNet()


def test_names_and_order_match_torch():
    net, theirs = Net(), _torch_net()
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(net.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in net.named_modules()] == [n for n, _ in theirs.named_modules()]


def test_registration_order_and_dotted_names():
    net = Net()
    # A module's own parameters come before its children's, as in torch.
    assert [n for n, _ in net.named_parameters()] == [
        "block.scale", "block.fc.weight", "block.fc.bias", "head.weight", "head.bias"]
    assert [n for n, _ in net.named_modules()] == ["", "block", "block.fc", "block.act", "head"]
    assert [n for n, _ in net.named_children()] == ["block", "head"]
    assert [n for n, _ in net.named_buffers()] == ["block.count", "block.scratch"]
    assert net.num_parameters() == 3 * 4 + 4 + 4 + 4 * 2 + 2


def test_shared_parameter_listed_once_but_in_state_dict_twice():
    a = nn.Linear(2, 2)
    net = nn.Sequential(a, nn.ReLU(), a)
    assert len(list(net.parameters())) == 2
    assert net.num_parameters() == 6
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_reassigning_keeps_position_and_none_unregisters():
    net = Net()
    net.block = Block()  # same name: same place
    assert [n for n, _ in net.named_children()] == ["block", "head"]
    net.head.bias = None
    assert "head.bias" not in dict(net.named_parameters())
    del net.head
    assert [n for n, _ in net.named_children()] == ["block"]


def test_bad_assignments_raise_clear_errors():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign ndarray as parameter 'weight'"):
        layer.weight = np.zeros((2, 2))
    with pytest.raises(TypeError, match="buffer 'x' must be a numpy.ndarray"):
        layer.register_buffer("x", [1, 2])
    with pytest.raises(KeyError, match="without '.'"):
        layer.register_buffer("a.b", np.zeros(1))

    class Forgot(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(np.zeros(1))

    with pytest.raises(AttributeError, match="before Forgot.__init__ called super"):
        Forgot()
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        layer.nope  # noqa: B018


def test_train_eval_propagate():
    net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_fills_in_place_and_keeps_flat_views():
    net = Net()
    params = list(net.parameters())
    buf = FlatBuffer(params)
    net(cr.randn(5, 3)).sum().backward()
    assert np.abs(buf.grad).sum() > 0
    grads = [p.grad for p in params]
    net.zero_grad()
    assert all(p.grad is g for p, g in zip(params, grads, strict=True))
    assert not buf.grad.any()
    buf.check()


def test_requires_grad_freeze_subtree():
    net = Net()
    net.block.freeze()
    net(cr.randn(4, 3)).sum().backward()
    assert all(p.grad is None for p in net.block.parameters())
    assert all(p.grad is not None for p in net.head.parameters())
    assert net.num_parameters(trainable_only=True) == 10
    net.unfreeze()
    assert all(p.requires_grad for p in net.parameters())


def test_forward_hooks_observe_replace_and_remove():
    layer = nn.Linear(3, 2)
    seen = []
    handle = layer.register_forward_hook(lambda m, i, o: seen.append((m, i[0].shape, o.shape)))
    x = cr.randn(4, 3)
    layer(x)
    assert seen == [(layer, (4, 3), (4, 2))]
    handle.remove()
    layer(x)
    assert len(seen) == 1
    with layer.register_forward_hook(lambda m, i, o: o * 0.0):
        assert not layer(x).data.any()
    assert layer(x).data.any()
    with layer.register_forward_pre_hook(lambda m, i: i[0] * 0.0):
        np.testing.assert_array_equal(layer(x).data, np.broadcast_to(layer.bias.data, (4, 2)))


def test_state_dict_is_a_copy_with_persistent_buffers():
    net = Net()
    state = net.state_dict()
    assert list(state) == ["block.scale", "block.count", "block.fc.weight", "block.fc.bias",
                           "head.weight", "head.bias"]
    state["head.bias"][...] = 123.0
    assert not (net.head.bias.data == 123.0).any()


def test_load_state_dict_round_trip_is_bit_exact_and_in_place():
    source, target = Net(), Net()
    source.block.count[...] = 7
    arrays = [p.data for p in target.parameters()]
    target.load_state_dict(source.state_dict())
    for (name, a), b in zip(target.state_dict().items(), source.state_dict().values(),
                            strict=True):
        assert a.tobytes() == b.tobytes(), name
    assert all(p.data is a for p, a in zip(target.parameters(), arrays, strict=True))


def _snapshot(module):
    return {k: v.tobytes() for k, v in module.state_dict().items()}


def test_load_state_dict_errors_list_everything_and_change_nothing():
    net = Net()
    before = _snapshot(net)
    state = Net().state_dict()
    del state["head.bias"]
    state["extra"] = np.zeros(1)
    state["block.fc.weight"] = np.zeros((5, 3), dtype=np.float32)
    state["block.count"] = np.array(1.5)
    with pytest.raises(nn.StateDictError) as err:
        net.load_state_dict(state)
    msg = str(err.value)
    assert "missing keys: ['head.bias']" in msg
    assert "unexpected keys: ['extra']" in msg
    assert "'block.fc.weight': shape (5, 3) in the state dict, (4, 3) in the model" in msg
    assert "'block.count': dtype float64 cannot be copied into int64" in msg
    assert _snapshot(net) == before


def test_load_state_dict_non_strict_reports_keys():
    net = Net()
    state = Net().state_dict()
    del state["head.bias"]
    state["extra"] = np.zeros(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["head.bias"]
    assert result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(net.head.weight.data, state["head.weight"])


def test_load_state_dict_accepts_tensors_and_float64():
    layer = nn.Linear(2, 2)
    w = np.arange(4.0).reshape(2, 2)
    layer.load_state_dict({"weight": cr.tensor(w, dtype="float64"), "bias": np.zeros(2)})
    assert layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, w)


def test_repr_is_torch_like_with_parameter_counts():
    net = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10, bias=False))
    text = repr(net)
    assert text.splitlines() == [
        "Sequential(",
        "  (0): Linear(in_features=784, out_features=512, bias=True)  # 401,920 parameters",
        "  (1): ReLU()",
        "  (2): Linear(in_features=512, out_features=10, bias=False)  # 5,120 parameters",
        ")  # 407,040 parameters (407,040 trainable)",
    ]
    assert repr(nn.Linear(2, 3)) == "Linear(in_features=2, out_features=3, bias=True)"
    assert repr(nn.Parameter(np.zeros(1))).startswith("Parameter containing:")


def test_apply_visits_children_first():
    net = Net()
    order = []
    net.apply(lambda m: order.append(type(m).__name__))
    assert order == ["Linear", "Tanh", "Block", "Linear", "Net"]


def test_float64_module_passes_gradcheck():
    net = Net().double()
    x = cr.tensor(np.random.default_rng(0).standard_normal((3, 3)), dtype="float64",
                  requires_grad=True)
    assert all(p.dtype == np.float64 for p in net.parameters())
    cr.gradcheck(lambda x, *ps: net(x), [x, *net.parameters()])


def test_parameter_keeps_tensor_dtype_and_shares_data():
    t = cr.tensor([1.0, 2.0], dtype="float64")
    p = nn.Parameter(t)
    assert p.dtype == np.float64 and p.requires_grad
    assert np.shares_memory(p.data, t.data)
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad


def test_module_save_load_and_wrong_architecture(tmp_path):
    source = Net()
    path = tmp_path / "net.safetensors"
    source.save(path)
    target = Net()
    target.load(path)
    assert _snapshot(target) == _snapshot(source)
    wrong = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    before = _snapshot(wrong)
    with pytest.raises(nn.StateDictError, match="missing keys"):
        wrong.load(path)
    assert _snapshot(wrong) == before


def test_freeze_upto_a_child_by_name_position_or_path():
    def net():
        return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3),
                             nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 2)))

    def trainable(model):
        return [name for name, p in model.named_parameters() if p.requires_grad]

    model = net().freeze(upto="2")
    assert trainable(model) == ["3.0.weight", "3.0.bias", "3.1.weight", "3.1.bias"]
    assert trainable(net().freeze(upto=-2)) == trainable(model)
    assert trainable(net().freeze(upto="3.0")) == ["3.1.weight", "3.1.bias"]
    assert trainable(net().freeze(upto=0)) == trainable(net())[2:]
    model.unfreeze()
    assert trainable(model) == trainable(net())


@pytest.mark.parametrize("upto,message", [("7", r"no child '7'.*\['0', '1'\]"),
                                          (5, r"no child 5"), ("0.x", r"Linear has no child")])
def test_freeze_upto_a_missing_child_changes_nothing(upto, message):
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    with pytest.raises(ValueError, match=message):
        model.freeze(upto=upto)
    assert all(p.requires_grad for p in model.parameters())


def test_to_takes_dtypes_torch_dtypes_and_cpu():
    import chainrule as cr

    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    assert model.to("cpu") is model and model[0].weight.dtype == np.float32
    assert model.to("float64")[0].weight.dtype == np.float64
    assert model.to("cpu", np.float32)[1].running_mean.dtype == np.float32
    assert model.to(device="cpu", dtype="float64")[0].bias.dtype == np.float64
    torch = pytest.importorskip("torch")
    assert model.to(torch.float32)[0].weight.dtype == np.float32
    with pytest.raises(ValueError, match=r"CPU only, got device 'cuda'.*float16, float32, float64"):
        model.to("cuda")
    with pytest.raises(TypeError, match=r"floating dtype \(float16, float32, float64\)"):
        model.to(np.int64)
    assert model(cr.ones(4, 2)).dtype == np.float32
