"""The `samplan` command: migrate, seed-demo, serve, audit verify."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

import uvicorn
from pydantic import ValidationError

from app import schema
from app.access import audit_verify
from app.auth.providers import dev_issuer
from app.clock import SystemClock
from app.db import make_engine, make_sessionmaker
from app.demo.seed import seed_demo
from app.logging_setup import configure_logging
from app.models import Realm
from app.people.pid_vault import PidVault
from app.settings import Environment, Settings

logger = logging.getLogger("samplan")


async def _migrate(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    try:
        await schema.upgrade(engine, settings)
        logger.info("database migrated", extra={"event": "migrated"})
    finally:
        await engine.dispose()


async def _seed_demo(settings: Settings) -> bool:
    if settings.is_production:
        raise SystemExit("samplan: demo data is never seeded when SAMPLAN_ENV=production")
    engine = make_engine(settings.resolved_database_url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            result = await seed_demo(
                session,
                vault=PidVault(settings.resolved_data_key()),
                clock=SystemClock(),
                dev_employee_issuer=(
                    None if settings.employee_oidc_issuer else dev_issuer(settings, Realm.EMPLOYEE)
                ),
            )
        return result.created
    finally:
        await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samplan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="upgrade the database to the newest schema")
    commands.add_parser("seed-demo", help="add the demo municipality, staff and plans (once)")
    audit = commands.add_parser("audit", help="check the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    audit_commands.add_parser("verify", help="report the first broken link of each hash chain")
    serve = commands.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        sys.stderr.write(f"samplan: configuration is not valid:\n{error}\n")
        return 2
    configure_logging(settings.log_level, json_lines=settings.env is not Environment.DEVELOPMENT)
    if arguments.command == "migrate":
        asyncio.run(_migrate(settings))
    elif arguments.command == "seed-demo":
        created = asyncio.run(_seed_demo(settings))
        sys.stdout.write("Demo data added.\n" if created else "Demo data was already there.\n")
    elif arguments.command == "audit":
        report = asyncio.run(audit_verify.verify_database(settings.resolved_database_url))
        sys.stdout.write(audit_verify.describe(report))
        return 0 if report.intact else 1
    elif arguments.command == "serve":
        uvicorn.run(
            "app.main:create_app_from_environment",
            factory=True,
            host=arguments.host,
            port=arguments.port,
            workers=arguments.workers,
            proxy_headers=True,
            log_config=None,
            access_log=False,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
