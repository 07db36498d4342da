"""Run configuration: the TOML schema, loading with overrides, and clear validation errors."""

from chainrule.config.loading import ConfigError, apply_override, load_config, to_toml, validate
from chainrule.config.schema import RunConfig

__all__ = ["ConfigError", "RunConfig", "apply_override", "load_config", "to_toml", "validate"]
