"""What the demo plans say, written through the same services people use, so the timeline,
the versions and the access checks are real. Runs once per plan (only while it has no goals).

Per's plan is the full example: his own words, goals, actions with notes, a proposal from his
physiotherapist waiting for him, and the frame. Jonas (14) has a goal he keeps to himself: his
mother, a guardian, does not see it (R-AGE-2).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ActingBasis, Actor
from app.actions import service as actions
from app.clock import Clock, today_in_oslo
from app.goals import service as goals
from app.life_situation import service as life_situation
from app.models import (
    ActionStatus,
    Contributor,
    Employee,
    Goal,
    GoalStatus,
    Person,
    Plan,
    Realm,
    ReviewAssessment,
    SubPlanKind,
    Unit,
)
from app.plan_frame import service as frame
from app.shielding import service as shielding


def _citizen(person: Person, acting_for: Person | None = None) -> Actor:
    return Actor(
        realm=Realm.CITIZEN,
        session_id=uuid.uuid4(),
        display_name=person.display_name,
        person_id=person.id,
        acting_for_person_id=acting_for.id if acting_for else None,
        acting_for_name=acting_for.display_name if acting_for else None,
        acting_basis=ActingBasis.PARENTAL_RESPONSIBILITY if acting_for else None,
    )


def _staff(member: Employee) -> Actor:
    return Actor(
        realm=Realm.EMPLOYEE,
        session_id=uuid.uuid4(),
        display_name=member.name,
        employee_id=member.id,
        municipality_id=member.municipality_id,
    )


async def ensure_plan_content(
    session: AsyncSession,
    municipality_id: uuid.UUID,
    people: dict[str, Person],
    clock: Clock,
) -> None:
    staff = {
        (e.email or "").split("@")[0]: e
        for e in await session.scalars(
            select(Employee).where(Employee.municipality_id == municipality_id)
        )
    }
    units = {
        u.name: u
        for u in await session.scalars(select(Unit).where(Unit.municipality_id == municipality_id))
    }
    plans = {
        p.owner_id: p
        for p in await session.scalars(select(Plan).where(Plan.municipality_id == municipality_id))
    }
    coordinator = _staff(staff["ingrid.berg"])
    per, jonas = people.get("Per Mikkelsen"), people.get("Jonas Vik")
    if per is not None and per.id in plans and not await _has_goals(session, plans[per.id]):
        await _per(session, plans[per.id], per, staff, units, coordinator, clock)
    mari = people.get("Mari Vik")
    if (
        jonas is not None
        and mari is not None
        and jonas.id in plans
        and not await _has_goals(session, plans[jonas.id])
    ):
        await _jonas(session, plans[jonas.id], jonas, mari, staff, units, coordinator, clock)
    await session.flush()


async def _has_goals(session: AsyncSession, plan: Plan) -> bool:
    return await session.scalar(select(Goal.id).where(Goal.plan_id == plan.id).limit(1)) is not None


async def _per(
    session: AsyncSession,
    plan: Plan,
    per: Person,
    staff: dict[str, Employee],
    units: dict[str, Unit],
    coordinator: Actor,
    clock: Clock,
) -> None:
    owner, physio = _citizen(per), _staff(staff["ola.hansen"])
    today = today_in_oslo(clock)
    await life_situation.write_own_words(
        session,
        owner,
        plan.id,
        life_situation.OwnWords(
            what_matters="Å bo hjemme så lenge som mulig, og å gå turer langs fjorden.",
            situation=(
                "Jeg fikk hjerneslag i fjor. Venstre side er svakere, og jeg blir fort sliten."
            ),
            resources=(
                "Datteren min Liv hjelper meg med handling og papirer. Jeg er flink med tall."
            ),
            needs="Hjelp til å trene opp gangen, og noen å snakke med når det går tregt.",
        ),
        seen_version=None,
        clock=clock,
    )
    walk = await goals.propose_goal(
        session,
        owner,
        plan.id,
        goals.GoalInput(
            "Jeg vil klare å gå alene til butikken igjen.", today + timedelta(days=120)
        ),
        clock=clock,
    )
    await goals.propose_goal(
        session,
        owner,
        plan.id,
        goals.GoalInput("Gå uten stokk inne i huset.", today + timedelta(days=60), walk.id),
        clock=clock,
    )
    training = await actions.create_action(
        session,
        coordinator,
        plan.id,
        actions.ActionInput(
            "Gangtrening med fysioterapeut",
            units["Fysioterapitjenesten"].id,
            extent="To ganger i uka, 45 minutter",
            method="Trening hjemme og ute langs fjorden, med øvelser Per gjør selv mellom timene.",
            responsible_employee_id=staff["ola.hansen"].id,
            start_date=today - timedelta(days=30),
            deadline=today + timedelta(days=10),
            status=ActionStatus.ONGOING,
            goal_ids=(walk.id,),
        ),
        clock=clock,
    )
    await actions.add_note(
        session,
        physio,
        plan.id,
        training.id,
        "Per gikk 400 meter i dag uten pause. Vi øker til 600 meter neste uke.",
        clock=clock,
    )
    await actions.add_note(
        session, owner, plan.id, training.id, "Det går bedre, men bakken er tung.", clock=clock
    )
    await actions.create_action(
        session,
        coordinator,
        plan.id,
        actions.ActionInput(
            "Vurdere hjelpemidler i hjemmet",
            units["Hjemmetjenesten"].id,
            extent="Ett hjemmebesøk",
            method="",
            deadline=today - timedelta(days=3),
            goal_ids=(walk.id,),
        ),
        clock=clock,
    )
    await goals.add_review(
        session,
        coordinator,
        plan.id,
        walk.id,
        goals.ReviewInput(
            ReviewAssessment.PARTLY, "God fremgang med gangen, men Per blir fort sliten."
        ),
        clock=clock,
    )
    await goals.propose_goal(
        session,
        physio,
        plan.id,
        goals.GoalInput("Bedre balanse, så jeg ikke faller.", today + timedelta(days=90)),
        clock=clock,
    )
    await frame.add_contribution(
        session,
        owner,
        plan.id,
        frame.ContributionInput(
            Contributor.RELATIVE, "Handler en gang i uka og hjelper med post.", who="Liv, datter"
        ),
        clock=clock,
    )
    await frame.add_contribution(
        session,
        owner,
        plan.id,
        frame.ContributionInput(Contributor.OWNER, "Gjør øvelsene hver dag."),
        clock=clock,
    )
    await frame.add_cooperation(
        session,
        coordinator,
        plan.id,
        frame.CooperationInput(
            "Fastlegen", "Følger opp blodtrykk og medisiner.", "Fjordvik legesenter"
        ),
        clock=clock,
    )
    await frame.add_sub_plan(
        session,
        coordinator,
        plan.id,
        frame.SubPlanInput(
            SubPlanKind.REHABILITATION, "Rehabiliteringsplan etter slag", "Sykehuset"
        ),
        clock=clock,
    )


async def _jonas(
    session: AsyncSession,
    plan: Plan,
    jonas: Person,
    mari: Person,
    staff: dict[str, Employee],
    units: dict[str, Unit],
    coordinator: Actor,
    clock: Clock,
) -> None:
    mother, himself = _citizen(mari, acting_for=jonas), _citizen(jonas)
    today = today_in_oslo(clock)
    school_goal = await goals.propose_goal(
        session,
        mother,
        plan.id,
        goals.GoalInput("Trives på skolen og ha noen å være sammen med i friminuttene."),
        clock=clock,
    )
    for status in (GoalStatus.ACCEPTED, GoalStatus.ACTIVE):
        await goals.set_goal_status(
            session, mother, plan.id, school_goal.id, status, seen_version=None, clock=clock
        )
    await actions.create_action(
        session,
        coordinator,
        plan.id,
        actions.ActionInput(
            "Tilrettelagt undervisning i matematikk",
            units["Fjordvik skole"].id,
            extent="Fire timer i uka i liten gruppe",
            method="Kontaktlæreren lager en ukeplan sammen med Jonas.",
            responsible_employee_id=staff["sara.lie"].id,
            start_date=today - timedelta(days=40),
            deadline=today + timedelta(days=100),
            status=ActionStatus.ONGOING,
            goal_ids=(school_goal.id,),
        ),
        clock=clock,
    )
    own = await goals.propose_goal(
        session,
        himself,
        plan.id,
        goals.GoalInput("Snakke med helsesykepleieren om hvordan jeg har det."),
        clock=clock,
    )
    # Jonas keeps this one to himself: his mother does not see it (R-AGE-2).
    await shielding.shield(session, himself, plan.id, "goal", own.id, clock=clock)
