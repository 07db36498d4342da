"""export_onnx: every layer kind, checked by onnx.checker and run in onnxruntime (within 1e-5)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.io import export_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


MODELS = {
    "mlp": (lambda: nn.Sequential(nn.Flatten(), nn.Linear(12, 8), nn.BatchNorm1d(8), nn.ReLU(),
                                  nn.Dropout(0.3), nn.Linear(8, 5), nn.Softmax(axis=1)),
            (3, 12)),
    "activations": (lambda: nn.Sequential(nn.Linear(6, 6), nn.LeakyReLU(0.2), nn.Linear(6, 6),
                                          nn.ELU(0.5), nn.Tanh(), nn.Linear(6, 6),
                                          nn.Sigmoid(), nn.Softplus(), nn.PReLU(6),
                                          nn.Identity(), nn.LogSoftmax(axis=-1)), (4, 6)),
    "cnn": (lambda: nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                  nn.MaxPool2d(2), nn.Dropout2d(0.2),
                                  nn.Conv2d(4, 6, (3, 2), stride=(2, 1), dilation=(1, 2),
                                            groups=2, padding="valid"),
                                  nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False),
                                  nn.AdaptiveAvgPool2d((1, 3)), nn.Flatten(), nn.Linear(18, 3)),
            (2, 2, 10, 9)),
    "decoder": (lambda: nn.Sequential(nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                         output_padding=1),
                                      nn.ReLU(), nn.Upsample(scale_factor=2),
                                      nn.Conv2d(4, 2, 3, padding="same"),
                                      nn.Upsample(size=(9, 7), mode="bilinear"),
                                      nn.MaxPool2d(3, stride=2, padding=1),
                                      nn.AdaptiveAvgPool2d(1)), (2, 3, 4, 5)),
    "reshape": (lambda: nn.Sequential(nn.Reshape((1, 4, 6)), nn.Conv2d(1, 2, 3), nn.Flatten(),
                                      nn.Linear(16, 2)), (3, 24)),
    "sequence": (lambda: nn.Sequential(nn.Conv1d(3, 4, 3, stride=2, padding=1), nn.ReLU(),
                                       nn.Flatten(), nn.Linear(16, 2)), (2, 3, 8)),
}


@pytest.mark.parametrize("name", MODELS)
def test_onnx_runtime_matches_chainrule(name, tmp_path):
    make, shape = MODELS[name]
    cr.manual_seed(0)
    model = make()
    rng = np.random.default_rng(0)
    for m in model.modules():  # non-trivial running statistics
        if hasattr(m, "running_var") and m.running_var is not None:
            m.running_mean[...] = rng.standard_normal(m.running_mean.shape)
            m.running_var[...] = rng.uniform(0.5, 2.0, m.running_var.shape)
    path = tmp_path / f"{name}.onnx"
    export_onnx(model, np.zeros(shape, np.float32), path)
    onnx.checker.check_model(onnx.load(str(path)))
    assert model.training  # restored after the export
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for batch in (shape[0], 5):  # the batch axis is dynamic
        x = rng.standard_normal((batch,) + shape[1:]).astype(np.float32)
        (theirs,) = session.run(None, {"input": x})
        model.eval()
        with cr.no_grad():
            ours = model(cr.tensor(x)).data
        model.train()
        np.testing.assert_allclose(theirs, ours, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("model,message", [
    (nn.Sequential(nn.Linear(2, 2), nn.Maxout(2, 2, 2)), r"no ONNX conversion for Maxout"),
    (nn.Sequential(nn.AvgPool2d(2, divisor_override=3)), r"divisor_override"),
    (nn.Sequential(nn.Flatten(2)), r"only Flatten\(start_axis=1"),
])
def test_unsupported_layers_are_named_and_nothing_is_written(model, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        export_onnx(model, np.zeros((1, 2, 4, 4), np.float32), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
