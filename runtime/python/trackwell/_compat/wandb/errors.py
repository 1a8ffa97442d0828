"""`wandb.errors`: the same exception classes as `trackwell.errors`."""
from trackwell.errors import AuthenticationError, CommError, ConfigError, Error, UnsupportedError, UsageError

__all__ = ["AuthenticationError", "CommError", "ConfigError", "Error", "UnsupportedError", "UsageError"]
