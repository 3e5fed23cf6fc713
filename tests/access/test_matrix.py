"""The matrix test: every row of spec/access.md × every actor column, through the service door.

The table is read from access.md itself: each row label maps to the permissions it names, each
column to an actor in the test world (tests/access/access_fixtures.py), and each cell's words to
the situations that must be allowed and denied. A cell whose wording this file does not know, a
row or a column it cannot map, fails the test, so access.md cannot change without the code and
this file changing with it.

For every case `access.require` (or `require_for_person` / `require_in_municipality` for rows that
are about a person or a municipality) must allow, or refuse with NotFound when the actor may not
know the plan exists and Forbidden otherwise, and leave exactly one audit row saying so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app import access
from app.access import audit
from app.access.actors import Actor
from app.access.permissions import PART, TABLE
from app.db import PENDING_AFTER_ROLLBACK
from app.errors import DomainError, Forbidden, NotFound
from app.models import AuditEvent, GrantMode, Person, Plan, PlanPart, PowerOfAttorney
from app.settings import Settings
from tests.access.access_fixtures import (
    EVERY_PART_WRITE,
    World,
    app_routes,
    build_world,
    fill_path,
    log_in,
)
from tests.support.clock import FrozenClock

P = access.Permission
# The project keeps its own copy of the specification's table (docs/spec/access.md), so a fresh
# clone tests against it; where the shared specification sits beside the project, the copy must
# match it (test_the_copy_of_access_md_is_the_specification).
ROOT = Path(__file__).resolve().parents[2]
ACCESS_MD = ROOT / "docs" / "spec" / "access.md"
SHARED_ACCESS_MD = ROOT.parent / "shared" / "spec" / "access.md"


def test_the_copy_of_access_md_is_the_specification() -> None:
    copy = ACCESS_MD.read_text()
    assert read_table(copy)[1], "docs/spec/access.md has no rows"
    if SHARED_ACCESS_MD.exists():  # beside the project in the team's checkout
        assert copy == SHARED_ACCESS_MD.read_text(), "copy ../shared/spec/access.md to docs/spec/"


# --- reading access.md ---------------------------------------------------------------------------


def read_table(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The column headers and the rows (label, cells) of the first Markdown table."""
    lines = [line.strip() for line in text.splitlines()]
    table = []
    for line in lines:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    if len(table) < 3:
        raise AssertionError("access.md has no table")

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip("|").split("|")]

    header = cells(table[0])
    assert header[0] == "Action", header
    assert all(set(cell) <= set("-: ") for cell in cells(table[1])), "no separator row"
    rows = []
    for line in table[2:]:
        row = cells(line)
        assert len(row) == len(header), f"row {row[0]!r} has {len(row)} cells, not {len(header)}"
        rows.append((row[0], row[1:]))
    return header[1:], rows


class Level(Enum):
    PLAN = "plan"
    PERSON = "person"
    MUNICIPALITY = "municipality"


@dataclass(frozen=True)
class Row:
    """A row of access.md: `plain` is what its ✓ allows, `extra` what only a qualified cell
    ("comment only", "asks the KE", "report need only", ...) allows."""

    plain: tuple[access.Permission, ...]
    extra: tuple[access.Permission, ...] = ()
    level: Level = Level.PLAN


ROWS: dict[str, Row] = {
    "See that the plan exists": Row((P.SEE_PLAN,)),
    "Read life situation": Row((P.READ_LIFE_SITUATION,)),
    "Write own words (life situation, own view)": Row((P.WRITE_OWN_WORDS,)),
    "Read goals, actions, notes": Row((P.READ_GOALS_ACTIONS, P.READ_NOTES)),
    "Propose a goal": Row((P.PROPOSE_GOAL,)),
    "Accept or decline a proposed goal": Row((P.DECIDE_GOAL,)),
    "Create an action": Row((P.CREATE_ACTION,)),
    "Update an action's status, progress note": Row((P.UPDATE_ACTION, P.COMMENT_ON_ACTION)),
    "Shield an item from guardians": Row((P.SHIELD_ITEM,)),
    "Read and post messages in a thread": Row((P.READ_MESSAGES, P.POST_MESSAGE)),
    "Invite a participant": Row((P.INVITE_PARTICIPANT,)),
    "Give, narrow or withdraw a grant": Row((P.MANAGE_GRANTS,)),
    "Call a meeting, write minutes": Row((P.CALL_MEETING,)),
    "Read and approve minutes": Row((P.READ_MINUTES, P.APPROVE_MINUTES)),
    "Upload a document": Row((P.UPLOAD_DOCUMENT,)),
    "Read the access log": Row((P.READ_ACCESS_LOG,)),
    "Export (print, PDF, FHIR)": Row((P.EXPORT,)),
    "Close a plan": Row((P.CLOSE_PLAN,), extra=(P.REQUEST_CLOSE,)),
    "Apply for coordinator / IP": Row(
        (P.APPLY,), extra=(P.REPORT_NEED, P.REGISTER_PAPER_APPLICATION), level=Level.PERSON
    ),
    "Decide a case, appoint a coordinator": Row((P.DECIDE_CASE,), level=Level.MUNICIPALITY),
    "Keep registers (units, staff, training)": Row((P.KEEP_REGISTERS,), level=Level.MUNICIPALITY),
}

# Permissions access.md has no row for, and where their rule comes from instead.
NOT_IN_ACCESS_MD: dict[access.Permission, str] = {
    P.RECORD_PAPER_CONSENT: "R-CON-4 (and the coordinator's '✗ (records paper consent)')",
    P.VERIFY_PAPER_CONSENT: "R-CON-4: another employee or the KE verifies a paper form",
    P.GRANT_YOUTH_ACCESS: "R-AGE-3: the guardian consents to youth access",
    P.MANAGE_POWERS_OF_ATTORNEY: "R-REP-1: either side can end a fullmakt",
    P.VERIFY_POWER_OF_ATTORNEY: "R-REP-1: the KE verifies the document",
    P.REVIEW_GOAL: "R-PLAN-3: goals have evaluations; whoever may propose a goal may evaluate it",
    P.WRITE_CONTRIBUTION: "R-PLAN-1 item 4: the owner, relatives and services say what they give",
    P.EDIT_PLAN_FRAME: "R-PLAN-1 items 7 and 9, R-PLAN-6: the coordinator keeps the plan's frame",
    P.CLOSE_THREAD: "capability 8: the coordinator closes and reopens threads",
    P.ADD_THREAD_MEMBER: "capability 8: the owner's side and the coordinator choose the members",
}

