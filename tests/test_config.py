"""Settings: documented, and layered defaults < tieline.toml < TIELINE_* < overrides."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from tieline.config import Settings, load_settings, setting_help
from tieline.errors import ConfigError


def test_every_setting_has_a_default_and_help() -> None:
    helps = setting_help()
    for f in fields(Settings):
        assert helps[f.name].strip(), f"setting {f.name} has no help"
        assert helps[f.name].endswith("."), f"help of {f.name} should be a sentence"


def test_precedence_toml_env_overrides(tmp_path: Path) -> None:
    toml = tmp_path / "tieline.toml"
    toml.write_text(
        '[tieline]\ndb = "from-toml.db"\nbatch_size = 8\nworkers = 3\n', encoding="utf-8"
    )
    s = load_settings(
        {"workers": "5"}, env={"TIELINE_BATCH_SIZE": "16", "OTHER": "x"}, toml_path=toml
    )
    assert s.db == "from-toml.db"
    assert s.batch_size == 16
    assert s.workers == 5


def test_bad_values_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="batch_size"):
        load_settings({"batch_size": "many"}, env={}, toml_path=None)
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({"colour": "red"}, env={}, toml_path=None)
    bad = tmp_path / "tieline.toml"
    bad.write_text("db = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(env={}, toml_path=bad)


def test_booleans_and_lists_from_text() -> None:
    s = load_settings(
        {"allow_private": "yes", "gazetteers": "a.jsonl,b.jsonl"}, env={}, toml_path=None
    )
    assert s.allow_private is True
    assert s.gazetteers == ("a.jsonl", "b.jsonl")


@pytest.mark.parametrize(
    ("overrides", "env", "toml", "words"),
    [
        ({"progress": "maybe"}, {}, None, ("progress", "true or false")),
        ({"batch_size": "0"}, {}, None, ("batch_size", "at least 1")),
        ({"engine": "spark"}, {}, None, ("engine", "local, process, ray")),
        ({"near_dup_threshold": "1.5"}, {}, None, ("near_dup_threshold", "between 0 and 1")),
        ({}, {"TIELINE_WORKERS": "two"}, None, ("TIELINE_WORKERS", "whole number")),
        ({}, {"TIELINE_WORKERS": "0"}, None, ("TIELINE_WORKERS", "at least 1")),
        ({}, {}, "batch_size = true\n", ("tieline.toml", "batch_size", "whole number")),
        ({}, {}, "db = 5\n", ("tieline.toml", "db", "text")),
        ({}, {}, "gazetteers = [1, 2]\n", ("tieline.toml", "gazetteers", "list of text")),
        ({}, {}, "workers = 0\n", ("tieline.toml", "workers", "at least 1")),
    ],
)
def test_bad_values_name_their_origin(
    tmp_path: Path,
    overrides: dict[str, str],
    env: dict[str, str],
    toml: str | None,
    words: tuple[str, ...],
) -> None:
    path = tmp_path / "tieline.toml"
    if toml is not None:
        path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(overrides, env=env, toml_path=path)
    message = str(info.value)
    assert "\n" not in message
    for w in words:
        assert w in message


def test_typed_toml_values_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "tieline.toml"
    path.write_text(
        "fetch_timeout_s = 5\nfollow_links = true\nallow_hosts = ['a.example']\n", encoding="utf-8"
    )
    s = load_settings(env={"TIELINE_PROGRESS": "off"}, toml_path=path)
    assert s.fetch_timeout_s == 5.0
    assert isinstance(s.fetch_timeout_s, float)
    assert s.follow_links is True
    assert s.allow_hosts == ("a.example",)
    assert s.progress is False
