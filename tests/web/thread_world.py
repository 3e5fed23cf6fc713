"""A plan with a conversation for the thread page tests: the world of tests/consents, with the
nurse (home care) and a physiotherapist in the group, both allowed to write messages."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.consents import service as consents
from app.consents.schemas import GrantSpec
from app.employees import service as employees
from app.messages import service as messages
from app.models import Employee, GrantMode, Message, PlanPart, Thread, UnitKind
from app.municipalities import service as municipalities
from app.people.pid_vault import PidVault
from tests.consents.world import World, make_world
from tests.support.clock import FrozenClock
from tests.support.logins import citizen, employee

# The smallest files the attachments service takes: a PDF with its trailer, a PNG's signature.
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


@dataclass
class Conversation:
    world: World
    physio: Employee
    physio_grant_id: uuid.UUID
    thread: Thread
    first: Message  # written by the owner

    @property
    def page(self) -> str:
        return f"/plans/{self.world.plan.id}/threads/{self.thread.id}"


async def make_group(
    session: AsyncSession, clock: FrozenClock, vault: PidVault
) -> tuple[World, Employee, list[uuid.UUID]]:
    """The world with the nurse (home care) and a physiotherapist in the group, both allowed
    to write messages; the grants' ids in that order. Not committed."""
    world = await make_world(session, clock, vault=vault)
    physio_unit = await municipalities.ensure_unit(
        session, world.municipality, name="Fysioterapi", kind=UnitKind.PHYSIOTHERAPY, clock=clock
    )
    physio = await employees.ensure_employee(
        session,
        world.municipality,
        email="physio@test.example",
        name="Fia Fysio",
        title="",
        clock=clock,
    )
    await employees.ensure_membership(session, physio, physio_unit, clock=clock)
    grants = []
    for member, unit in ((world.nurse, world.home_care), (physio, physio_unit)):
        participant = await consents.add_employee(
            session, employee(world.coordinator), world.plan.id, member.id, unit.id, clock=clock
        )
        grant = await consents.give_grant(
            session,
            citizen(world.owner),
            world.plan.id,
            participant.id,
            GrantSpec(part=PlanPart.MESSAGES, mode=GrantMode.WRITE),
            clock=clock,
        )
        grants.append(grant.id)
    return world, physio, grants


async def make_conversation(
    session: AsyncSession, clock: FrozenClock, vault: PidVault
) -> Conversation:
    world, physio, grants = await make_group(session, clock, vault)
    thread, first = await messages.start_thread(
        session,
        citizen(world.owner),
        world.plan.id,
        topic="Hjemmebesøk",
        members=None,
        first_message="Kan dere komme på tirsdag?",
        clock=clock,
    )
    await session.commit()
    return Conversation(world, physio, grants[1], thread, first)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match
    return match.group(1)