# Which cells are reads: a representative whose fullmakt only lets them read gets these only.
READS = frozenset(
    {
        P.SEE_PLAN,
        P.READ_LIFE_SITUATION,
        P.READ_GOALS_ACTIONS,
        P.READ_NOTES,
        P.READ_MESSAGES,
        P.READ_MINUTES,
        P.READ_ACCESS_LOG,
        P.EXPORT,
    }
)


class Kind(Enum):
    ALLOW = "allow"
    ALLOW_UNLESS_SHIELDED = "allow unless shielded"
    MEANT_FOR_THEM = "threads meant for them"
    ASKS_KE = "asks the KE"
    DENY = "deny"
    DENY_RECORDS_PAPER = "deny, records paper consent"
    GRANT = "grant"
    SCOPE = "scope"
    SCOPE_CONSENT = "only if the fullmakt says so"
    WITH_FULLMAKT = "with fullmakt"
    PURPOSE = "purpose"
    COMMENT_ONLY = "comment only"
    REPORT_NEED_ONLY = "report need only"
    REGISTERS_ON_PAPER = "registers on paper"


@dataclass(frozen=True)
class Meaning:
    kind: Kind
    mode: GrantMode | None = None  # G r / G w; None: read to read, write to write
    own_unit: bool = False
    member: bool = False
    purpose: access.Purpose | None = None


G = Kind.GRANT
CELLS: dict[str, Meaning] = {
    "✓": Meaning(Kind.ALLOW),
    "✓ (accepted at once)": Meaning(Kind.ALLOW),
    "✓ (marked as written by the coordinator)": Meaning(Kind.ALLOW),
    "✓ at the child's wish": Meaning(Kind.ALLOW),
    "✓, owner consents": Meaning(Kind.ALLOW),
    "✓ unless shielded": Meaning(Kind.ALLOW_UNLESS_SHIELDED),
    "✓ except shielded items' rows": Meaning(Kind.ALLOW_UNLESS_SHIELDED),
    "✓ without shielded items": Meaning(Kind.ALLOW_UNLESS_SHIELDED),
    "✓ threads meant for them": Meaning(Kind.MEANT_FOR_THEM),
    "✓ (asks the KE)": Meaning(Kind.ASKS_KE),
    "✗": Meaning(Kind.DENY),
    "—": Meaning(Kind.DENY),  # not applicable: nobody to shield from, so nothing to allow
    "✗ (records paper consent)": Meaning(Kind.DENY_RECORDS_PAPER),
    "G r": Meaning(G, GrantMode.READ),
    "G w": Meaning(G, GrantMode.WRITE),
    "G w, own unit": Meaning(G, GrantMode.WRITE, own_unit=True),
    "G, member of thread": Meaning(G, member=True),
    "G r (member)": Meaning(G, GrantMode.READ, member=True),
    "scope": Meaning(Kind.SCOPE),
    "scope, comment": Meaning(Kind.SCOPE),  # the owner's "comment only", within the fullmakt
    "only if the fullmakt says so": Meaning(Kind.SCOPE_CONSENT),
    "with fullmakt": Meaning(Kind.WITH_FULLMAKT),
    "only when handling a case, logged": Meaning(Kind.PURPOSE, purpose=access.Purpose.CASE),
    "case only": Meaning(Kind.PURPOSE, purpose=access.Purpose.CASE),
    "✓ (case documents)": Meaning(Kind.PURPOSE, purpose=access.Purpose.CASE),
    "audit duty only, logged": Meaning(Kind.PURPOSE, purpose=access.Purpose.AUDIT_DUTY),
    "archive only": Meaning(Kind.PURPOSE, purpose=access.Purpose.ARCHIVE),
    "comment only": Meaning(Kind.COMMENT_ONLY),
    "report need only (§ 38 a)": Meaning(Kind.REPORT_NEED_ONLY),
    "report need only": Meaning(Kind.REPORT_NEED_ONLY),
    "registers on paper's behalf": Meaning(Kind.REGISTERS_ON_PAPER),
}


# --- the columns: who tries it -------------------------------------------------------------------


class Standing(Enum):
    """How the column's actor may come to see the plan at all."""

    ALWAYS = "always"  # owner, guardian, coordinator, KE staff
    BY_GRANT = "by grant"  # relative, provider
    BY_FULLMAKT = "by fullmakt"  # representative
    NEVER = "never"  # other employee


@dataclass(frozen=True)
class Column:
    actor: Callable[[World], Actor]
    plan: Callable[[World], Plan]
    person: Callable[[World], Person]  # whom the person-level rows are about
    standing: Standing


COLUMNS: dict[str, Column] = {
    "Owner 16+": Column(
        lambda w: w.citizen(w.adult), lambda w: w.plan_adult, lambda w: w.adult, Standing.ALWAYS
    ),
    "Owner 13–15 with youth access": Column(
        lambda w: w.citizen(w.youth), lambda w: w.plan_youth, lambda w: w.youth, Standing.ALWAYS
    ),
    "Guardian, child < 12": Column(
        lambda w: w.guardian(w.child_guardian, w.child),
        lambda w: w.plan_child,
        lambda w: w.child,
        Standing.ALWAYS,
    ),
    "Guardian, child 12–15": Column(
        lambda w: w.guardian(w.youth_guardian, w.youth),
        lambda w: w.plan_youth,
        lambda w: w.youth,
        Standing.ALWAYS,
    ),
    "Representative": Column(
        lambda w: w.acting_representative(),
        lambda w: w.plan_adult,
        lambda w: w.adult,
        Standing.BY_FULLMAKT,
    ),
    "Relative / support person": Column(
        lambda w: w.citizen(w.relative),
        lambda w: w.plan_adult,
        lambda w: w.adult,
        Standing.BY_GRANT,
    ),
    "Provider (employee)": Column(
        lambda w: w.staff(w.provider),
        lambda w: w.plan_adult,
        lambda w: w.adult,
        Standing.BY_GRANT,
    ),
    "Coordinator of the plan": Column(
        lambda w: w.staff(w.coordinator),
        lambda w: w.plan_adult,
        lambda w: w.adult,
        Standing.ALWAYS,
    ),
    "KE staff": Column(
        lambda w: w.staff(w.ke_staff), lambda w: w.plan_adult, lambda w: w.adult, Standing.ALWAYS
    ),
    "Other employee": Column(
        lambda w: w.staff(w.other_employee),
        lambda w: w.plan_adult,
        lambda w: w.adult,
        Standing.NEVER,
    ),
}


# --- cases ---------------------------------------------------------------------------------------


