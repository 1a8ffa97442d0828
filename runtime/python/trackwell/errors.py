"""Exception types, named and nested as in the W&B SDK so `except wandb.errors.UsageError` works."""


class Error(Exception):
    """Base class of every error the client raises on purpose."""

    def __init__(self, message="", context=None):
        super().__init__(message)
        self.message = message
        self.context = context


class CommError(Error):
    """The runtime could not be reached or answered badly (only raised where the caller asked for it)."""

    def __init__(self, msg="", exc=None):
        super().__init__(msg)
        self.exc = exc


class AuthenticationError(CommError):
    """Kept for compatibility; the local runtime uses a per-data-root token instead of logins."""


class UsageError(Error):
    """Invalid arguments or API misuse."""


class UnsupportedError(UsageError):
    """A feature the local client does not provide."""


class ConfigError(Error):
    """Changing a config value that is already set, without allow_val_change=True."""


__all__ = ["Error", "CommError", "AuthenticationError", "UsageError", "UnsupportedError", "ConfigError"]
