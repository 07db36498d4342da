import numpy as np
import pytest

from chainrule.viz import save_figure
from chainrule.viz.boundary import grid_points, plot_decision_boundary
from tests.viz.pngs import assert_sane_png


def test_grid_covers_the_samples_with_a_margin():
    gx, gy, points = grid_points(np.array([[0.0, 0.0], [1.0, 2.0]]), resolution=11, margin=0.1)
    assert gx[0] == pytest.approx(-0.1) and gx[-1] == pytest.approx(1.1)
    assert gy[0] == pytest.approx(-0.2) and gy[-1] == pytest.approx(2.2)
    assert points.shape == (121, 2) and points[12].tolist() == [gx[1], gy[1]]


def test_grid_rejects_non_2d_samples():
    with pytest.raises(ValueError, match=r"2-D points \(n, 2\), got shape \(4, 3\)"):
        grid_points(np.zeros((4, 3)))


def test_boundary_of_a_linear_rule_lies_on_the_line(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 2))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    gx, gy, points = grid_points(x, resolution=60)
    p1 = 1 / (1 + np.exp(-4 * (points[:, 0] + points[:, 1])))
    fig = plot_decision_boundary(x, y, gx, gy, np.column_stack([1 - p1, p1]), ["no", "yes"])
    ax = fig.axes[0]
    lines = [c for c in ax.collections
             if type(c).__name__ == "QuadContourSet" and len(c.levels) == 1]
    assert len(lines) == 2  # p(no) = 0.5 and p(yes) = 0.5: the same line
    vertices = np.concatenate([p.vertices for c in lines for p in c.get_paths()])
    assert len(vertices) > 10
    assert np.abs(vertices.sum(1)).max() < 0.1  # x1 + x2 = 0
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no", "yes"]
    assert_sane_png(save_figure(fig, tmp_path / "boundary.png"))
