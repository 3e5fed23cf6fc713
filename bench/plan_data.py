"""The data behind the plan rows of `make bench` (P2, P7), written as the services write it.

`python -m bench.plan_data [--plans N] [--audit-rows N] [--seed S]` runs with a server's
SAMPLAN_* environment after `samplan migrate` and `samplan seed-demo`:

1. With `--plans`: N more plans in generated municipalities of 1,000 plans each, with their
   owners, staff and units, participants and grants, own words, goals, reviews, actions, notes,
   timeline entries, visits, and `--audit-rows` audit rows on valid hash chains (one per
   municipality, sealed with app/access/audit.py's own hash, so `samplan audit verify` passes).
   Bulk inserts with SQLAlchemy Core, one municipality at a time, from a seeded random generator:
   the same seed gives the same plans. Messages (issue 7) do not exist yet.
2. The measured plan: Per Mikkelsen's demo plan, grown through the services (access checks,
   timeline, audit) to 10 goals and 10 actions with notes and reviews. It is the same in every
   database, so P7 compares the same page on an empty and a full one. Its id goes to
   `<data dir>/measured-plan-id` for the rows' URLs.
3. VACUUM ANALYZE on PostgreSQL, as autovacuum would have done for a database that grew slowly.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import operator
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Table, insert, select
from sqlalchemy import Enum as SqlEnum
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.access import Actor
from app.access.audit import GENESIS_HASH, row_hash
from app.actions import service as actions
from app.clock import Clock, SystemClock, today_in_oslo
from app.db import make_engine, make_sessionmaker
from app.goals import service as goals
from app.models import (
    Action,
    ActionGoal,
    ActionStatus,
    AuditChainHead,
    AuditEvent,
    ConsentMethod,
    Employee,
    Goal,
    GoalReview,
    GoalStatus,
    Grant,
    GrantMode,
    LifeSituation,
    Municipality,
    NoteKind,
    Participant,
    ParticipantKind,
    Person,
    Plan,
    PlanPart,
    PlanStatus,
    PlanVisit,
    ProgressNote,
    Realm,
    ReviewAssessment,
    TimelineEntry,
    Unit,
    UnitKind,
    UnitMembership,
)
from app.people.identity_numbers import make_synthetic_identity_number
from app.people.pid_vault import PidVault
from app.settings import Settings
from bench.plan_bench import MEASURED_PLAN_FILE

PLANS_PER_MUNICIPALITY = 1_000
FIRST_MUNICIPALITY_NUMBER = 8000  # generated kommunenummer 8000, 8001, ...: no real one is 8xxx
BATCH_ROWS = 2_000  # rows per INSERT round trip (SQLite; PostgreSQL gets them by COPY)
AUDIT_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # how app/access/audit.canonical writes a time
MEASURED_OWNER = ("Per", "Mikkelsen")
MEASURED_GOALS = 10
MEASURED_ACTIONS = 10
# The demo units the measured plan's actions go to; the physiotherapist writes in the first.
MEASURED_UNITS = ("Fysioterapitjenesten", "Hjemmetjenesten", "NAV Fjordvik", "Helsestasjonen")

GOAL_FIELDS = ("text", "due_date", "status", "parent_id")  # as app/goals/service.py records
REVIEW_FIELDS = ("assessment", "text", "reviewed_on")
ACTION_FIELDS = (
    "title",
    "extent",
    "method",
    "responsible_unit_id",
    "responsible_employee_id",
    "start_date",
    "deadline",
    "status",
)
OWN_WORDS_FIELDS = ("what_matters", "situation", "resources", "needs", "own_view")

# Names that no demo person has, so the test login finds the measured owner by name alone.
GIVEN_NAMES = (
    "Anne", "Bjørn", "Camilla", "Dag", "Eli", "Finn", "Grete", "Hans", "Ida", "Jan", "Kjersti",
    "Knut", "Laila", "Magnus", "Nils", "Oda", "Pål", "Randi", "Sigurd", "Tone", "Unni", "Vegard",
    "Åse", "Øystein", "Amir", "Fatima", "Jonas Emil", "Siri", "Trond", "Wenche",
)  # fmt: skip
FAMILY_NAMES = (
    "Andersen", "Berge", "Dale", "Eide", "Fjeld", "Haugen", "Iversen", "Johansen", "Karlsen",
    "Lund", "Moen", "Nilsen", "Olsen", "Pedersen", "Rønning", "Strand", "Tangen", "Ulriksen",
    "Vold", "Wold", "Ali", "Hussain", "Nguyen", "Kowalski", "Lie Berg",
)  # fmt: skip
UNIT_KINDS = (
    ("Koordinerende enhet", UnitKind.COORDINATING_UNIT),
    ("Hjemmetjenesten", UnitKind.HOME_CARE),
    ("Fysioterapitjenesten", UnitKind.PHYSIOTHERAPY),
    ("Skolen", UnitKind.SCHOOL),
    ("NAV-kontoret", UnitKind.NAV),
    ("Helsestasjonen", UnitKind.HEALTH_STATION),
)
STAFF_PER_UNIT = 4
# Identity number serials from here on: the demo and the access rows use the first few.
FIRST_SERIAL = 200
BIRTH_DATES = 240
GOAL_TEXTS = (
    "Klare meg selv hjemme, med hjelp der det trengs.",
    "Gå tur ute hver dag, også om vinteren.",
    "Komme i arbeid eller praksisplass i løpet av året.",
    "Ha noen å snakke med når det er tungt.",
    "Lage middag selv minst tre dager i uka.",
    "Delta i en fritidsaktivitet jeg liker.",
    "Sove bedre og ha mer overskudd om dagen.",
    "Fullføre skoleåret med godkjente karakterer.",
    "Ta bussen alene til byen.",
    "Holde orden på økonomien og betale regningene i tide.",
)
ACTION_TITLES = (
    "Hjemmebesøk og praktisk bistand",
    "Gangtrening med fysioterapeut",
    "Tilrettelagt undervisning",
    "Oppfølging fra NAV-veileder",
    "Samtaler med helsesykepleier",
    "Støttekontakt to kvelder i uka",
    "Vurdere hjelpemidler i hjemmet",
    "Kurs i mestring av hverdagen",
)
TEXTS = (
    "Det går fremover, men det tar tid. Vi fortsetter som avtalt og ser på det igjen om en måned.",
    "Avtalen ble flyttet en uke fordi det passet bedre. Neste gang møtes vi hjemme.",
    "Jeg synes dette hjelper, men jeg blir fort sliten etterpå.",
    "Vi har prøvd en ny måte å gjøre øvelsene på, og den fungerer bedre enn den gamle.",
    "Har snakket med fastlegen om dette. Han følger opp blodprøvene.",
    "Tiltaket er i gang, og alle vet hvem som gjør hva. Ta kontakt hvis noe endrer seg.",
)
EXTENTS = ("To ganger i uka, 45 minutter", "Hver dag, morgen og kveld", "Ett møte i måneden")


def _text(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _plain(value: Any) -> Any:
    """As app/plan_items/versions.plain: the timeline's JSON form of a field."""
    if isinstance(value, (GoalStatus, ActionStatus, ReviewAssessment)):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list):
        return sorted(_plain(v) for v in value)
    return value