class Item(Enum):
    NONE = "none"
    PLAIN = "an item"
    SHIELDED = "a shielded item"
    OWN_UNIT = "an item of the provider's unit"
    OTHER_UNIT = "an item of another unit"
    MEMBER = "a thread they are a member of"
    NOT_MEMBER = "a thread they are not a member of"
    MEANT = "a thread meant for the owner"
    NOT_MEANT = "a thread not meant for the owner"


@dataclass(frozen=True)
class Power:
    scope: str = "all"
    acts: bool = True
    manages_consent: bool = True
    in_force: bool = True


FULL_POWER = Power()


@dataclass(frozen=True)
class Case:
    row: str
    column: str
    variant: str
    permission: access.Permission
    expect: str  # "allowed", "forbidden" or "not_found"
    level: Level = Level.PLAN
    grants: Mapping[PlanPart, GrantMode] = field(default_factory=lambda: EVERY_PART_WRITE)
    power: Power = FULL_POWER
    item: Item = Item.NONE
    purpose: access.Purpose | None = None
    problem: str | None = None  # the table cannot be read: the case fails with this message

    @property
    def id(self) -> str:
        return f"{self.row} | {self.column} | {self.permission.value} | {self.variant}"


def _denied(column: Column, grants: Mapping[PlanPart, GrantMode], power: Power) -> str:
    """How a refusal looks for this column: 404 if the actor may not know the plan exists."""
    visible = {
        Standing.ALWAYS: True,
        Standing.BY_GRANT: bool(grants),
        Standing.BY_FULLMAKT: power.in_force,
        Standing.NEVER: False,
    }[column.standing]
    return "forbidden" if visible else "not_found"


@dataclass(frozen=True)
class Cell:
    """One cell of the table, making its cases."""

    row_label: str
    column_label: str
    row: Row
    column: Column

    def case(
        self,
        permission: access.Permission,
        expect: str,
        variant: str,
        *,
        grants: Mapping[PlanPart, GrantMode] = EVERY_PART_WRITE,
        power: Power = FULL_POWER,
        item: Item = Item.NONE,
        purpose: access.Purpose | None = None,
    ) -> Case:
        return Case(
            self.row_label,
            self.column_label,
            variant,
            permission,
            expect,
            self.row.level,
            grants,
            power,
            item,
            purpose,
        )

    @property
    def denied(self) -> str:
        """A refusal with the default set-up (everything granted, a fullmakt for everything)."""
        if self.row.level is not Level.PLAN:
            return "forbidden"
        return _denied(self.column, EVERY_PART_WRITE, FULL_POWER)

    def the_others(self, allowed: set[access.Permission]) -> Iterator[Case]:
        """Every permission of the row the cell does not allow is denied."""
        for permission in (*self.row.plain, *self.row.extra):
            if permission not in allowed:
                yield self.case(permission, self.denied, "not allowed by this cell")


def _owner_allows(row: Row, cell: str) -> set[access.Permission]:
    """What the owner (16+) may do in this row: a representative gets at most this (R-REP-2)."""
    meaning = CELLS.get(cell)
    if meaning is None:
        return set()
    return {
        Kind.ALLOW: set(row.plain),
        Kind.ASKS_KE: set(row.extra),
        Kind.COMMENT_ONLY: {P.COMMENT_ON_ACTION},
        Kind.DENY: set(),
    }.get(meaning.kind, set())


def _grant_cases(cell: Cell, meaning: Meaning) -> Iterator[Case]:
    for permission in cell.row.plain:
        mode = meaning.mode or (GrantMode.READ if permission in READS else GrantMode.WRITE)
        part = PART.get(permission)
        good = Item.OWN_UNIT if meaning.own_unit else Item.MEMBER if meaning.member else Item.NONE
        exact = {part or PlanPart.NOTES: mode}
        write = {part or PlanPart.NOTES: GrantMode.WRITE}
        yield cell.case(permission, "allowed", f"{mode.value} grant", grants=exact, item=good)
        yield cell.case(permission, "allowed", "write grant", grants=write, item=good)
        yield cell.case(permission, "not_found", "no grant", grants={}, item=good)
        if mode is GrantMode.WRITE:
            read = {part or PlanPart.NOTES: GrantMode.READ}
            yield cell.case(permission, "forbidden", "read grant only", grants=read, item=good)
        if part is not None:
            elsewhere = {p: GrantMode.WRITE for p in PlanPart if p is not part}
            yield cell.case(
                permission, "forbidden", "grants on the other parts only", grants=elsewhere,
                item=good,
            )  # fmt: skip
        else:
            any_grant = {PlanPart.MEETINGS: GrantMode.READ}
            yield cell.case(permission, "allowed", "any grant", grants=any_grant)
        if meaning.own_unit:
            other = Item.OTHER_UNIT
            yield cell.case(
                permission, "forbidden", "another unit's item", grants=exact, item=other
            )
            yield cell.case(permission, "forbidden", "no item named", grants=exact)
        if meaning.member:
            outsider = Item.NOT_MEMBER
            yield cell.case(permission, "forbidden", "not a member", grants=exact, item=outsider)
    yield from cell.the_others(set(cell.row.plain))


def _scope_cases(cell: Cell, owner_cell: str) -> Iterator[Case]:
    owner = _owner_allows(cell.row, owner_cell)
    for permission in (*cell.row.plain, *cell.row.extra):
        if permission not in owner:
            yield cell.case(permission, "forbidden", "the owner may not either")
            continue
        part = PART.get(permission)
        yield cell.case(permission, "allowed", "fullmakt for everything")
        if part is not None:
            this_part = Power(scope=part.value)
            other_parts = Power(scope=",".join(p.value for p in PlanPart if p is not part))
            yield cell.case(permission, "allowed", "fullmakt for this part", power=this_part)
            yield cell.case(permission, "forbidden", "fullmakt for the others", power=other_parts)
        read_only = "allowed" if permission in READS else "forbidden"
        yield cell.case(permission, read_only, "fullmakt to read only", power=Power(acts=False))
        ended = Power(in_force=False)
        yield cell.case(permission, "not_found", "fullmakt ended", power=ended)


