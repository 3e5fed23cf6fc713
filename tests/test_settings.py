from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Environment, Settings


def test_embedded_defaults_use_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    assert settings.env is Environment.DEVELOPMENT
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'samplan.db'}"


def test_keys_are_generated_once_and_kept(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key()
    again = Settings(data_dir=tmp_path).resolved_secret_key()
    assert first == again and len(first) >= 48
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert Settings(data_dir=tmp_path).resolved_data_key() != first


def test_production_refuses_to_start_without_explicit_keys(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="SAMPLAN_SECRET_KEY"):
        Settings(env=Environment.PRODUCTION, data_dir=tmp_path)


def test_settings_come_from_samplan_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SAMPLAN_ENV", "production")
    monkeypatch.setenv("SAMPLAN_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("SAMPLAN_DATA_KEY", "d" * 40)
    monkeypatch.setenv("SAMPLAN_DATABASE_URL", "postgresql+asyncpg://samplan@db/samplan")
    monkeypatch.setenv("SAMPLAN_CITIZEN_OIDC_ISSUER", "https://idporten.no")
    monkeypatch.setenv("SAMPLAN_EMPLOYEE_OIDC_ISSUER", "https://helseid-sts.nhn.no")
    settings = Settings(data_dir=tmp_path)
    assert settings.is_production
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://")
    assert "s" * 40 not in repr(settings)  # secrets never show in a repr or a log
