import numpy as np
import pytest

from chainrule.viz import save_figure
from chainrule.viz.classification import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_precision_recall,
    precision_recall,
)
from tests.viz.pngs import assert_sane_png

Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
Y_PRED = np.array([0, 0, 1, 1, 1, 2, 2, 0, 2, 2])


def test_confusion_matrix_counts_true_rows_against_predicted_columns():
    assert confusion_matrix(Y_TRUE, Y_PRED).tolist() == [[2, 1, 0], [0, 2, 0], [1, 0, 4]]
    assert confusion_matrix([1], [1], n_classes=3).tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 0]]


def test_precision_and_recall_match_scikit_learn():
    from sklearn.metrics import precision_score, recall_score

    precision, recall = precision_recall(confusion_matrix(Y_TRUE, Y_PRED))
    np.testing.assert_allclose(precision, precision_score(Y_TRUE, Y_PRED, average=None))
    np.testing.assert_allclose(recall, recall_score(Y_TRUE, Y_PRED, average=None))


@pytest.mark.parametrize(("t", "p", "match"), [([0, 1], [0], "2 labels"),
                                               ([0, 5], [0, 1], r"labels must be in \[0, 3\)")])
def test_bad_labels_raise(t, p, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(t, p, n_classes=3 if "5" in str(t) else None)


def test_confusion_plot_writes_counts_and_accuracy(tmp_path):
    fig = plot_confusion_matrix(Y_TRUE, Y_PRED, ["cat", "dog", "<b>bird</b>"])
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts if t.get_text().isdigit()) == \
        ["1", "1", "2", "2", "4"]
    assert "accuracy 80.0%" in ax.get_title(loc="left")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "<b>bird</b>"]
    assert_sane_png(save_figure(fig, tmp_path / "confusion.png"))


def test_precision_recall_plot_has_three_bars_per_class(tmp_path):
    fig = plot_precision_recall(Y_TRUE, Y_PRED)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 9
    np.testing.assert_allclose(heights[3:6], [2 / 3, 1.0, 0.8])  # recall per class
    assert_sane_png(save_figure(fig, tmp_path / "pr.png"))