def cases_for_cell(row_label: str, column_label: str, text: str, owner_cell: str) -> Iterator[Case]:
    row, column = ROWS[row_label], COLUMNS[column_label]
    cell = Cell(row_label, column_label, row, column)
    meaning = CELLS[text]
    kind, case = meaning.kind, cell.case

    if kind is Kind.ALLOW:
        for permission in row.plain:
            yield case(permission, "allowed", "allowed")
        yield from cell.the_others(set(row.plain))
    elif kind is Kind.ALLOW_UNLESS_SHIELDED:
        for permission in row.plain:
            yield case(permission, "allowed", "an item not shielded", item=Item.PLAIN)
            yield case(permission, "not_found", "a shielded item", item=Item.SHIELDED)
        yield from cell.the_others(set(row.plain))
    elif kind is Kind.MEANT_FOR_THEM:
        for permission in row.plain:
            yield case(permission, "allowed", "a thread meant for them", item=Item.MEANT)
            yield case(permission, "forbidden", "a thread not meant for them", item=Item.NOT_MEANT)
        yield from cell.the_others(set(row.plain))
    elif kind is Kind.ASKS_KE:
        for permission in row.extra:
            yield case(permission, "allowed", "asks the KE")
        yield from cell.the_others(set(row.extra))
    elif kind in (Kind.DENY, Kind.DENY_RECORDS_PAPER):
        for permission in (*row.plain, *row.extra):
            yield case(permission, cell.denied, "denied, with everything granted")
            if row.level is not Level.PLAN:
                continue
            if column.standing is Standing.BY_GRANT:
                yield case(permission, "not_found", "denied, no grant", grants={})
            if column.standing is Standing.BY_FULLMAKT:
                yield case(permission, "not_found", "fullmakt ended", power=Power(in_force=False))
        if kind is Kind.DENY_RECORDS_PAPER:
            yield case(P.RECORD_PAPER_CONSENT, "allowed", "records paper consent")
    elif kind is Kind.GRANT:
        yield from _grant_cases(cell, meaning)
    elif kind is Kind.SCOPE:
        yield from _scope_cases(cell, owner_cell)
    elif kind is Kind.SCOPE_CONSENT:
        for permission in row.plain:
            yield case(permission, "allowed", "fullmakt covers consent")
            no_power = Power(manages_consent=False)
            yield case(permission, "forbidden", "fullmakt without consent", power=no_power)
            yield case(permission, "forbidden", "fullmakt to read only", power=Power(acts=False))
            yield case(permission, "not_found", "fullmakt ended", power=Power(in_force=False))
        yield from cell.the_others(set(row.plain))
    elif kind is Kind.WITH_FULLMAKT:
        for permission in row.plain:
            yield case(permission, "allowed", "fullmakt to act")
            yield case(permission, "forbidden", "fullmakt to read only", power=Power(acts=False))
        yield from cell.the_others(set(row.plain))
    elif kind is Kind.PURPOSE:
        purpose = meaning.purpose
        assert purpose is not None
        for permission in row.plain:
            yield case(permission, "allowed", f"for {purpose.value}", purpose=purpose)
            yield case(permission, "forbidden", "no purpose stated")
            for other in access.Purpose:
                if other is not purpose:
                    yield case(permission, "forbidden", f"for {other.value}", purpose=other)
        yield from cell.the_others(set(row.plain))
    elif kind is Kind.COMMENT_ONLY:
        yield case(P.COMMENT_ON_ACTION, "allowed", "a comment")
        yield from cell.the_others({P.COMMENT_ON_ACTION})
    elif kind is Kind.REPORT_NEED_ONLY:
        yield case(P.REPORT_NEED, "allowed", "reports a need")
        yield from cell.the_others({P.REPORT_NEED})
    elif kind is Kind.REGISTERS_ON_PAPER:
        yield case(P.REGISTER_PAPER_APPLICATION, "allowed", "registers a paper application")
        yield from cell.the_others({P.REGISTER_PAPER_APPLICATION})
    else:  # every Kind is handled above
        raise AssertionError(kind)


def _problem(row: str, column: str, problem: str) -> Case:
    return Case(row, column, "access.md", P.SEE_PLAN, "allowed", problem=problem)


def all_cases(text: str) -> list[Case]:
    columns, rows = read_table(text)
    found: list[Case] = []
    for column in columns:
        if column not in COLUMNS:
            found.append(_problem("-", column, f"unknown column {column!r}: add it to COLUMNS"))
    for label, cells in rows:
        if label not in ROWS:
            found.append(_problem(label, "-", f"unknown row {label!r}: map it in ROWS"))
            continue
        owner_cell = cells[columns.index("Owner 16+")] if "Owner 16+" in columns else ""
        for column, cell in zip(columns, cells, strict=True):
            if column not in COLUMNS:
                continue
            if cell not in CELLS:
                found.append(
                    _problem(label, column, f"cell {cell!r} means nothing yet: teach CELLS")
                )
                continue
            found.extend(cases_for_cell(label, column, cell, owner_cell))
    for label in ROWS.keys() - {label for label, _cells in rows}:
        found.append(_problem(label, "-", f"ROWS maps {label!r}, which access.md no longer has"))
    return found


CASES = all_cases(ACCESS_MD.read_text(encoding="utf-8"))


# --- running one case ----------------------------------------------------------------------------


async def _prepare(session: AsyncSession, world: World, case: Case, column: Column) -> None:
    if column.standing is Standing.BY_GRANT:
        participant = (
            world.relative_participant
            if column is COLUMNS["Relative / support person"]
            else world.provider_participant
        )
        await world.set_grants(participant, case.grants)
    if column.standing is Standing.BY_FULLMAKT:
        power = case.power
        await world.set_power(
            scope=power.scope, acts=power.acts, manages_consent=power.manages_consent
        )
        if not power.in_force:
            world.power_of_attorney.ended_at = world.clock.now()
            await session.flush()


async def _item(world: World, case: Case, plan: Plan) -> access.ItemFacts | None:
    item_id = uuid.uuid4()
    if case.item is Item.NONE:
        return None
    if case.item is Item.SHIELDED:
        await world.shield(plan, "goal", item_id)
        return access.ItemFacts("goal", item_id)
    if case.item is Item.PLAIN:
        return access.ItemFacts("goal", item_id)
    if case.item in (Item.OWN_UNIT, Item.OTHER_UNIT):
        unit = world.home_care if case.item is Item.OWN_UNIT else world.school
        return access.ItemFacts("action", item_id, responsible_unit_id=unit.id)
    if case.item in (Item.MEMBER, Item.NOT_MEMBER):
        return access.ItemFacts("thread", item_id, actor_is_member=case.item is Item.MEMBER)
    return access.ItemFacts("thread", item_id, meant_for_owner=case.item is Item.MEANT)


