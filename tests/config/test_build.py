"""Builders: the model from the layer registry with full sample shapes, and one table per
section that covers exactly the names the schema accepts."""

import typing
from types import SimpleNamespace

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.config import build, build_optim, schema, steps
from chainrule.config.layers import layer_model
from chainrule.nn import registry


def _layers(*specs):
    return SimpleNamespace(layers=[layer_model(registry.get(s["type"]))(**s) for s in specs])


def _step_models(union):
    return {typing.get_args(m.model_fields["name"].annotation)[0]: m
            for m in typing.get_args(typing.get_args(union)[0])}


def _tags(union):
    return {tag for m in typing.get_args(typing.get_args(union)[0])
            for tag in typing.get_args(m.model_fields["name"].annotation)}


def test_image_samples_are_flattened_just_before_the_first_dense_layer():
    cfg = _layers({"type": "relu"}, {"type": "linear", "out_features": 16},
                  {"type": "linear", "out_features": 99})
    model = build.build_model(cfg, (1, 8, 8), 10)
    assert [type(m).__name__ for m in model] == ["ReLU", "Flatten", "Linear", "Linear"]
    assert model[2].weight.shape == (16, 64) and model[3].weight.shape == (10, 16)
    assert model(cr.Tensor(np.zeros((2, 1, 8, 8), np.float32))).shape == (2, 10)
    flat = build.build_model(_layers({"type": "linear", "out_features": 3}), (64,), 3)
    assert [type(m).__name__ for m in flat] == ["Linear"]


def test_a_registered_shape_changing_kind_is_tracked(monkeypatch):
    monkeypatch.setattr(registry, "_KINDS", dict(registry._KINDS))
    monkeypatch.setattr(registry, "_BY_CLASS", dict(registry._BY_CLASS))

    class HalfWidth(nn.Module):  # (C, H, W) -> (C, H, W // 2): keeps every other column
        def forward(self, x):
            return x[:, :, :, ::2]

    registry.register(registry.LayerKind(
        "half_width", HalfWidth, output_shape=lambda o, s: (s[0], s[1], (s[2] + 1) // 2)))
    cfg = _layers({"type": "half_width"}, {"type": "half_width"},
                  {"type": "linear", "out_features": 5})
    model = build.build_model(cfg, (3, 4, 8), 5)
    assert model[3].weight.shape == (5, 3 * 4 * 2)
    assert model(cr.Tensor(np.ones((2, 3, 4, 8), np.float32))).shape == (2, 5)


def test_a_network_that_does_not_end_in_the_output_size_is_refused():
    with pytest.raises(ValueError, match=r"ends with samples of shape \(64,\) but the data "
                                         r"needs \(10,\)"):
        build.build_model(_layers({"type": "relu"}), (64,), 10)


def test_layer_errors_name_the_layer_and_the_shape():
    with pytest.raises(ValueError, match=r"model.layers.0 \(maxout\) on samples of shape"):
        build.build_model(_layers({"type": "maxout", "out_features": 4, "pieces": 2},
                                  {"type": "dropout"}), (0,), 4)


def test_every_name_the_schema_accepts_has_exactly_one_builder():
    assert _tags(steps.PreprocessStep) == set(build.PREPROCESS)
    assert _tags(steps.AugmentStep) == set(build.AUGMENT)
    assert _tags(schema.OptimizerConfig) == set(build_optim.OPTIMIZERS)
    assert _tags(schema.ScheduleConfig) == set(build_optim.SCHEDULES) | {"plateau"}
    assert set(typing.get_args(schema.LossConfig.model_fields["name"].annotation)) == \
        set(build.LOSSES)
    assert set(build.PENALTIES) == set(schema.RegularizationConfig.model_fields) - {"label_noise"}
    assert set(typing.get_args(schema.INITS)) == set(build.INITS) | {"default", "lsuv"}


def test_every_step_builds_with_its_options():
    made = build.build_augment([m(name=n, **({"size": 6} if n == "crop" else {}))
                                for n, m in _step_models(steps.AugmentStep).items()], 10)
    assert [type(t) for t in made.transforms] == list(build.AUGMENT.values())
    pipeline = build.build_preprocess([m(name=n) for n, m in
                                       _step_models(steps.PreprocessStep).items()])
    assert len(pipeline.steps) == len(build.PREPROCESS)



def test_unflattened_images_keep_their_shape_with_a_channel_axis():
    flat = build.build_data(schema.DataConfig(dataset="digits"), seed=0)
    images = build.build_data(schema.DataConfig(dataset="digits", flatten=False), seed=0)
    assert flat.train.x.shape[1:] == (64,) and images.train.x.shape[1:] == (1, 8, 8)
    np.testing.assert_array_equal(images.train.x.reshape(len(images.train), -1), flat.train.x)
    cfg = _layers({"type": "linear", "out_features": 10})
    model = build.build_model(cfg, images.train.x.shape[1:], 10)
    assert [type(m).__name__ for m in model] == ["Flatten", "Linear"]