def _created(row: dict[str, Any], fields: Sequence[str], **extra: Any) -> dict[str, list[Any]]:
    """As versions.created(versions.snapshot(...)): the fields a new item was written with."""
    after = {name: _plain(row[name]) for name in fields} | {k: _plain(v) for k, v in extra.items()}
    return {name: [None, value] for name, value in after.items() if value not in (None, "", [])}


@dataclass
class _Rows:
    """One municipality's rows, table by table, in an order the foreign keys accept."""

    tables: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: Table, row: dict[str, Any]) -> dict[str, Any]:
        self.tables.setdefault(table, []).append(row)
        return row


def _t(model: Any) -> Table:
    table: Table = model.__table__
    return table


ORDER = [
    _t(m)
    for m in (
        Municipality,
        Unit,
        Employee,
        UnitMembership,
        Person,
        Plan,
        LifeSituation,
        Participant,
        Grant,
        Goal,
        GoalReview,
        Action,
        ActionGoal,
        ProgressNote,
        TimelineEntry,
        PlanVisit,
        AuditEvent,
        AuditChainHead,
    )
]


@dataclass
class _Staff:
    id: uuid.UUID
    name: str
    unit_id: uuid.UUID
    unit_name: str


class Generator:
    """Plans and everything in them, from one seeded random generator."""

    def __init__(self, *, seed: int, vault: PidVault, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.vault = vault
        self.now = now
        self.today = now.date()
        self._serials: dict[date, int] = {}
        self._birth_dates: list[date] = []
        self._sequence = 0

    # -- ids and times --

    def timeline_id(self, at: datetime) -> uuid.UUID:
        """The layout of app/timeline/service.ordered_id: time, then order of writing."""
        self._sequence += 1
        micros = int(at.timestamp() * 1_000_000)
        return uuid.UUID(
            int=(micros << 64) | ((self._sequence & 0xFFFF) << 48) | self.rng.getrandbits(48)
        )

    def _after(self, start: datetime, *, within_days: float | None = None) -> datetime:
        end = self.now if within_days is None else min(self.now, start + timedelta(within_days))
        seconds = max(0.0, (end - start).total_seconds())
        return start + timedelta(seconds=self.rng.uniform(0, seconds))

    def _identity_number(self) -> tuple[str, date]:
        """A synthetic number nobody else has. Birth dates come from a small pool, since the
        app caches the valid series of the last 256 dates it was asked for."""
        while True:
            if not self._birth_dates:
                self._birth_dates = [
                    self.today - timedelta(days=self.rng.randint(16 * 366, 90 * 365))
                    for _ in range(BIRTH_DATES)
                ]
            born = self.rng.choice(self._birth_dates)
            serial = self._serials.get(born, FIRST_SERIAL)
            self._serials[born] = serial + 1
            try:
                return make_synthetic_identity_number(born, serial=serial), born
            except ValueError:  # every number of that day is taken
                self._birth_dates.remove(born)

    # -- one municipality --

    def municipality(self, number: int, plans: int, audit_rows: int) -> _Rows:
        rows = _Rows()
        municipality_id = _uuid(self.rng)
        rows.add(
            _t(Municipality),
            {
                "id": municipality_id,
                "number": str(FIRST_MUNICIPALITY_NUMBER + number),
                "name": f"Målestad {number + 1} kommune",
                "created_at": self.now - timedelta(days=1500),
            },
        )
        staff = self._staff(rows, municipality_id)
        audits: list[tuple[dict[str, Any], dict[str, Any]]] = []
        per_plan = [
            audit_rows // plans + (1 if i < audit_rows % plans else 0) for i in range(plans)
        ]
        for count in per_plan:
            self._plan(rows, municipality_id, staff, count, audits)
        self._seal(rows, str(municipality_id), audits)
        return rows

    def _staff(self, rows: _Rows, municipality_id: uuid.UUID) -> dict[UnitKind, list[_Staff]]:
        staff: dict[UnitKind, list[_Staff]] = {}
        created = self.now - timedelta(days=1500)
        for unit_name, kind in UNIT_KINDS:
            unit_id = _uuid(self.rng)
            rows.add(
                _t(Unit),
                {
                    "id": unit_id,
                    "municipality_id": municipality_id,
                    "name": unit_name,
                    "kind": kind,
                    "created_at": created,
                },
            )
            for _ in range(STAFF_PER_UNIT):
                employee_id = _uuid(self.rng)
                name = f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(FAMILY_NAMES)}"
                rows.add(
                    _t(Employee),
                    {
                        "id": employee_id,
                        "municipality_id": municipality_id,
                        "name": name,
                        "title": "Koordinator" if kind is UnitKind.HOME_CARE else "Rådgiver",
                        "email": None,
                        "hpr_number": None,
                        "idp_issuer": None,
                        "idp_subject": None,
                        "trained_coordinator": kind is UnitKind.HOME_CARE,
                        "created_at": created,
                    },
                )
                rows.add(
                    _t(UnitMembership),
                    {
                        "id": _uuid(self.rng),
                        "employee_id": employee_id,
                        "unit_id": unit_id,
                        "created_at": created,
                    },
                )
                staff.setdefault(kind, []).append(_Staff(employee_id, name, unit_id, unit_name))
        return staff

    def _person(self, rows: _Rows, created: datetime) -> dict[str, Any]:
        number, born = self._identity_number()
        return rows.add(
            _t(Person),
            {
                "id": _uuid(self.rng),
                "pid_lookup": self.vault.lookup_hash(number),
                "pid_encrypted": self.vault.encrypt(number),
                "given_name": self.rng.choice(GIVEN_NAMES),
                "family_name": self.rng.choice(FAMILY_NAMES),
                "birth_date": born,
                "confidential_address": self.rng.random() < 0.01,
                "created_at": created,
            },
        )

    def _plan(
        self,
        rows: _Rows,
        municipality_id: uuid.UUID,
        staff: dict[UnitKind, list[_Staff]],
        audit_count: int,
        audits: list[tuple[dict[str, Any], dict[str, Any]]],
    ) -> None:
        rng = self.rng
        created = self.now - timedelta(days=rng.uniform(30, 1400))
        owner = self._person(rows, created)
        coordinator = rng.choice(staff[UnitKind.HOME_CARE])
        closed = rng.random() < 0.05
        plan_id = _uuid(rng)
        start = created.date()
        plan = rows.add(
            _t(Plan),
            {
                "id": plan_id,
                "municipality_id": municipality_id,
                "owner_id": owner["id"],
                "coordinator_id": coordinator.id,
                "status": PlanStatus.CLOSED if closed else PlanStatus.ACTIVE,
                "period_start": start,
                "period_end": start + timedelta(days=730),
                "revision_date": start + timedelta(days=rng.randint(90, 700)),
                "close_requested_at": None,
                "closed_at": self._after(created) if closed else None,
                "created_at": created,
                "updated_at": self._after(created),
                "version": rng.randint(1, 4),
            },
        )
        entries = _Timeline(self, rows, plan_id)
        by_owner = {"person": owner["id"]}
        providers = self._participants(rows, plan, owner, staff, entries)
        if rng.random() < 0.8:
            at = self._after(created, within_days=60)
            words = rows.add(
                _t(LifeSituation),
                {
                    "id": _uuid(rng),
                    "plan_id": plan_id,
                    **self._written(at, person=owner["id"]),
                    "what_matters": rng.choice(GOAL_TEXTS),
                    "situation": rng.choice(TEXTS),
                    "resources": rng.choice(TEXTS),
                    "needs": rng.choice(TEXTS) if rng.random() < 0.9 else "",
                    "own_view": "",
                    "written_by_coordinator": False,
                },
            )
            entries.add(
                at,
                "life_situation.written",
                "life_situation",
                words,
                _created(words, OWN_WORDS_FIELDS),
                by_owner,
            )
        goal_rows = self._goals(rows, plan, owner, providers, coordinator, entries)
        action_rows = self._actions(rows, plan, goal_rows, providers, coordinator, entries)
        self._notes(rows, plan, owner, action_rows, entries)
        rows.add(
            _t(PlanVisit),
            {
                "plan_id": plan_id,
                "visitor": f"person:{owner['id']}",
                "seen_at": self._after(created),
            },
        )
        self._audit_rows(plan, owner, providers, coordinator, audit_count, audits)

    def _written(
        self, at: datetime, *, person: uuid.UUID | None = None, employee: uuid.UUID | None = None
    ) -> dict[str, Any]:
        return {
            "created_by_person_id": person,
            "created_by_employee_id": employee,
            "on_behalf_of_person_id": None,
            "created_at": at,
            "updated_at": at,
            "version": 1,
        }

    def _participants(
        self,
        rows: _Rows,
        plan: dict[str, Any],
        owner: dict[str, Any],
        staff: dict[UnitKind, list[_Staff]],
        entries: _Timeline,
    ) -> list[_Staff]:
        rng = self.rng
        kinds = [kind for _, kind in UNIT_KINDS if kind is not UnitKind.COORDINATING_UNIT]
        chosen = [rng.choice(staff[kind]) for kind in rng.sample(kinds, rng.randint(1, 3))]
        for member in chosen:
            added = self._after(plan["created_at"], within_days=90)
            participant_id = _uuid(rng)
            rows.add(
                _t(Participant),
                {
                    "id": participant_id,
                    "plan_id": plan["id"],
                    "kind": ParticipantKind.EMPLOYEE,
                    "person_id": None,
                    "employee_id": member.id,
                    "unit_id": member.unit_id,
                    "relation": "",
                    "added_by_person_id": owner["id"],
                    "added_by_employee_id": None,
                    "added_at": added,
                    "left_at": None,
                },
            )
            who = f"{member.name}, {member.unit_name}"
            by_owner = {"person": owner["id"]}
            entries.add_raw(
                added,
                "participant.added",
                "participant",
                participant_id,
                None,
                {"participant": [None, who]},
                by_owner,
            )
            parts = [(PlanPart.GOALS_ACTIONS, GrantMode.WRITE)]
            if rng.random() < 0.5:
                parts.append((PlanPart.NOTES, GrantMode.READ))
            for part, mode in parts:
                grant_id = _uuid(rng)
                rows.add(
                    _t(Grant),
                    {
                        "id": grant_id,
                        "plan_id": plan["id"],
                        "participant_id": participant_id,
                        "part": part,
                        "mode": mode,
                        "valid_from": added.date(),
                        "valid_until": None,
                        "method": ConsentMethod.ELECTRONIC,
                        "granted_by_person_id": owner["id"],
                        "granted_for_person_id": owner["id"],
                        "recorded_by_employee_id": None,
                        "document_id": None,
                        "verified_by_employee_id": None,
                        "verified_at": None,
                        "confirmed_by_owner_at": added,
                        "replaces_grant_id": None,
                        "ended_at": None,
                        "ended_by_person_id": None,
                        "ended_by_employee_id": None,
                        "created_at": added,
                    },
                )
                changes = {
                    "participant": [None, who],
                    "part": [None, part.value],
                    "mode": [None, mode.value],
                }
                entries.add_raw(added, "grant.given", "grant", grant_id, None, changes, by_owner)
        return chosen

    def _goals(
        self,
        rows: _Rows,
        plan: dict[str, Any],
        owner: dict[str, Any],
        providers: list[_Staff],
        coordinator: _Staff,
        entries: _Timeline,
    ) -> list[dict[str, Any]]:
        rng = self.rng
        made: list[dict[str, Any]] = []
        mains: list[dict[str, Any]] = []
        for _ in range(rng.randint(3, 8)):
            at = self._after(plan["created_at"], within_days=200)
            by_provider = rng.random() < 0.3
            provider = rng.choice(providers)
            parent = rng.choice(mains) if mains and rng.random() < 0.3 else None
            goal = {
                "id": _uuid(rng),
                "plan_id": plan["id"],
                "parent_id": parent["id"] if parent else None,
                "text": rng.choice(GOAL_TEXTS),
                "status": GoalStatus.PROPOSED if by_provider else GoalStatus.ACCEPTED,
                "due_date": (at + timedelta(days=rng.randint(30, 365))).date()
                if rng.random() < 0.7
                else None,
                "proposed_by_unit_id": provider.unit_id if by_provider else None,
                "decided_by_person_id": None if by_provider else owner["id"],
                "decided_at": None if by_provider else at,
                **self._written(
                    at,
                    person=None if by_provider else owner["id"],
                    employee=provider.id if by_provider else None,
                ),
            }
            author = {"employee": provider.id} if by_provider else {"person": owner["id"]}
            entries.add(
                at,
                "goal.proposed" if by_provider else "goal.added",
                "goal",
                goal,
                _created(goal, GOAL_FIELDS),
                author,
                unit=goal["proposed_by_unit_id"],
            )
            current = goal["status"]
            for status in self._goal_path(rng.random(), proposed=by_provider):
                at = self._after(at, within_days=120)
                goal["version"] += 1
                goal["updated_at"] = at
                if current is GoalStatus.PROPOSED:
                    goal["decided_by_person_id"], goal["decided_at"] = owner["id"], at
                entries.add(
                    at,
                    f"goal.{status.value}",
                    "goal",
                    goal,
                    {"status": [current.value, status.value]},
                    {"person": owner["id"]},
                )
                current = goal["status"] = status
            made.append(goal)
            if parent is None and current is not GoalStatus.DECLINED:
                mains.append(goal)
            for _ in range(rng.randint(0, 2) if current is GoalStatus.ACTIVE else 0):
                self._review(rows, plan, goal, coordinator, entries)
        made.sort(key=lambda g: g["parent_id"] is not None)  # main goals go in first
        for goal in made:
            rows.add(_t(Goal), goal)
        return made

    def _goal_path(self, draw: float, *, proposed: bool) -> list[GoalStatus]:
        """The statuses a goal went through after it was proposed (by an employee) or written
        (by the owner: accepted at once), each one a step app/goals/service.TRANSITIONS allows."""
        if draw < 0.15:  # still waiting for the owner, or declined
            return ([GoalStatus.DECLINED] if draw < 0.05 else []) if proposed else []
        path = [GoalStatus.ACCEPTED] if proposed else []
        if draw < 0.45:
            return path
        if draw < 0.85:
            return [*path, GoalStatus.ACTIVE]
        return [*path, GoalStatus.ACHIEVED if draw < 0.95 else GoalStatus.STOPPED]

    def _review(
        self,
        rows: _Rows,
        plan: dict[str, Any],
        goal: dict[str, Any],
        coordinator: _Staff,
        entries: _Timeline,
    ) -> None:
        at = self._after(goal["updated_at"], within_days=200)
        review = rows.add(
            _t(GoalReview),
            {
                "id": _uuid(self.rng),
                "plan_id": plan["id"],
                "goal_id": goal["id"],
                "assessment": self.rng.choice(list(ReviewAssessment)),
                "text": self.rng.choice(TEXTS),
                "reviewed_on": at.date(),
                **self._written(at, employee=coordinator.id),
            },
        )
        entries.add(
            at,
            "review.added",
            "review",
            review,
            _created(review, REVIEW_FIELDS),
            {"employee": coordinator.id},
            parent=("goal", goal["id"]),
            unit=coordinator.unit_id,
        )

    def _actions(
        self,
        rows: _Rows,
        plan: dict[str, Any],
        goal_rows: list[dict[str, Any]],
        providers: list[_Staff],
        coordinator: _Staff,
        entries: _Timeline,
    ) -> list[tuple[dict[str, Any], _Staff]]:
        rng = self.rng
        linkable = [g for g in goal_rows if g["status"] is not GoalStatus.DECLINED]
        made = []
        for _ in range(rng.randint(2, 6)):
            responsible = rng.choice(providers) if rng.random() < 0.7 else coordinator
            at = self._after(plan["created_at"], within_days=300)
            start = at.date() + timedelta(days=rng.randint(0, 30))
            action = rows.add(
                _t(Action),
                {
                    "id": _uuid(rng),
                    "plan_id": plan["id"],
                    "title": rng.choice(ACTION_TITLES),
                    "extent": rng.choice(EXTENTS),
                    "method": rng.choice(TEXTS) if rng.random() < 0.85 else "",
                    "responsible_unit_id": responsible.unit_id,
                    "responsible_employee_id": responsible.id if rng.random() < 0.6 else None,
                    "start_date": start,
                    "deadline": start + timedelta(days=rng.randint(30, 400)),
                    "status": ActionStatus.PLANNED,
                    **self._written(at, employee=coordinator.id),
                },
            )
            links = rng.sample(linkable, min(len(linkable), rng.randint(1, 2)))
            for goal in links:
                rows.add(_t(ActionGoal), {"action_id": action["id"], "goal_id": goal["id"]})
            entries.add(
                at,
                "action.added",
                "action",
                action,
                _created(action, ACTION_FIELDS, goal_ids=[g["id"] for g in links]),
                {"employee": coordinator.id},
                unit=responsible.unit_id,
            )
            status = rng.choice(list(ActionStatus))
            if status is not ActionStatus.PLANNED:
                at = self._after(at, within_days=120)
                action["status"], action["version"], action["updated_at"] = status, 2, at
                entries.add(
                    at,
                    "action.status",
                    "action",
                    action,
                    {"status": [ActionStatus.PLANNED.value, status.value]},
                    {"employee": coordinator.id},
                    unit=responsible.unit_id,
                )
            made.append((action, responsible))
        return made

    def _notes(
        self,
        rows: _Rows,
        plan: dict[str, Any],
        owner: dict[str, Any],
        action_rows: list[tuple[dict[str, Any], _Staff]],
        entries: _Timeline,
    ) -> None:
        rng = self.rng
        for action, responsible in action_rows:
            for _ in range(rng.randint(0, 4)):
                at = self._after(action["created_at"])
                by_provider = rng.random() < 0.7
                kind = NoteKind.PROGRESS if by_provider else NoteKind.COMMENT
                text = rng.choice(TEXTS)
                note = rows.add(
                    _t(ProgressNote),
                    {
                        "id": _uuid(rng),
                        "plan_id": plan["id"],
                        "action_id": action["id"],
                        "kind": kind,
                        "text": text,
                        "author_unit_id": responsible.unit_id if by_provider else None,
                        **self._written(
                            at,
                            person=None if by_provider else owner["id"],
                            employee=responsible.id if by_provider else None,
                        ),
                    },
                )
                author = {"employee": responsible.id} if by_provider else {"person": owner["id"]}
                entries.add(
                    at,
                    f"note.{kind.value}",
                    "note",
                    note,
                    {"text": [None, text]},
                    author,
                    parent=("action", action["id"]),
                    unit=note["author_unit_id"],
                )

    # -- the audit log --

    def _audit_rows(
        self,
        plan: dict[str, Any],
        owner: dict[str, Any],
        providers: list[_Staff],
        coordinator: _Staff,
        count: int,
        audits: list[tuple[dict[str, Any], dict[str, Any]]],
    ) -> None:
        """Reads of the plan page as app/access/decisions.py logs them: four rows per visit by
        the owner, the coordinator or a provider, one request's correlation id on each. Each row
        comes with its hashed form (app/access/audit.canonical's values), built once here."""
        reads = ("see_plan", "read_life_situation", "read_goals_actions", "read_notes")
        plan_text, municipality_text = str(plan["id"]), str(plan["municipality_id"])
        made = 0
        while made < count:
            at = self._after(plan["created_at"])
            draw = self.rng.random()
            person, employee, role, unit = None, None, "provider", None
            if draw < 0.5:
                person, role = owner["id"], "owner"
            elif draw < 0.7:
                employee, role = coordinator.id, "coordinator"
            else:
                provider = self.rng.choice(providers)
                employee, unit = provider.id, provider.unit_id
            correlation = f"{self.rng.getrandbits(128):032x}"
            shared = {
                "occurred_at": at.astimezone(UTC).strftime(AUDIT_TIME),
                "municipality_id": municipality_text,
                "actor_person_id": _text(person),
                "actor_employee_id": _text(employee),
                "on_behalf_of_person_id": None,
                "plan_id": plan_text,
                "item_type": None,
                "item_id": None,
                "actor_role": role,
                "actor_unit_id": _text(unit),
                "outcome": "allowed",
                "reason": "allowed",
                "correlation_id": correlation,
            }
            for action in reads[: count - made]:
                row_id = _uuid(self.rng)
                row = {
                    "id": row_id,
                    "occurred_at": at,
                    "municipality_id": plan["municipality_id"],
                    "actor_person_id": person,
                    "actor_employee_id": employee,
                    "on_behalf_of_person_id": None,
                    "plan_id": plan["id"],
                    "item_type": None,
                    "item_id": None,
                    "actor_role": role,
                    "actor_unit_id": unit,
                    "action": action,
                    "outcome": "allowed",
                    "reason": "allowed",
                    "correlation_id": correlation,
                }
                audits.append((row, {**shared, "id": str(row_id), "action": action}))
                made += 1

    def _seal(
        self, rows: _Rows, chain: str, audits: list[tuple[dict[str, Any], dict[str, Any]]]
    ) -> None:
        """One hash chain in time order, as app/access/audit.py seals it. The hash is computed
        here from the prepared values (the app's own function takes ten times as long); every
        thousandth row and the last are checked against app/access/audit.row_hash."""
        audits.sort(key=lambda pair: (pair[0]["occurred_at"], pair[0]["id"]))
        prev = GENESIS_HASH
        for seq, (values, hashed) in enumerate(audits, start=1):
            values["chain"] = hashed["chain"] = chain
            values["seq"] = hashed["seq"] = seq
            text = json.dumps(hashed, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
            this = hashlib.sha256(prev + text.encode("ascii")).digest()
            if (seq % 1000 == 1 or seq == len(audits)) and this != row_hash(prev, values):
                raise RuntimeError("bench.plan_data hashes audit rows unlike app/access/audit.py")
            values["prev_hash"], values["row_hash"] = prev, this
            rows.add(_t(AuditEvent), values)
            prev = this
        if audits:
            rows.add(
                _t(AuditChainHead),
                {
                    "chain": chain,
                    "last_seq": len(audits),
                    "last_hash": prev,
                    "updated_at": audits[-1][0]["occurred_at"],
                },
            )


class _Timeline:
    """A plan's timeline entries, as app/timeline/service.record writes them."""

    def __init__(self, generator: Generator, rows: _Rows, plan_id: uuid.UUID) -> None:
        self.generator, self.rows, self.plan_id = generator, rows, plan_id

    def add(
        self,
        at: datetime,
        kind: str,
        item_type: str,
        item: dict[str, Any],
        changes: dict[str, Any],
        who: dict[str, uuid.UUID],
        *,
        parent: tuple[str, uuid.UUID] | None = None,
        unit: uuid.UUID | None = None,
    ) -> None:
        self.add_raw(at, kind, item_type, item["id"], item["version"], changes, who, parent, unit)

    def add_raw(
        self,
        at: datetime,
        kind: str,
        item_type: str,
        item_id: uuid.UUID | None,
        item_version: int | None,
        changes: dict[str, Any],
        who: dict[str, uuid.UUID],
        parent: tuple[str, uuid.UUID] | None = None,
        unit: uuid.UUID | None = None,
    ) -> None:
        part = "group" if item_type in ("participant", "grant") else _PART_OF[item_type]
        self.rows.add(
            _t(TimelineEntry),
            {
                "id": self.generator.timeline_id(at),
                "plan_id": self.plan_id,
                "at": at,
                "kind": kind,
                "part": part,
                "item_type": item_type,
                "item_id": item_id,
                "item_version": item_version,
                "parent_type": parent[0] if parent else None,
                "parent_id": parent[1] if parent else None,
                "changes": changes,
                "actor_person_id": who.get("person"),
                "actor_employee_id": who.get("employee"),
                "on_behalf_of_person_id": None,
                "actor_unit_id": unit,
            },
        )


_PART_OF = {
    "life_situation": "life_situation",
    "goal": "goals_actions",
    "review": "goals_actions",
    "action": "goals_actions",
    "note": "notes",
}


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start : start + BATCH_ROWS]


