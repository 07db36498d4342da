import pytest

from chainrule.viz import figure_png, save_figure
from chainrule.viz.style import new_figure
from tests.viz.pngs import SIGNATURE, assert_sane_png


def _figure():
    fig, axes = new_figure()
    axes[0][0].plot([0, 1, 2], [2, 0, 1])
    return fig


def test_save_figure_writes_a_png_atomically_and_returns_the_path(tmp_path):
    path = save_figure(_figure(), tmp_path / "a.png")
    assert path == tmp_path / "a.png"
    assert_sane_png(path)
    assert [p.name for p in tmp_path.iterdir()] == ["a.png"]  # no temporary file left


def test_save_figure_into_a_missing_folder_raises_and_writes_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_figure(_figure(), tmp_path / "missing" / "a.png")
    assert list(tmp_path.iterdir()) == []


def test_save_figure_closes_pyplot_figures(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.add_subplot().plot([1, 2])
    save_figure(fig, tmp_path / "p.png")
    assert fig.number not in plt.get_fignums()


def test_figure_png_is_png_bytes():
    assert figure_png(_figure())[:8] == SIGNATURE