async def decide_case(
    session: AsyncSession, world: World, case: Case
) -> tuple[str, Actor, Plan, access.ItemFacts | None]:
    column = COLUMNS[case.column]
    await _prepare(session, world, case, column)
    actor, plan = column.actor(world), column.plan(world)
    item = await _item(world, case, plan)
    clock = world.clock
    try:
        if case.level is Level.PLAN:
            await access.require(
                session, actor, case.permission, plan.id, clock=clock, item=item,
                purpose=case.purpose,
            )  # fmt: skip
        elif case.level is Level.PERSON:
            person = column.person(world)
            await access.require_for_person(session, actor, case.permission, person.id, clock=clock)
        else:
            await access.require_in_municipality(
                session, actor, case.permission, world.a.id, clock=clock
            )
    except NotFound:
        return "not_found", actor, plan, item
    except Forbidden:
        return "forbidden", actor, plan, item
    return "allowed", actor, plan, item


AUDIT_OUTCOME = {"allowed": "allowed", "forbidden": "denied", "not_found": "not_found"}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_access_md_matrix_through_the_service(
    session: AsyncSession, clock: FrozenClock, case: Case
) -> None:
    if case.problem is not None:
        pytest.fail(f"{ACCESS_MD.name}: {case.problem}")
    world = await build_world(session, clock)
    outcome, actor, plan, item = await decide_case(session, world, case)
    assert outcome == case.expect, f"{case.id}: expected {case.expect}, got {outcome}"

    # R-LOG-1: the decision is on the record, allowed or not.
    await audit.seal_pending(session)
    rows = (
        await session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == case.permission.value,
                AuditEvent.actor_person_id == actor.person_id
                if actor.person_id is not None
                else AuditEvent.actor_employee_id == actor.employee_id,
            )
        )
    ).all()
    assert len(rows) == 1, f"{case.id}: {len(rows)} audit rows"
    row = rows[0]
    assert row.outcome == AUDIT_OUTCOME[outcome]
    assert row.on_behalf_of_person_id == actor.acting_for_person_id  # R-REP-4
    if outcome == "allowed":
        assert row.actor_role is not None  # the role it was allowed under
    if case.level is Level.PLAN:
        assert row.plan_id == plan.id and row.municipality_id == plan.municipality_id
        assert row.item_id == (item.id if item is not None else None)


# --- the table itself ----------------------------------------------------------------------------


def test_access_md_is_read_whole() -> None:
    columns, rows = read_table(ACCESS_MD.read_text(encoding="utf-8"))
    assert columns == list(COLUMNS)
    assert [label for label, _cells in rows] == list(ROWS)
    assert not [case for case in CASES if case.problem is not None]


def test_every_permission_is_in_a_row_of_access_md_or_named_with_its_rule() -> None:
    in_rows = {p for row in ROWS.values() for p in (*row.plain, *row.extra)}
    in_rows.add(P.RECORD_PAPER_CONSENT)  # the coordinator's cell in "Give, narrow or withdraw"
    assert set(access.Permission) == in_rows | NOT_IN_ACCESS_MD.keys()
    assert set(TABLE) == set(access.Permission)


def test_every_permission_of_a_row_is_tried_allowed_and_denied() -> None:
    tried: dict[access.Permission, set[str]] = {}
    for case in CASES:
        tried.setdefault(case.permission, set()).add(case.expect)
    for row in ROWS.values():
        for permission in (*row.plain, *row.extra):
            assert "allowed" in tried[permission], permission
            assert tried[permission] & {"forbidden", "not_found"}, permission


def test_the_matrix_would_fail_if_access_md_changed() -> None:
    """A cell changed from ✓ to ✗ turns an allowed case into a denied one (which the code then
    fails); wording nobody taught this file, a new row or a new column is a failing case."""
    text = ACCESS_MD.read_text(encoding="utf-8")
    allowed = list(cases_for_cell("Propose a goal", "Owner 16+", "✓", "✓"))
    denied = list(cases_for_cell("Propose a goal", "Owner 16+", "✗", "✗"))
    assert [c.expect for c in allowed] == ["allowed"]
    assert [c.expect for c in denied] == ["forbidden"]
    see_row = "| See that the plan exists | ✓ | ✓ | ✓ | ✓ | scope | G r | G r | ✓ | ✓ | ✗ |"
    assert see_row in text
    reworded = text.replace(see_row, see_row.replace("| ✗ |", "| maybe |"))
    assert [c.problem for c in all_cases(reworded) if c.problem] == [
        "cell 'maybe' means nothing yet: teach CELLS"
    ]
    new_row = text.replace(see_row, see_row + "\n| Dance | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |")
    assert [c.problem for c in all_cases(new_row) if c.problem] == [
        "unknown row 'Dance': map it in ROWS"
    ]


@pytest.mark.parametrize("permission", list(NOT_IN_ACCESS_MD), ids=str)
async def test_permissions_outside_access_md_are_still_decided_and_logged(
    session: AsyncSession, clock: FrozenClock, permission: access.Permission
) -> None:
    """The permissions access.md has no row for, each with the actors it allows."""
    world = await build_world(session, clock)
    allowed = {
        P.RECORD_PAPER_CONSENT: {"coordinator", "ke_staff"},
        P.VERIFY_PAPER_CONSENT: {"coordinator", "ke_staff"},
        P.GRANT_YOUTH_ACCESS: {"guardian_of_youth"},
        P.MANAGE_POWERS_OF_ATTORNEY: {"owner_adult", "representative"},
        P.VERIFY_POWER_OF_ATTORNEY: {"ke_staff"},
        # The provider writes within its write grant on goals and actions; the relative reads.
        P.REVIEW_GOAL: {
            "owner_adult",
            "guardian_of_youth",
            "representative",
            "provider",
            "coordinator",
        },
        P.WRITE_CONTRIBUTION: {
            "owner_adult",
            "guardian_of_youth",
            "representative",
            "provider",
            "coordinator",
        },
        P.EDIT_PLAN_FRAME: {"coordinator"},
        P.CLOSE_THREAD: {"coordinator"},
        P.ADD_THREAD_MEMBER: {"owner_adult", "guardian_of_youth", "representative", "coordinator"},
    }[permission]
    names = ["owner_adult", "guardian_of_youth", "representative", "relative", "provider"]
    names += ["coordinator", "ke_staff", "other_employee"]
    actors = world.actors()
    for name in names:
        actor = actors[name]
        try:
            if permission is P.MANAGE_POWERS_OF_ATTORNEY:
                await access.require_for_person(
                    session, actor, permission, world.adult.id, clock=clock
                )
            elif permission is P.VERIFY_POWER_OF_ATTORNEY:
                await access.require_in_municipality(
                    session, actor, permission, world.a.id, clock=clock
                )
            else:
                plan = world.plan_youth if name == "guardian_of_youth" else world.plan_adult
                item = None
                if permission is P.WRITE_CONTRIBUTION:  # each writing for themselves
                    unit_id = world.home_care.id if name == "provider" else None
                    item = access.ItemFacts(
                        "contribution", responsible_unit_id=unit_id, actor_wrote=True
                    )
                await access.require(session, actor, permission, plan.id, clock=clock, item=item)
        except DomainError:
            assert name not in allowed, name
        else:
            assert name in allowed, name