async def _write(connection: AsyncConnection, rows: _Rows, counts: dict[str, int]) -> None:
    """Every table in foreign-key order: by COPY on PostgreSQL (a few times faster than INSERT),
    by batched INSERTs elsewhere. Both get the values the ORM would bind. As a superuser, the
    foreign-key triggers are off for the transaction (half of PostgreSQL's work): the rows only
    point at rows made here or in the demo data, which tests/bench/test_plan_data.py checks."""
    copy: Any = None
    if connection.dialect.name == "postgresql":
        copy = (await connection.get_raw_connection()).driver_connection
        if await copy.fetchval("SELECT current_setting('is_superuser')") == "on":
            await copy.execute("SET LOCAL session_replication_role = replica")
    for table in ORDER:
        found = rows.tables.get(table, [])
        if found and copy is not None:
            names = list(found[0])
            await copy.copy_records_to_table(
                table.name, records=_records(table, names, found), columns=names
            )
        else:
            for batch in _batches(found):
                await connection.execute(insert(table), batch)
        counts[table.name] = counts.get(table.name, 0) + len(found)


def _records(table: Table, names: list[str], found: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as COPY wants them: enums as their stored value, JSON as the text SQLAlchemy's
    JSON type would send (json.dumps); everything else as it is."""
    pick = operator.itemgetter(*names)
    records = [pick(row) for row in found]
    converted = {
        index: _for_copy(table.c[name].type)
        for index, name in enumerate(names)
        if _for_copy(table.c[name].type) is not None
    }
    if not converted:
        return records
    fixed = []
    for record in records:
        values = list(record)
        for index, convert in converted.items():
            if values[index] is not None:
                values[index] = convert(values[index])
        fixed.append(tuple(values))
    return fixed


def _for_copy(column_type: Any) -> Any:
    if isinstance(column_type, JSON):
        return json.dumps
    if isinstance(column_type, SqlEnum):
        return operator.attrgetter("value")
    return None


async def add_plans(
    engine: AsyncEngine, *, plans: int, audit_rows: int, seed: int, vault: PidVault, now: datetime
) -> dict[str, int]:
    """`plans` more plans and `audit_rows` audit rows; the rows written, by table. The next
    municipality is generated in a thread while the database takes in the last one."""
    if plans <= 0:
        return {}
    generator = Generator(seed=seed, vault=vault, now=now)
    sizes = [
        min(PLANS_PER_MUNICIPALITY, plans - done)
        for done in range(0, plans, PLANS_PER_MUNICIPALITY)
    ]
    shares = [
        audit_rows * (done + size) // plans - audit_rows * done // plans
        for done, size in zip(range(0, plans, PLANS_PER_MUNICIPALITY), sizes, strict=True)
    ]
    counts: dict[str, int] = {}
    started = time.monotonic()
    upcoming = asyncio.create_task(
        asyncio.to_thread(generator.municipality, 0, sizes[0], shares[0])
    )
    for number in range(len(sizes)):
        rows = await upcoming
        if number + 1 < len(sizes):
            upcoming = asyncio.create_task(
                asyncio.to_thread(
                    generator.municipality, number + 1, sizes[number + 1], shares[number + 1]
                )
            )
        async with engine.begin() as connection:
            await _write(connection, rows, counts)
        sys.stderr.write(
            f"bench.plan_data: municipality {number + 1} of {len(sizes)} written "
            f"({time.monotonic() - started:.0f} s)\n"
        )
    return counts


# --- the measured plan ---------------------------------------------------------------------------


def _citizen(person: Person) -> Actor:
    return Actor(
        realm=Realm.CITIZEN,
        session_id=uuid.uuid4(),
        display_name=person.display_name,
        person_id=person.id,
    )


def _staff_actor(member: Employee) -> Actor:
    return Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.uuid4(),
        display_name=member.name,
        employee_id=member.id,
        municipality_id=member.municipality_id,
    )


async def grow_measured_plan(session: AsyncSession, clock: Clock) -> uuid.UUID:
    """Per Mikkelsen's demo plan with 10 goals and 10 actions, written through the services:
    the owner writes goals and comments, the coordinator actions and reviews, the
    physiotherapist (who has a grant) progress notes. Does nothing if the plan has them."""
    given, family = MEASURED_OWNER
    owner = await session.scalar(
        select(Person).where(Person.given_name == given, Person.family_name == family)
    )
    plan = await session.scalar(select(Plan).where(Plan.owner_id == owner.id)) if owner else None
    if owner is None or plan is None or plan.coordinator_id is None:
        raise SystemExit("bench.plan_data: run `samplan seed-demo` first (no demo plan for Per)")
    coordinator = await session.get(Employee, plan.coordinator_id)
    physio = await session.scalar(select(Employee).where(Employee.name == "Ola Hansen"))
    units = {
        unit.name: unit
        for unit in await session.scalars(
            select(Unit).where(Unit.municipality_id == plan.municipality_id)
        )
    }
    if coordinator is None or physio is None or not set(MEASURED_UNITS) <= units.keys():
        raise SystemExit("bench.plan_data: the demo data changed: no coordinator, physio or unit")
    existing = list(await session.scalars(select(Goal).where(Goal.plan_id == plan.id)))
    if len(existing) >= MEASURED_GOALS:
        return plan.id
    me, coordinating = _citizen(owner), _staff_actor(coordinator)
    physiotherapist = _staff_actor(physio)
    today = today_in_oslo(clock)
    main = [g for g in existing if g.parent_id is None and g.status is not GoalStatus.PROPOSED]
    for number in range(MEASURED_GOALS - len(existing)):
        parent = main[number % len(main)].id if main and number % 3 == 2 else None
        goal = await goals.propose_goal(
            session,
            me,
            plan.id,
            goals.GoalInput(
                GOAL_TEXTS[number % len(GOAL_TEXTS)],
                today + timedelta(days=30 * (number + 1)),
                parent,
            ),
            clock=clock,
        )
        if parent is None:
            main.append(goal)
        if number % 2 == 0:
            await goals.set_goal_status(
                session, me, plan.id, goal.id, GoalStatus.ACTIVE, seen_version=None, clock=clock
            )
            await goals.add_review(
                session,
                coordinating,
                plan.id,
                goal.id,
                goals.ReviewInput(ReviewAssessment.ON_TRACK, TEXTS[number % len(TEXTS)]),
                clock=clock,
            )
    count = len(list(await session.scalars(select(Action.id).where(Action.plan_id == plan.id))))
    for number in range(MEASURED_ACTIONS - count):
        unit = units[MEASURED_UNITS[number % len(MEASURED_UNITS)]]
        action = await actions.create_action(
            session,
            coordinating,
            plan.id,
            actions.ActionInput(
                ACTION_TITLES[number % len(ACTION_TITLES)],
                unit.id,
                extent=EXTENTS[number % len(EXTENTS)],
                method=TEXTS[number % len(TEXTS)],
                start_date=today - timedelta(days=10),
                deadline=today + timedelta(days=20 * (number + 1)),
                status=ActionStatus.ONGOING,
                goal_ids=(main[number % len(main)].id,),
            ),
            clock=clock,
        )
        writer = physiotherapist if unit.name == MEASURED_UNITS[0] else me
        for text in TEXTS[number % 3 : number % 3 + 2]:
            await actions.add_note(session, writer, plan.id, action.id, text, clock=clock)
    return plan.id


# --- the command ---------------------------------------------------------------------------------


async def prepare(
    settings: Settings, *, plans: int, audit_rows: int, seed: int, clock: Clock
) -> dict[str, int]:
    """Steps 1 to 3 of the module's description; the generated rows, by table."""
    engine = make_engine(settings.resolved_database_url)
    try:
        counts: dict[str, int] = {}
        if plans > 0:
            vault = PidVault(settings.resolved_data_key())
            counts = await add_plans(
                engine,
                plans=plans,
                audit_rows=audit_rows,
                seed=seed,
                vault=vault,
                now=clock.now().astimezone(UTC),
            )
        async with make_sessionmaker(engine).begin() as session:
            plan_id = await grow_measured_plan(session, clock)
        (settings.data_dir / MEASURED_PLAN_FILE).write_text(f"{plan_id}\n")
        await analyze(engine)
        return counts
    finally:
        await engine.dispose()


async def analyze(engine: AsyncEngine) -> None:
    """Planner statistics for the tables just filled, as autovacuum would have made them."""
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        await autocommit.exec_driver_sql(vacuum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plan_data", description=__doc__)
    parser.add_argument("--plans", type=int, default=0, help="plans to generate (default 0)")
    parser.add_argument("--audit-rows", type=int, default=0, help="audit rows across them")
    parser.add_argument("--seed", type=int, default=6, help="random seed (default 6)")
    args = parser.parse_args(argv)
    if args.plans < 0 or args.audit_rows < 0 or (args.audit_rows and not args.plans):
        parser.error("--plans and --audit-rows are counts; audit rows need plans")
    counts = asyncio.run(
        prepare(
            Settings(),
            plans=args.plans,
            audit_rows=args.audit_rows,
            seed=args.seed,
            clock=SystemClock(),
        )
    )
    summary = ", ".join(f"{name} {count:,}" for name, count in counts.items() if count)
    sys.stderr.write(f"bench.plan_data: {summary or 'no generated plans'}; the measured plan ok\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
