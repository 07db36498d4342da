import chainrule as cr


def test_worked_example_add_mul_gate():
    # f = (x + y) z: dz = x + y, dx = dy = z.
    x, y, z = (cr.tensor(v, dtype="float64", requires_grad=True) for v in (-2.0, 5.0, -4.0))
    f = (x + y) * z
    f.backward()
    assert f.item() == (-2.0 + 5.0) * -4.0
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)