# --- every plan route is covered, and tried through the API -------------------------------------


@dataclass(frozen=True)
class ByRealm:
    """A route whose service asks citizens for one permission and staff for another."""

    citizen: access.Permission
    staff: access.Permission

    def for_actor(self, actor: Actor) -> access.Permission:
        return self.citizen if actor.is_citizen else self.staff

    def __str__(self) -> str:
        return f"{self.citizen.value} (citizens), {self.staff.value} (staff)"


# "Who can see my plan": citizens who may read the access log; staff who record paper consent.
WHO_CAN_SEE = ByRealm(citizen=P.READ_ACCESS_LOG, staff=P.RECORD_PAPER_CONSENT)

# Every route whose path holds {plan_id}, and the permission its service asks `access.require`
# for. GET routes are tried below for every actor column; the rest are proved through the
# service door above (their permission's cases).
COVERED_ROUTES: dict[tuple[str, str], access.Permission | ByRealm] = {
    ("GET", "/api/v1/plans/{plan_id}/access"): WHO_CAN_SEE,
    ("POST", "/api/v1/plans/{plan_id}/grants"): P.MANAGE_GRANTS,
    ("PATCH", "/api/v1/plans/{plan_id}/grants/{grant_id}"): P.MANAGE_GRANTS,
    ("POST", "/api/v1/plans/{plan_id}/grants/{grant_id}/withdraw"): P.MANAGE_GRANTS,
    ("POST", "/api/v1/plans/{plan_id}/grants/{grant_id}/verify"): P.VERIFY_PAPER_CONSENT,
    ("POST", "/api/v1/plans/{plan_id}/grants/confirm"): P.MANAGE_GRANTS,
    ("POST", "/api/v1/plans/{plan_id}/paper-consents"): P.RECORD_PAPER_CONSENT,
    ("POST", "/api/v1/plans/{plan_id}/participants"): P.INVITE_PARTICIPANT,
    ("POST", "/api/v1/plans/{plan_id}/participants/employees"): P.INVITE_PARTICIPANT,
    ("POST", "/api/v1/plans/{plan_id}/participants/{participant_id}/remove"): P.MANAGE_GRANTS,
    ("POST", "/api/v1/plans/{plan_id}/invitations"): P.MANAGE_GRANTS,
    ("POST", "/api/v1/plans/{plan_id}/invitations/{invitation_id}/revoke"): P.MANAGE_GRANTS,
    ("PUT", "/api/v1/plans/{plan_id}/youth-access"): P.GRANT_YOUTH_ACCESS,
    ("GET", "/api/v1/plans/{plan_id}/shielded-items"): P.SHIELD_ITEM,
    ("POST", "/api/v1/plans/{plan_id}/shielded-items"): P.SHIELD_ITEM,
    ("POST", "/api/v1/plans/{plan_id}/shielded-items/{shield_id}/end"): P.SHIELD_ITEM,
    ("GET", "/api/v1/plans/{plan_id}/access-log"): P.READ_ACCESS_LOG,
    # The pages
    ("GET", "/plans/{plan_id}/access"): WHO_CAN_SEE,
    ("POST", "/plans/{plan_id}/access/grants"): P.MANAGE_GRANTS,
    ("POST", "/plans/{plan_id}/access/grants/{grant_id}"): P.MANAGE_GRANTS,
    ("POST", "/plans/{plan_id}/access/grants/{grant_id}/withdraw"): P.MANAGE_GRANTS,
    ("POST", "/plans/{plan_id}/access/grants/{grant_id}/verify"): P.VERIFY_PAPER_CONSENT,
    ("POST", "/plans/{plan_id}/access/participants"): P.INVITE_PARTICIPANT,
    ("POST", "/plans/{plan_id}/access/employees"): P.INVITE_PARTICIPANT,
    ("POST", "/plans/{plan_id}/access/participants/{participant_id}/remove"): P.MANAGE_GRANTS,
    ("POST", "/plans/{plan_id}/access/invitations"): P.MANAGE_GRANTS,
    ("POST", "/plans/{plan_id}/access/invitations/{invitation_id}/revoke"): P.MANAGE_GRANTS,
    ("POST", "/plans/{plan_id}/access/youth-access"): P.GRANT_YOUTH_ACCESS,
    ("POST", "/plans/{plan_id}/access/paper-consents"): P.RECORD_PAPER_CONSENT,
    ("POST", "/welcome/{plan_id}/confirm"): P.MANAGE_GRANTS,
    ("GET", "/plans/{plan_id}/access-log"): P.READ_ACCESS_LOG,
    # The plan through the API (issue 6)
    ("GET", "/api/v1/plans/{plan_id}/plan"): P.SEE_PLAN,
    ("GET", "/api/v1/plans/{plan_id}/life-situation"): P.READ_LIFE_SITUATION,
    ("PUT", "/api/v1/plans/{plan_id}/life-situation"): P.WRITE_OWN_WORDS,
    ("POST", "/api/v1/plans/{plan_id}/goals"): P.PROPOSE_GOAL,
    ("GET", "/api/v1/plans/{plan_id}/goals/{goal_id}"): P.READ_GOALS_ACTIONS,
    ("PATCH", "/api/v1/plans/{plan_id}/goals/{goal_id}"): P.PROPOSE_GOAL,
    ("POST", "/api/v1/plans/{plan_id}/goals/{goal_id}/status"): P.DECIDE_GOAL,
    ("POST", "/api/v1/plans/{plan_id}/goals/{goal_id}/reviews"): P.REVIEW_GOAL,
    ("PATCH", "/api/v1/plans/{plan_id}/reviews/{review_id}"): P.REVIEW_GOAL,
    ("POST", "/api/v1/plans/{plan_id}/actions"): P.CREATE_ACTION,
    ("GET", "/api/v1/plans/{plan_id}/actions/{action_id}"): P.READ_GOALS_ACTIONS,
    ("PUT", "/api/v1/plans/{plan_id}/actions/{action_id}"): P.UPDATE_ACTION,
    ("POST", "/api/v1/plans/{plan_id}/actions/{action_id}/status"): P.UPDATE_ACTION,
    ("POST", "/api/v1/plans/{plan_id}/actions/{action_id}/notes"): P.COMMENT_ON_ACTION,
    ("PATCH", "/api/v1/plans/{plan_id}/notes/{note_id}"): P.COMMENT_ON_ACTION,
    ("PUT", "/api/v1/plans/{plan_id}/frame/dates"): P.EDIT_PLAN_FRAME,
    ("POST", "/api/v1/plans/{plan_id}/contributions"): P.WRITE_CONTRIBUTION,
    ("PATCH", "/api/v1/plans/{plan_id}/contributions/{contribution_id}"): P.WRITE_CONTRIBUTION,
    ("POST", "/api/v1/plans/{plan_id}/cooperation"): P.EDIT_PLAN_FRAME,
    ("PATCH", "/api/v1/plans/{plan_id}/cooperation/{cooperation_id}"): P.EDIT_PLAN_FRAME,
    ("POST", "/api/v1/plans/{plan_id}/sub-plans"): P.EDIT_PLAN_FRAME,
    ("PATCH", "/api/v1/plans/{plan_id}/sub-plans/{sub_plan_id}"): P.EDIT_PLAN_FRAME,
    ("POST", "/api/v1/plans/{plan_id}/close-request"): P.REQUEST_CLOSE,
    ("POST", "/api/v1/plans/{plan_id}/close"): P.CLOSE_PLAN,
    ("GET", "/api/v1/plans/{plan_id}/timeline"): P.SEE_PLAN,
    # Conversations (issue 7)
    ("GET", "/api/v1/plans/{plan_id}/threads"): P.SEE_PLAN,
    ("POST", "/api/v1/plans/{plan_id}/threads"): P.POST_MESSAGE,
    ("GET", "/api/v1/plans/{plan_id}/threads/{thread_id}"): P.READ_MESSAGES,
    ("GET", "/api/v1/plans/{plan_id}/threads/{thread_id}/messages"): P.READ_MESSAGES,
    ("POST", "/api/v1/plans/{plan_id}/threads/{thread_id}/messages"): P.POST_MESSAGE,
    ("PATCH", "/api/v1/plans/{plan_id}/threads/{thread_id}/messages/{message_id}"): P.POST_MESSAGE,
    ("POST", "/api/v1/plans/{plan_id}/threads/{thread_id}/read"): P.READ_MESSAGES,
    ("POST", "/api/v1/plans/{plan_id}/threads/{thread_id}/close"): P.CLOSE_THREAD,
    ("POST", "/api/v1/plans/{plan_id}/threads/{thread_id}/reopen"): P.CLOSE_THREAD,
    ("POST", "/api/v1/plans/{plan_id}/threads/{thread_id}/members"): P.ADD_THREAD_MEMBER,
    ("PUT", "/api/v1/plans/{plan_id}/threads/{thread_id}/history"): P.MANAGE_GRANTS,
    ("POST", "/api/v1/plans/{plan_id}/threads/{thread_id}/messages/{message_id}/attachments"): (
        P.POST_MESSAGE
    ),
    ("GET", "/api/v1/plans/{plan_id}/attachments/{attachment_id}"): P.READ_MESSAGES,
    # Conversation pages (issue 7)
    ("GET", "/plans/{plan_id}/threads"): P.SEE_PLAN,
    ("POST", "/plans/{plan_id}/threads"): P.POST_MESSAGE,
    ("POST", "/plans/{plan_id}/threads/draft/discard"): P.SEE_PLAN,
    ("GET", "/plans/{plan_id}/threads/{thread_id}"): P.READ_MESSAGES,
    ("POST", "/plans/{plan_id}/threads/{thread_id}/closed"): P.CLOSE_THREAD,
    ("POST", "/plans/{plan_id}/threads/{thread_id}/draft/discard"): P.SEE_PLAN,
    ("POST", "/plans/{plan_id}/threads/{thread_id}/members"): P.ADD_THREAD_MEMBER,
    ("POST", "/plans/{plan_id}/threads/{thread_id}/messages"): P.POST_MESSAGE,
    ("POST", "/plans/{plan_id}/threads/{thread_id}/messages/{message_id}/edit"): P.POST_MESSAGE,
    ("GET", "/plans/{plan_id}/attachments/{attachment_id}"): P.READ_MESSAGES,
    # The plan page and its forms (issue 6)
    ("GET", "/plans/{plan_id}"): P.SEE_PLAN,
    ("POST", "/plans/{plan_id}/own-words"): P.WRITE_OWN_WORDS,
    ("POST", "/plans/{plan_id}/goals"): P.PROPOSE_GOAL,
    ("POST", "/plans/{plan_id}/goals/{goal_id}"): P.PROPOSE_GOAL,
    ("POST", "/plans/{plan_id}/goals/{goal_id}/status"): P.DECIDE_GOAL,
    ("POST", "/plans/{plan_id}/goals/{goal_id}/reviews"): P.REVIEW_GOAL,
    ("POST", "/plans/{plan_id}/reviews/{review_id}"): P.REVIEW_GOAL,
    ("POST", "/plans/{plan_id}/actions"): P.CREATE_ACTION,
    ("POST", "/plans/{plan_id}/actions/{action_id}"): P.UPDATE_ACTION,
    ("POST", "/plans/{plan_id}/actions/{action_id}/status"): P.UPDATE_ACTION,
    ("POST", "/plans/{plan_id}/actions/{action_id}/notes"): P.COMMENT_ON_ACTION,
    ("POST", "/plans/{plan_id}/notes/{note_id}"): P.COMMENT_ON_ACTION,
    ("POST", "/plans/{plan_id}/dates"): P.EDIT_PLAN_FRAME,
    ("POST", "/plans/{plan_id}/contributions"): P.WRITE_CONTRIBUTION,
    ("POST", "/plans/{plan_id}/contributions/{item_id}"): P.WRITE_CONTRIBUTION,
    ("POST", "/plans/{plan_id}/cooperation"): P.EDIT_PLAN_FRAME,
    ("POST", "/plans/{plan_id}/cooperation/{item_id}"): P.EDIT_PLAN_FRAME,
    ("POST", "/plans/{plan_id}/sub-plans"): P.EDIT_PLAN_FRAME,
    ("POST", "/plans/{plan_id}/sub-plans/{item_id}"): P.EDIT_PLAN_FRAME,
    ("POST", "/plans/{plan_id}/close-request"): P.REQUEST_CLOSE,
    ("POST", "/plans/{plan_id}/close"): P.CLOSE_PLAN,
    ("POST", "/plans/{plan_id}/drafts/{form}"): P.SEE_PLAN,
    ("POST", "/plans/{plan_id}/drafts/{form}/discard"): P.SEE_PLAN,
    ("GET", "/plans/{plan_id}/timeline"): P.SEE_PLAN,
    ("GET", "/plans/{plan_id}/timeline/entries"): P.SEE_PLAN,
    ("GET", "/plans/{plan_id}/print"): P.EXPORT,
    ("GET", "/plans/{plan_id}/plan.pdf"): P.EXPORT,
}


