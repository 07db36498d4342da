import numpy as np
import pytest

import chainrule as cr
from chainrule import nn


def test_sequential_chains_modules():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = cr.randn(5, 3)
    expected = net[2](net[1](net[0](x)))
    np.testing.assert_array_equal(net(x).data, expected.data)


def test_sequential_indexing_slicing_len_iter():
    layers = [nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2), nn.Sigmoid()]
    net = nn.Sequential(*layers)
    assert len(net) == 4
    assert list(net) == layers
    assert net[-1] is layers[-1]
    tail = net[2:]
    assert isinstance(tail, nn.Sequential) and list(tail) == layers[2:]
    # Slices keep the original names, so their state dicts line up with the whole.
    assert list(tail.state_dict()) == ["2.weight", "2.bias"]
    with pytest.raises(IndexError, match="index 4 is out of range for 4 modules"):
        net[4]


def test_sequential_append_setitem_and_named_constructor():
    net = nn.Sequential({"encoder": nn.Linear(2, 3), "act": nn.ReLU()})
    assert [n for n, _ in net.named_children()] == ["encoder", "act"]
    net.append(nn.Linear(3, 1))
    assert [n for n, _ in net.named_children()] == ["encoder", "act", "2"]
    net[1] = nn.Tanh()
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear"]
    assert [n for n, _ in net.named_children()] == ["encoder", "act", "2"]


def test_module_list_registers_parameters():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    blocks.append(nn.Linear(2, 1))
    assert len(blocks) == 4
    assert [n for n, _ in blocks.named_parameters()][-2:] == ["3.weight", "3.bias"]
    assert isinstance(blocks[1:3], nn.ModuleList) and len(blocks[1:3]) == 2
    blocks[0] = nn.Identity()
    assert isinstance(blocks[0], nn.Identity)
    with pytest.raises(NotImplementedError, match="ModuleList does not define forward"):
        blocks(cr.randn(1, 2))


def test_sequential_repr_nested_counts():
    net = nn.Sequential(nn.Sequential(nn.Linear(2, 2)), nn.ReLU())
    assert repr(net).splitlines() == [
        "Sequential(",
        "  (0): Sequential(  # 6 parameters",
        "    (0): Linear(in_features=2, out_features=2, bias=True)  # 6 parameters",
        "  )",
        "  (1): ReLU()",
        ")  # 6 parameters (6 trainable)",
    ]
