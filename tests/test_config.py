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
