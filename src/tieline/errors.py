"""Errors. Each one says what went wrong and what to do next."""


class TielineError(Exception):
    """Base class of every error Tieline raises on purpose."""


class ConfigError(TielineError):
    """A setting or a pipeline definition is wrong; fix the configuration and run again."""


class InputError(TielineError):
    """An input could not be read, decoded or parsed; the run skips it and goes on."""


class StoreError(TielineError):
    """The store could not be opened or written; check the --db URL and its permissions."""


class MissingExtraError(TielineError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, extra: str, what: str) -> None:
        super().__init__(
            f"{what} needs the '{extra}' extra: pip install 'tieline[{extra}]' (or make install)"
        )
        self.extra = extra


class NotFoundError(TielineError):
    """A named entity, document or event is not in the store."""


class FilterError(ConfigError):
    """A filter names a value the store does not hold (a country, sector, type, measure or
    pair); the message names the valid values or the closest one."""
