"""In-process rows: what one access decision costs, as a ratio to a primary-key read (issue 5).

HTTP rows cannot isolate `access.require()` (a request spends most of its time elsewhere), so
these rows call the service functions directly, in the harness's own process, against a fresh
SQLite database migrated and seeded with the demo data plus 200 plans in which one employee (the
demo physiotherapist) takes part with a grant. Every call starts with an empty identity map, as
a request does; the audit rows a decision notes are dropped, not written (writing them is the
commit's cost, not the decision's). The baseline `A0`, `session.get(Plan, id)` under the same
conditions, is measured in the same run, so `× get` cancels most of the machine's speed.

`python -m bench.run` runs these rows after the HTTP rows and adds them to bench/REPORT.md.
Bench code does not import the tests; the seed here is its own.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app import access, schema
from app.access.actors import ActingBasis, Actor
from app.clock import today_in_oslo
from app.db import PENDING_AFTER_ROLLBACK, make_engine, make_sessionmaker
from app.demo.seed import seed_demo
from app.errors import DomainError, NotFound
from app.models import (
    ConsentMethod,
    Employee,
    Grant,
    GrantMode,
    Participant,
    ParticipantKind,
    Person,
    Plan,
    PlanPart,
    Realm,
    UnitMembership,
)
from app.people import service as people
from app.people.identity_numbers import make_synthetic_identity_number, parse_identity_number
from app.people.pid_vault import PidVault
from app.plans import service as plans
from app.settings import Environment, Settings
from bench.scenarios import ACCESS_BASELINE_ID, InProcessScenario

PLANS_FOR_ONE_EMPLOYEE = 200
BATCH = 20  # calls between two reads of the timer
NOT_COUNTED = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")

Probe = Callable[[AsyncSession], Awaitable[None]]


class AccessBenchError(Exception):
    """The seeded database is not what the probes expect."""


class _FixedClock:
    def __init__(self, instant: datetime) -> None:
        self._instant = instant

    def now(self) -> datetime:
        return self._instant


@dataclass
class ProbeResult:
    scenario: InProcessScenario
    calls_per_sec: list[float] = field(default_factory=list)  # one per measured run
    statements: int | None = None  # SQL statements one call sends
    error: str | None = None

    @property
    def median(self) -> float | None:
        if not self.calls_per_sec:
            return None
        ordered = sorted(self.calls_per_sec)
        return ordered[(len(ordered) - 1) // 2]


@dataclass
class AccessBenchRun:
    duration_s: float
    warmup_s: float
    repeats: int
    results: list[ProbeResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def baseline(self) -> float | None:
        for result in self.results:
            if result.scenario.id == ACCESS_BASELINE_ID and result.median is not None:
                return result.median
        return None

    def ratio(self, result: ProbeResult) -> float | None:
        baseline, median = self.baseline, result.median
        if baseline is None or median is None or baseline <= 0:
            return None
        return median / baseline


# --- the seeded database -------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    clock: _FixedClock
    owner_plan_id: uuid.UUID
    youth_plan_id: uuid.UUID
    owner: Actor
    provider: Actor
    guardian: Actor
    other_employee: Actor


def _actor(realm: Realm, name: str, **ids: Any) -> Actor:
    return Actor(realm=realm, session_id=uuid.uuid4(), display_name=name, **ids)


async def _person_named(session: AsyncSession, given: str, family: str) -> Person:
    person = await session.scalar(
        select(Person).where(Person.given_name == given, Person.family_name == family)
    )
    if person is None:
        raise AccessBenchError(f"the demo seed has no {given} {family}")
    return person


async def _employee_named(session: AsyncSession, name: str) -> Employee:
    employee = await session.scalar(select(Employee).where(Employee.name == name))
    if employee is None:
        raise AccessBenchError(f"the demo seed has no employee {name}")
    return employee


async def _take_part(
    session: AsyncSession, plan: Plan, employee: Employee, unit_id: uuid.UUID, now: datetime
) -> None:
    participant = Participant(
        id=uuid.uuid4(),
        plan_id=plan.id,
        kind=ParticipantKind.EMPLOYEE,
        employee_id=employee.id,
        unit_id=unit_id,
        added_at=now,
    )
    session.add(participant)
    await session.flush()
    session.add(
        Grant(
            plan_id=plan.id,
            participant_id=participant.id,
            part=PlanPart.GOALS_ACTIONS,
            mode=GrantMode.WRITE,
            valid_from=now.date() - timedelta(days=30),
            method=ConsentMethod.ELECTRONIC,
            granted_by_person_id=plan.owner_id,
            granted_for_person_id=plan.owner_id,
            created_at=now,
        )
    )


async def seed(session: AsyncSession, settings: Settings) -> Seeded:
    """The demo data, and the physiotherapist taking part in 200 plans (Per's among them)."""
    clock = _FixedClock(datetime.now(UTC))
    vault = PidVault(settings.resolved_data_key())
    result = await seed_demo(session, vault=vault, clock=clock)
    municipality, now = result.municipality, clock.now()
    per = await _person_named(session, "Per", "Mikkelsen")
    jonas = await _person_named(session, "Jonas", "Vik")
    mari = await _person_named(session, "Mari", "Vik")
    physio = await _employee_named(session, "Ola Hansen")
    teacher = await _employee_named(session, "Sara Lie")
    unit_id = await session.scalar(
        select(UnitMembership.unit_id).where(UnitMembership.employee_id == physio.id)
    )
    per_plan = await session.scalar(select(Plan).where(Plan.owner_id == per.id))
    jonas_plan = await session.scalar(select(Plan).where(Plan.owner_id == jonas.id))
    if unit_id is None or per_plan is None or jonas_plan is None:
        raise AccessBenchError("the demo seed changed: no unit or plan for the bench")
    await _take_part(session, per_plan, physio, unit_id, now)
    today = today_in_oslo(clock)
    for number in range(PLANS_FOR_ONE_EMPLOYEE - 1):
        born = today.replace(year=today.year - 20 - number % 50) - timedelta(days=3)
        number_text = make_synthetic_identity_number(born, serial=number // 50)
        owner = await people.ensure_person(
            session,
            parse_identity_number(number_text, allow_synthetic=True),
            given_name=f"Benk{number}",
            family_name="Eier",
            vault=vault,
            clock=clock,
        )
        plan = await plans.start_plan(
            session,
            municipality,
            owner,
            coordinator=None,
            period_start=today,
            period_end=today + timedelta(days=365),
            revision_date=today + timedelta(days=180),
            clock=clock,
        )
        await _take_part(session, plan, physio, unit_id, now)
    await session.flush()
    return Seeded(
        clock=clock,
        owner_plan_id=per_plan.id,
        youth_plan_id=jonas_plan.id,
        owner=_actor(Realm.CITIZEN, "owner", person_id=per.id),
        provider=_actor(
            Realm.EMPLOYEE, "provider", employee_id=physio.id, municipality_id=municipality.id
        ),
        guardian=_actor(
            Realm.CITIZEN,
            "guardian",
            person_id=mari.id,
            acting_for_person_id=jonas.id,
            acting_basis=ActingBasis.PARENTAL_RESPONSIBILITY,
        ),
        other_employee=_actor(
            Realm.EMPLOYEE, "other", employee_id=teacher.id, municipality_id=municipality.id
        ),
    )


# --- the calls -----------------------------------------------------------------------------------


def probes(seeded: Seeded) -> dict[str, Probe]:
    clock, read = seeded.clock, access.Permission.READ_GOALS_ACTIONS
    item = access.ItemFacts("goal", uuid.uuid4())

    async def plan_get(session: AsyncSession) -> None:
        if await session.get(Plan, seeded.owner_plan_id) is None:
            raise AccessBenchError("the plan is gone")

    async def require_provider(session: AsyncSession) -> None:
        await access.require(session, seeded.provider, read, seeded.owner_plan_id, clock=clock)

    async def require_owner(session: AsyncSession) -> None:
        await access.require(session, seeded.owner, read, seeded.owner_plan_id, clock=clock)

    async def require_guardian_item(session: AsyncSession) -> None:
        await access.require(
            session, seeded.guardian, read, seeded.youth_plan_id, clock=clock, item=item
        )

    async def require_refused(session: AsyncSession) -> None:
        try:
            await access.require(
                session, seeded.other_employee, read, seeded.owner_plan_id, clock=clock
            )
        except NotFound:
            return
        raise AccessBenchError("another employee was let in")

    async def visible_plans_200(session: AsyncSession) -> None:
        where = await access.visible_plans(session, seeded.provider, clock=clock)
        listed = (await session.scalars(select(Plan).where(where))).all()
        if len(listed) != PLANS_FOR_ONE_EMPLOYEE:
            raise AccessBenchError(f"{len(listed)} plans listed, not {PLANS_FOR_ONE_EMPLOYEE}")

    return {
        "plan_get": plan_get,
        "require_provider": require_provider,
        "require_owner": require_owner,
        "require_guardian_item": require_guardian_item,
        "require_refused": require_refused,
        "visible_plans_200": visible_plans_200,
    }


def _fresh(session: AsyncSession) -> None:
    """As at the start of a request: empty identity map, no audit rows waiting."""
    session.expunge_all()
    session.info.pop(PENDING_AFTER_ROLLBACK, None)


async def _run_for(probe: Probe, session: AsyncSession, seconds: float) -> float:
    calls, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(BATCH):
            _fresh(session)
            await probe(session)
        calls += BATCH
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - start)


@contextmanager
def _counting(engine: AsyncEngine) -> Any:
    sent: list[str] = []

    def before(*event_args: Any) -> None:
        statement: str = event_args[2]  # (conn, cursor, statement, parameters, context, many)
        if not statement.lstrip().upper().startswith(NOT_COUNTED):
            sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def measure_access(
    scenarios: Sequence[InProcessScenario],
    *,
    duration_s: float,
    warmup_s: float,
    repeats: int,
    workdir: Path | None = None,
) -> AccessBenchRun:
    """Seed a fresh database and time every scenario; failures are recorded, never raised."""
    run = AccessBenchRun(duration_s=duration_s, warmup_s=warmup_s, repeats=repeats)
    with tempfile.TemporaryDirectory(prefix="samplan-bench-access-", dir=workdir) as tmp:
        settings = Settings(
            env=Environment.TEST,
            data_dir=Path(tmp),
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
        )
        engine = make_engine(settings.resolved_database_url)
        try:
            await schema.upgrade(engine, settings)
            async with make_sessionmaker(engine).begin() as session:
                seeded = await seed(session, settings)
            calls = probes(seeded)
            ordered = sorted(scenarios, key=lambda s: s.id != ACCESS_BASELINE_ID)
            for scenario in ordered:
                run.results.append(await _measure_one(engine, calls, scenario, run))
        except (AccessBenchError, DomainError, SQLAlchemyError) as exc:
            run.errors.append(f"seeding the access bench: {exc}")
        finally:
            await engine.dispose()
    return run


async def _measure_one(
    engine: AsyncEngine, calls: dict[str, Probe], scenario: InProcessScenario, run: AccessBenchRun
) -> ProbeResult:
    result = ProbeResult(scenario=scenario)
    probe = calls.get(scenario.probe)
    if probe is None:
        result.error = f"unknown probe {scenario.probe!r}"
        run.errors.append(f"{scenario.id} {scenario.label}: {result.error}")
        return result
    async with make_sessionmaker(engine)() as session:
        try:
            _fresh(session)
            with _counting(engine) as sent:
                await probe(session)
            result.statements = len(sent)
            if run.warmup_s > 0:
                await _run_for(probe, session, run.warmup_s)
            for _ in range(run.repeats):
                result.calls_per_sec.append(await _run_for(probe, session, run.duration_s))
        except (AccessBenchError, DomainError, SQLAlchemyError) as exc:
            result.error = str(exc)
            run.errors.append(f"{scenario.id} {scenario.label}: {exc}")
        finally:
            _fresh(session)
            await session.rollback()
    return result


def run_access_bench(
    scenarios: Sequence[InProcessScenario], *, duration_s: float, warmup_s: float, repeats: int
) -> AccessBenchRun:
    return asyncio.run(
        measure_access(scenarios, duration_s=duration_s, warmup_s=warmup_s, repeats=repeats)
    )


# --- the report ----------------------------------------------------------------------------------


def _table(run: AccessBenchRun) -> list[str]:
    lines = [
        "| Id | What | calls/s | × get | µs per call | SQL per call | Result |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for result in run.results:
        median, ratio = result.median, run.ratio(result)
        if result.error is not None or median is None:
            verdict = "ERROR"
        elif result.scenario.id == ACCESS_BASELINE_ID:
            verdict = "baseline"
        else:
            verdict = "—"
        cells = [
            result.scenario.id,
            result.scenario.label.replace("|", "\\|"),
            f"{median:,.0f}" if median is not None else "—",
            f"{ratio:.3f}" if ratio is not None else "—",
            f"{1e6 / median:,.0f}" if median else "—",
            str(result.statements) if result.statements is not None else "—",
            verdict,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def render_access_section(run: AccessBenchRun) -> str:
    baseline = run.baseline
    lines = [
        "## Access decisions, in process",
        "",
        "What `access.require()` and a `visible_plans()` list cost, timed inside the harness "
        "process against a fresh SQLite database (the demo data plus 200 plans in which one "
        "employee takes part), each call with an empty identity map as at the start of a "
        "request. `× get` is the ratio to **A0**, a bare `session.get(Plan, id)` measured the "
        "same way in this same run; audit rows are noted but not written (that is the commit's "
        "cost). Report only: `spec/quality.md` has no bar for these rows.",
        "",
        f"A0 in this run: {baseline:,.0f} calls/s." if baseline else "A0 was not measured.",
        "",
        *_table(run),
        "",
        f"Method: {run.warmup_s:g} s warm-up, then {run.repeats} run(s) of {run.duration_s:g} s "
        "per row, the median run shown; SQL per call counted at the driver (BEGIN and "
        "SAVEPOINT not counted). Not pinned to a core: the figures share the machine with "
        "whatever else runs.",
        "",
    ]
    if run.errors:
        lines += ["Errors:", "", *(f"- {error}" for error in run.errors), ""]
    return "\n".join(lines)


def with_access_section(report: str, run: AccessBenchRun) -> str:
    """The HTTP report with the in-process section added before its Method section."""
    marker = "\n## Method\n"
    if marker not in report:
        return report.rstrip("\n") + "\n\n" + render_access_section(run)
    return report.replace(marker, "\n" + render_access_section(run) + marker, 1)


def render_access_summary(run: AccessBenchRun) -> str:
    lines = ["", *_table(run)]
    if run.baseline is not None:
        lines += ["", f"A0 = {run.baseline:,.0f} calls/s"]
    lines += [f"error: {error}" for error in run.errors]
    return "\n".join(lines) + "\n"


def measured_statements(run: AccessBenchRun) -> dict[str, int]:
    """SQL statements per call, by probe name (for tests and the summary)."""
    return {r.scenario.probe: r.statements for r in run.results if r.statements is not None}