def test_every_plan_route_is_covered_by_the_matrix(app: FastAPI) -> None:
    plan_routes = {route for route in app_routes(app) if "{plan_id}" in route[1]}
    missing = sorted(plan_routes - COVERED_ROUTES.keys())
    stale = sorted(COVERED_ROUTES.keys() - plan_routes)
    advice = "\n".join(
        f"    ({method!r}, {path!r}): P.<PERMISSION>,  # the one its service passes to "
        "access.require"
        for method, path in missing
    )
    assert not missing, (
        f"{len(missing)} route(s) take a plan id but the matrix test does not know them. Add to "
        f"COVERED_ROUTES in tests/access/test_matrix.py:\n{advice}\nGET routes are then tried "
        "for every actor column through the API; make sure the permission's row in access.md "
        "(or NOT_IN_ACCESS_MD) says what the route may do."
    )
    assert not stale, f"COVERED_ROUTES names routes the app no longer has: {stale}"


def _get_routes() -> list[tuple[str, access.Permission | ByRealm]]:
    """The GET routes about a plan as such. Routes that also name an item (a goal, an action)
    need a real item and are tried with one in their own tests (tests/api_plan)."""
    return sorted(
        (
            (path, permission)
            for (method, path), permission in COVERED_ROUTES.items()
            if method == "GET" and path.count("{") == 1
        ),
        key=lambda route: route[0],
    )


