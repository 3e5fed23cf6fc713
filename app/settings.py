"""Configuration from the environment (prefix SAMPLAN_), built in create_app, never at import."""

from __future__ import annotations

import secrets
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ConfigurationError(Exception):
    """The deployment is configured in a way that must not start."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMPLAN_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    # Where the embedded run keeps its SQLite file, generated keys and mail outbox.
    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str | None = None
    # PostgreSQL connections kept open per app process. Too few, and every request past them
    # opens and closes a connection of its own (slow, and a storm under load); each process
    # may hold pool + overflow, so keep processes × that under the server's max_connections.
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    data_key: SecretStr | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Multipart uploads: a message with five files of 10 MB each (app/attachments), or a
    # 10 MB PDF (app/documents), plus the form around them. Past 1 MB they wait on disk.
    max_upload_bytes: int = Field(default=51 * 1_048_576, ge=1024)
    log_level: str = "INFO"
    # Identity providers. Unset issuer: the built-in development provider (never in production).
    citizen_oidc_issuer: str | None = None
    citizen_oidc_client_id: str = "samplan"
    citizen_oidc_client_secret: SecretStr | None = None
    citizen_oidc_private_key: SecretStr | None = None
    citizen_oidc_key_id: str | None = None
    citizen_oidc_acr: str = "idporten-loa-high"
    citizen_oidc_scopes: str = "openid profile"
    employee_oidc_issuer: str | None = None
    employee_oidc_client_id: str = "samplan"
    employee_oidc_client_secret: SecretStr | None = None
    employee_oidc_private_key: SecretStr | None = None
    employee_oidc_key_id: str | None = None
    employee_oidc_acr: str | None = None
    employee_oidc_scopes: str = "openid profile"
    # The claim that identifies a staff member: "sub", Entra ID's "oid", or HelseID's HPR number.
    employee_oidc_id_claim: str = "sub"
    session_idle_minutes: int = Field(default=30, ge=1, le=30)
    session_absolute_hours: int = Field(default=12, ge=1, le=24)
    login_rate_per_minute: int = Field(default=20, ge=1)
    migrations_dir: Path = PROJECT_ROOT / "migrations"
    templates_dir: Path = PROJECT_ROOT / "templates"
    # Live messages across app processes: one process needs nothing; several share PostgreSQL
    # LISTEN/NOTIFY or Redis pub/sub (a wake-up carrying ids only; messages are read from the
    # database).
    fanout: Literal["memory", "postgres", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Notifications. Without an SMTP host, e-mail and SMS are written to files in
    # <data_dir>/outbox for the developer to open.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Samplan <ikkje-svar@samplan.invalid>"
    smtp_starttls: bool = True
    # SMS: a gateway that takes {"to", "from", "text"} as JSON with a bearer token. Unset: the
    # development gateway (files in the outbox), and in production no SMS at all.
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_sender: str = Field(default="Samplan", max_length=11)
    # R-NOTE-2: at most one notification per person in this many minutes.
    notify_min_interval_minutes: int = Field(default=60, ge=1)
    # The background sender; tests that drive it themselves turn it off.
    notification_worker: bool = True
    # Message attachments: PDF and images, at most this size.
    max_attachment_bytes: int = Field(default=10 * 1_048_576, ge=1024)

    @model_validator(mode="after")
    def _production_needs_explicit_configuration(self) -> Settings:
        # Several app processes must share keys, so production never generates its own.
        if self.env is Environment.PRODUCTION and (
            self.secret_key is None or self.data_key is None
        ):
            raise ValueError(
                "SAMPLAN_SECRET_KEY and SAMPLAN_DATA_KEY must be set when SAMPLAN_ENV=production"
            )
        # The built-in test provider must never stand in for ID-porten in production.
        if self.env is Environment.PRODUCTION and not (
            self.citizen_oidc_issuer and self.employee_oidc_issuer
        ):
            raise ValueError(
                "SAMPLAN_CITIZEN_OIDC_ISSUER and SAMPLAN_EMPLOYEE_OIDC_ISSUER must be set when "
                "SAMPLAN_ENV=production"
            )
        # Notices must reach people: production never writes them to a folder instead.
        if self.env is Environment.PRODUCTION and not self.smtp_host:
            raise ValueError("SAMPLAN_SMTP_HOST must be set when SAMPLAN_ENV=production")
        return self

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @property
    def sms_available(self) -> bool:
        """Whether people may choose text messages: a real gateway, or the development one."""
        return self.sms_gateway_url is not None or not self.is_production

    @property
    def uses_https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.data_dir / 'samplan.db'}"

    def resolved_secret_key(self) -> bytes:
        return self._key("secret_key", self.secret_key)

    def resolved_data_key(self) -> bytes:
        return self._key("data_key", self.data_key)

    def _key(self, name: str, configured: SecretStr | None) -> bytes:
        if configured is not None:
            return configured.get_secret_value().encode()
        return _generated_key(self.data_dir / name)


@cache
def _generated_key(path: Path) -> bytes:
    """Embedded run: generate once and keep it, so sessions and encrypted data survive restarts.

    Read from disk once per process: CSRF signs with it on every page and every form post.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip().encode()
