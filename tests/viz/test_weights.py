import numpy as np
import pytest

from chainrule.viz import save_figure
from chainrule.viz.weights import plot_weight_grid, unit_images
from tests.viz.pngs import assert_sane_png


def test_unit_images_reshape_rows_and_average_channels():
    w = np.arange(2 * 12).reshape(2, 12)
    assert unit_images(w, (3, 4))[1].tolist() == w[1].reshape(3, 4).tolist()
    assert unit_images(w, (2, 2, 3)).shape == (2, 2, 3)
    conv = np.ones((5, 3, 4, 4))
    assert unit_images(conv).shape == (5, 4, 4)


def test_unit_images_name_the_mismatch():
    with pytest.raises(ValueError, match=r"64 input features do not make an image of shape "
                                         r"\(7, 7\)"):
        unit_images(np.zeros((3, 64)), (7, 7))


def test_weight_grid_draws_one_image_per_unit_up_to_the_limit(tmp_path):
    rng = np.random.default_rng(0)
    fig = plot_weight_grid(rng.normal(size=(40, 64)), (8, 8), max_units=30)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 30 and images[0].get_array().shape == (8, 8)
    assert "30 of 40 units" in fig.get_suptitle()
    lo, hi = images[0].get_clim()
    assert lo == -hi  # symmetric around zero: red positive, blue negative
    assert_sane_png(save_figure(fig, tmp_path / "weights.png"))