def _expected_from_access_md(column: str, permission: access.Permission) -> str | None:
    """The service matrix's answer for this column with the default set-up (everything granted,
    a fullmakt for everything, no item, no purpose), if access.md has a row for it."""
    for case in CASES:
        if (
            case.column == column
            and case.permission is permission
            and case.level is Level.PLAN
            and case.item is Item.NONE
            and case.purpose is None
            and case.grants == EVERY_PART_WRITE
            and case.power == FULL_POWER
        ):
            return case.expect
    return None


STATUS = {"allowed": 200, "forbidden": 403, "not_found": 404}


@pytest.mark.parametrize(
    ("path", "route_permission", "column"),
    [(path, permission, column) for path, permission in _get_routes() for column in COLUMNS],
    ids=lambda value: str(value),
)
async def test_access_md_matrix_through_the_api(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    clock: FrozenClock,
    path: str,
    route_permission: access.Permission | ByRealm,
    column: str,
) -> None:
    world = await build_world(session, clock)
    await world.set_grants(world.relative_participant, EVERY_PART_WRITE)
    await world.set_grants(world.provider_participant, EVERY_PART_WRITE)
    setup = COLUMNS[column]
    actor, plan = setup.actor(world), setup.plan(world)
    permission = (
        route_permission.for_actor(actor)
        if isinstance(route_permission, ByRealm)
        else route_permission
    )
    # What the service door says; access.md, where it has the row, must say the same.
    service = await decide_probe(session, world, actor, permission, plan)
    expected = _expected_from_access_md(column, permission)
    if expected is not None:
        assert service == expected, f"the service says {service}, access.md {expected}"
    await log_in(client, session, settings, clock, actor)
    url = fill_path(path, plan_id=plan.id)
    response = await client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == STATUS[service], (url, response.text[:300])
    # The decision is on the record, a refusal too, although the request rolled back.
    row = await session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == permission.value,
            AuditEvent.plan_id == plan.id,
            AuditEvent.actor_person_id == actor.person_id
            if actor.person_id is not None
            else AuditEvent.actor_employee_id == actor.employee_id,
        )
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    assert row is not None and row.outcome == AUDIT_OUTCOME[service]
    assert row.on_behalf_of_person_id == actor.acting_for_person_id


async def decide_probe(
    session: AsyncSession,
    world: World,
    actor: Actor,
    permission: access.Permission,
    plan: Plan,
    purpose: access.Purpose | None = None,
) -> str:
    try:
        await access.require(
            session, actor, permission, plan.id, clock=world.clock, purpose=purpose
        )
    except NotFound:
        return "not_found"
    except Forbidden:
        return "forbidden"
    finally:
        session.info.pop(PENDING_AFTER_ROLLBACK, None)  # the probe leaves no audit row
    return "allowed"


async def test_the_ke_reads_the_access_log_through_the_api_only_for_audit_duty(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, clock: FrozenClock
) -> None:
    world = await build_world(session, clock)
    await log_in(client, session, settings, clock, world.staff(world.ke_staff))
    url = f"/api/v1/plans/{world.plan_adult.id}/access-log"
    assert (await client.get(url)).status_code == 403
    assert (await client.get(url, params={"purpose": "case"})).status_code == 403
    assert (await client.get(url, params={"purpose": "audit_duty"})).status_code == 200


async def test_r_rep_1_applying_for_someone_needs_a_fullmakt_from_them(
    session: AsyncSession, clock: FrozenClock
) -> None:
    """The context names the person; the fullmakt must be theirs, to this holder, in force."""
    world = await build_world(session, clock)
    # A fullmakt in force from someone else (B's owner) to the same holder.
    other = PowerOfAttorney(
        municipality_id=world.b.id,
        granter_id=world.owner_b.id,
        holder_id=world.representative.id,
        scope="all",
        acts=True,
        valid_from=world.power_of_attorney.valid_from,
        verified_at=world.power_of_attorney.verified_at,
        created_at=clock.now(),
    )
    session.add(other)
    await session.flush()
    await world.set_power(acts=False)  # the adult's own fullmakt lets the holder read only
    borrowed = replace(world.acting_representative(), power_of_attorney_id=other.id)
    with pytest.raises(Forbidden):
        await access.require_for_person(session, borrowed, P.APPLY, world.adult.id, clock=clock)
    with pytest.raises(NotFound):
        await access.require(session, borrowed, P.SEE_PLAN, world.plan_adult.id, clock=clock)
    own = world.acting_representative()
    with pytest.raises(Forbidden):
        await access.require_for_person(session, own, P.APPLY, world.adult.id, clock=clock)
    await world.set_power(acts=True)
    await access.require_for_person(session, own, P.APPLY, world.adult.id, clock=clock)
