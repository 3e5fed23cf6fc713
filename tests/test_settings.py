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
    monkeypatch.setenv("SAMPLAN_SMTP_HOST", "smtp.example")
    settings = Settings(data_dir=tmp_path)
    assert settings.is_production
    assert settings.resolved_database_url.startswith("postgresql+asyncpg://")
    assert "s" * 40 not in repr(settings)  # secrets never show in a repr or a log


def _production(tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.PRODUCTION,
        "data_dir": tmp_path,
        "secret_key": "s" * 40,
        "data_key": "d" * 40,
        "citizen_oidc_issuer": "https://idporten.no",
        "employee_oidc_issuer": "https://helseid-sts.nhn.no",
        **extra,
    }
    return Settings.model_validate(values)


def test_r_note_1_production_refuses_to_start_without_smtp(tmp_path: Path) -> None:
    # Notices written to a folder on a production server would reach nobody.
    with pytest.raises(ValidationError, match="SAMPLAN_SMTP_HOST"):
        _production(tmp_path)
    assert _production(tmp_path, smtp_host="smtp.example").is_production


def test_sms_is_offered_with_a_gateway_or_in_development_only(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).sms_available  # the outbox gateway
    assert not _production(tmp_path, smtp_host="smtp.example").sms_available
    with_gateway = _production(
        tmp_path, smtp_host="smtp.example", sms_gateway_url="https://sms.example/send"
    )
    assert with_gateway.sms_available
