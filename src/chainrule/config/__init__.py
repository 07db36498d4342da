"""Run configuration: the TOML schema (pydantic, every table strict), loading with
overrides and clear validation errors, and the builders that turn a config into
data, model, optimizer and the rest. Only :mod:`chainrule.runs` reads configs.

Modules:

- :mod:`~chainrule.config.section`: ``Section``, the strict base of every table;
- :mod:`~chainrule.config.schema`: ``RunConfig`` (the whole file) and the small sections;
- :mod:`~chainrule.config.steps`: ``preprocess`` and ``augment`` steps (tagged on ``name``);
- :mod:`~chainrule.config.layers`: the ``[model]`` layers, derived from the layer
  registry (:mod:`chainrule.nn.registry`), tagged on ``type``;
- :mod:`~chainrule.config.optim`: ``[optimizer]`` and ``[schedule]`` (tagged on ``name``);
- :mod:`~chainrule.config.datasets`: the ``[data] dataset`` names and their loaders;
- :mod:`~chainrule.config.loading`: TOML, ``--set key=value``, shipped configs by name,
  error messages naming the key, the value and the allowed keys;
- :mod:`~chainrule.config.build` and :mod:`~chainrule.config.build_optim`: one table
  per section (name -> maker), no ``elif`` ladders.

Adding an optional section (``[search]``, ``[ensemble]``, ...): write its model in a
file of its own, e.g. ``config/search.py``::

    from chainrule.config.section import Section

    class SearchConfig(Section):
        trials: PositiveInt = 20
        ...

then plug it into :class:`~chainrule.config.schema.RunConfig` with one line,
``search: SearchConfig | None = None``; ``config.search`` is None when the file
has no ``[search]`` table. Unknown keys in it are errors naming the key and its
value; ``--set search.trials=50`` works; ``to_toml`` writes it back. A tagged
union of variants is ``Annotated[A | B, Field(discriminator="name")]`` with
``name: Literal["a"]`` in each. Build it in your own ``runs/<job>.py`` (or a
table in ``config/build_<section>.py``). Adding a layer kind needs no edit here
(register it in :mod:`chainrule.nn.registry`); adding a dataset is an entry in
:data:`~chainrule.config.datasets.DATASETS`.

Layer: below ``runs``, above ``data``, ``optim``, ``nn``, ``functional`` and ``autograd``,
which it builds from; read only by ``runs`` (and by ``search``'s space of config keys).
"""

from chainrule.config.loading import ConfigError, apply_override, load_config, to_toml, validate
from chainrule.config.schema import RunConfig

__all__ = ["ConfigError", "RunConfig", "apply_override", "load_config", "to_toml", "validate"]
