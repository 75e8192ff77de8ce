"""Settings come from the environment, with safe defaults and clear errors."""

import os
import re
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from cadre.cli import main
from cadre.env import env_bool, env_list, env_str

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-secret-key-for-tests-only-0123456789abcdefghijklmnop",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "cadre.example",
}


def _settings_value(env: dict[str, str], expression: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    code = f"import cadre.settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_debug_is_off(tmp_path):
    result = _settings_value({"DEBUG": "0", "CADRE_DATA_DIR": str(tmp_path)}, "s.DEBUG")

    assert result.returncode == 1
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off." in result.stderr


def test_encryption_keys_are_required_when_debug_is_off(tmp_path):
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": "", "CADRE_DATA_DIR": str(tmp_path)}

    result = _settings_value(env, "s.DEBUG")

    assert result.returncode == 1
    assert "FIELD_ENCRYPTION_KEYS must be set when DEBUG is off" in result.stderr


def test_default_database_is_sqlite_under_the_data_dir(tmp_path):
    result = _settings_value(
        {"DEBUG": "1", "CADRE_DATA_DIR": str(tmp_path)}, "s.DATABASES['default']['NAME']"
    )

    assert result.stdout.strip() == str(tmp_path / "cadre.sqlite3")


def test_database_url_switches_to_postgresql(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "CADRE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://u:p@db:5433/cadre",
    }

    result = _settings_value(
        env, "(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['PORT'])"
    )

    assert result.stdout.strip() == "('django.db.backends.postgresql', 5433)"


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = {**os.environ, **PRODUCTION_ENV, "CADRE_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)

    result = subprocess.run(
        [sys.executable, "-m", "cadre.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_secrets_can_come_from_files(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    monkeypatch.setenv("A_FLAG", "yes")
    monkeypatch.setenv("A_LIST", "a, b,,c")

    assert env_str("SOME_SECRET") == "from-a-file"
    assert env_bool("A_FLAG") is True
    assert env_list("A_LIST") == ["a", "b", "c"]


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("A_FLAG", "maybe")

    expected = "A_FLAG must be a boolean (1/0, true/false, yes/no, on/off), got 'maybe'"
    with pytest.raises(ValueError, match=re.escape(expected)):
        env_bool("A_FLAG")


def test_cli_accepts_hyphenated_command_names(capsys):
    main(["cadre", "generate-encryption-key"])

    key = capsys.readouterr().out.strip()
    assert Fernet(key.encode())  # a valid key
    assert len(key) == 44


def test_a_malformed_encryption_key_is_named(tmp_path):
    env = {**PRODUCTION_ENV, "FIELD_ENCRYPTION_KEYS": "not-a-key", "CADRE_DATA_DIR": str(tmp_path)}

    result = _settings_value(env, "s.DEBUG")

    assert result.returncode == 1
    assert "FIELD_ENCRYPTION_KEYS: key 1 is not a Fernet key" in result.stderr
