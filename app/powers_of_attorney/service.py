"""Powers of attorney (fullmakt): registered by the granter, verified by the coordinating unit,
ended at once by either side (R-REP-1, R-REP-3).

A fullmakt takes effect only when the KE has verified the signed document. Who may act for
whom is then computed on every request by app/access/representation.py, so ending or expiry
needs no job: the holder's next request no longer acts for the granter.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app import access
from app.access import Actor, audit
from app.access.rules import ADULT_AGE
from app.clock import Clock, today_in_oslo
from app.consents.events import ConsentChanged, announce
from app.documents import service as documents
from app.errors import Conflict, InvalidInput, NotFound
from app.i18n import gettext_noop
from app.models import Document, DocumentKind, Person, Plan, PlanPart, PowerOfAttorney
from app.people import service as people
from app.people.identity_numbers import InvalidIdentityNumber, age_or_zero, parse_identity_number
from app.people.pid_vault import PidVault
from app.powers_of_attorney.schemas import ALL_PARTS, PowerOfAttorneyCreate, PowerOfAttorneyStatus

NO_PLAN = gettext_noop(
    "You need an individual plan before you can give a power of attorney in Samplan. "
    "Contact the coordinating unit in your municipality."
)
CONSENT_NEEDS_ACTS = gettext_noop(
    "To let them decide who sees your plan, you must also let them act for you."
)
NO_PARTS = gettext_noop("Choose which parts of the plan the power of attorney covers.")
UNKNOWN_PART = gettext_noop("Choose the parts of the plan from the list.")
END_IN_PAST = gettext_noop("The end date has passed. Choose today or a later date.")
BAD_IDENTITY_NUMBER = gettext_noop(
    "That identity number is not valid. Check the 11 digits and try again."
)
HOLDER_IS_GRANTER = gettext_noop("You cannot give a power of attorney to yourself.")
HOLDER_TOO_YOUNG = gettext_noop("The person you give a power of attorney to must be 18 or older.")
HOLDER_NAME_NEEDED = gettext_noop("Write the first name and last name of the person.")
# R-REP-3: the same words whichever side has a confidential address, and never saying so.
NOT_IN_PORTAL = gettext_noop(
    "This power of attorney cannot be registered in the portal. Contact the coordinating unit."
)
ALREADY_GIVEN = gettext_noop(
    "You have already given this person a power of attorney. End it before you register a new one."
)
ALREADY_ENDED = gettext_noop("This power of attorney is no longer in force.")
NOT_AWAITING = gettext_noop("This power of attorney is not waiting for verification.")
NO_DOCUMENT = gettext_noop("This power of attorney has no document.")

ACTION = "power_of_attorney"
# Made once: a fresh alias per call makes SQLAlchemy rebuild the statement and its cache key.
_Granter = aliased(Person, name="granter")
_Holder = aliased(Person, name="holder")


@dataclass(frozen=True)
class PowerOfAttorneyView:
    power: PowerOfAttorney
    granter: Person
    holder: Person
    document: Document | None
    status: PowerOfAttorneyStatus
    you_are: Literal["granter", "holder"] | None = None

    @property
    def all_parts(self) -> bool:
        return self.power.scope.strip() == ALL_PARTS

    @property
    def parts(self) -> list[PlanPart]:
        if self.all_parts:
            return list(PlanPart)
        return [PlanPart(name) for name in self.power.scope.split(",") if name.strip()]


def status_of(power: PowerOfAttorney, today: date) -> PowerOfAttorneyStatus:
    if power.ended_at is not None:
        return PowerOfAttorneyStatus.ENDED
    if power.rejected_at is not None:
        return PowerOfAttorneyStatus.REJECTED
    if power.valid_until is not None and power.valid_until < today:
        return PowerOfAttorneyStatus.EXPIRED
    if power.verified_at is None:
        return PowerOfAttorneyStatus.AWAITING_VERIFICATION
    return PowerOfAttorneyStatus.IN_FORCE


def scope_from(parts: Sequence[str]) -> str:
    """The stored scope: "all", or known plan parts in a fixed order. Raises InvalidInput."""
    chosen = {part.strip() for part in parts if part.strip()}
    if not chosen:
        raise InvalidInput(NO_PARTS, code="no_parts")
    if ALL_PARTS in chosen:
        return ALL_PARTS
    known = {part.value for part in PlanPart}
    if not chosen <= known:
        raise InvalidInput(UNKNOWN_PART, code="unknown_part")
    if chosen == known:
        return ALL_PARTS
    return ",".join(part.value for part in PlanPart if part.value in chosen)


async def register(
    session: AsyncSession,
    actor: Actor,
    data: PowerOfAttorneyCreate,
    document_bytes: bytes,
    filename: str,
    *,
    vault: PidVault,
    allow_synthetic: bool,
    clock: Clock,
) -> PowerOfAttorneyView:
    """The granter registers a fullmakt for a holder; it waits for the KE's verification.

    Raises Forbidden (not the granter in person, under 16), InvalidInput (bad holder, parts,
    date or document), TooLarge (document over 10 MB) or Conflict (already given).
    Audits "power_of_attorney.register".
    """
    granter = await access.require_granter(session, actor, clock=clock)
    today = today_in_oslo(clock)
    municipality_id = await _municipality_of_plan(session, actor, granter, clock=clock)
    scope = scope_from(data.parts)
    if data.manages_consent and not data.acts:
        raise InvalidInput(CONSENT_NEEDS_ACTS, code="consent_needs_acts")
    if data.valid_until is not None and data.valid_until < today:
        raise InvalidInput(END_IN_PAST, code="end_date_in_past")
    try:
        number = parse_identity_number(data.holder_identity_number, allow_synthetic=allow_synthetic)
    except InvalidIdentityNumber:
        raise InvalidInput(BAD_IDENTITY_NUMBER, code="bad_identity_number") from None
    holder = await people.find_person(session, number, vault=vault)
    if holder is not None and holder.id == granter.id:
        raise InvalidInput(HOLDER_IS_GRANTER, code="holder_is_granter")
    holder_born = holder.birth_date if holder is not None else number.birth_date
    if age_or_zero(holder_born, today) < ADULT_AGE:
        raise InvalidInput(HOLDER_TOO_YOUNG, code="holder_too_young")
    # R-REP-3: nobody with a confidential address represents or is represented in the portal.
    if granter.confidential_address or (holder is not None and holder.confidential_address):
        raise InvalidInput(NOT_IN_PORTAL, code="not_possible_in_portal")
    given_name, family_name = data.holder_given_name.strip(), data.holder_family_name.strip()
    if holder is None and not (given_name and family_name):
        raise InvalidInput(HOLDER_NAME_NEEDED, code="holder_name_needed")
    if holder is not None and await _still_open(session, granter.id, holder.id, today):
        raise Conflict(ALREADY_GIVEN, code="already_given")
    documents.check_pdf(document_bytes)

    if holder is None:
        holder = await people.ensure_person(
            session,
            number,
            given_name=given_name,
            family_name=family_name,
            vault=vault,
            clock=clock,
        )
    document = await documents.store_pdf(
        session,
        municipality_id=municipality_id,
        kind=DocumentKind.POWER_OF_ATTORNEY,
        filename=filename,
        content=document_bytes,
        uploaded_by_person_id=granter.id,
        clock=clock,
    )
    power = PowerOfAttorney(
        municipality_id=municipality_id,
        granter_id=granter.id,
        holder_id=holder.id,
        scope=scope,
        acts=data.acts,
        manages_consent=data.manages_consent,
        document_id=document.id,
        registered_by_person_id=granter.id,
        valid_from=today,
        valid_until=data.valid_until,
        created_at=clock.now(),
    )
    session.add(power)
    await session.flush()
    await _audit(session, actor, power, "register", clock)
    return PowerOfAttorneyView(
        power, granter, holder, document, status_of(power, today), you_are="granter"
    )


async def list_for_person(
    session: AsyncSession, actor: Actor, *, clock: Clock
) -> list[PowerOfAttorneyView]:
    """The fullmakter the actor gave or holds, newest first, with their status."""
    views = await _views(session, access.powers_given_or_held(actor), clock=clock)
    return [
        PowerOfAttorneyView(
            view.power,
            view.granter,
            view.holder,
            view.document,
            view.status,
            you_are="granter" if view.granter.id == actor.person_id else "holder",
        )
        for view in views
    ]


async def end(
    session: AsyncSession, actor: Actor, power_id: uuid.UUID, *, clock: Clock
) -> PowerOfAttorneyView:
    """The granter or the holder ends the fullmakt at once (R-REP-1). Audits
    "power_of_attorney.end"; the holder's acting-for context ends on their next request."""
    power = await access.require_party(session, actor, power_id, clock=clock)
    if power.ended_at is not None or power.rejected_at is not None:
        raise Conflict(ALREADY_ENDED, code="already_ended")
    power.ended_at = clock.now()
    power.ended_by_person_id = actor.person_id
    await session.flush()
    await _audit(session, actor, power, "end", clock)
    # R-CON-3: the holder's open connections on the granter's plans are checked again at once.
    for plan_id in await session.scalars(select(Plan.id).where(Plan.owner_id == power.granter_id)):
        await announce(session, ConsentChanged(plan_id, power.holder_id, None, "left"))
    views = await list_for_person(session, actor, clock=clock)
    return next(view for view in views if view.power.id == power.id)


async def pending_for_municipality(
    session: AsyncSession, actor: Actor, *, clock: Clock
) -> list[PowerOfAttorneyView]:
    """Fullmakter of the actor's municipality that wait for the coordinating unit."""
    municipality_id = await access.require_verifying_unit(session, actor, clock=clock)
    today = today_in_oslo(clock)
    views = await _views(
        session,
        PowerOfAttorney.municipality_id == municipality_id,
        PowerOfAttorney.verified_at.is_(None),
        PowerOfAttorney.rejected_at.is_(None),
        PowerOfAttorney.ended_at.is_(None),
        or_(PowerOfAttorney.valid_until.is_(None), PowerOfAttorney.valid_until >= today),
        clock=clock,
        oldest_first=True,
    )
    return list(views)


async def verify(
    session: AsyncSession, actor: Actor, power_id: uuid.UUID, *, clock: Clock
) -> PowerOfAttorneyView:
    """KE staff have checked the signed document: the fullmakt takes effect now."""
    power = await _awaiting(session, actor, power_id, clock=clock)
    power.verified_at = clock.now()
    power.verified_by_id = actor.employee_id
    await session.flush()
    await _audit(session, actor, power, "verify", clock)
    return await _view(session, power.id, clock=clock)


async def reject(
    session: AsyncSession, actor: Actor, power_id: uuid.UUID, *, clock: Clock
) -> PowerOfAttorneyView:
    """KE staff found the document wanting: the fullmakt never takes effect."""
    power = await _awaiting(session, actor, power_id, clock=clock)
    power.rejected_at = clock.now()
    await session.flush()
    await _audit(session, actor, power, "reject", clock)
    return await _view(session, power.id, clock=clock)


async def document(
    session: AsyncSession, actor: Actor, power_id: uuid.UUID, *, clock: Clock
) -> tuple[Document, bytes]:
    """The signed document, for KE staff of the fullmakt's municipality. Audited."""
    power = await access.require_verifier(session, actor, power_id, clock=clock)
    if power.document_id is None:
        raise NotFound(NO_DOCUMENT, code="no_document")
    found, content = await documents.read_content(session, power.document_id)
    await _audit(session, actor, power, "document.download", clock)
    return found, content


async def _awaiting(
    session: AsyncSession, actor: Actor, power_id: uuid.UUID, *, clock: Clock
) -> PowerOfAttorney:
    power = await access.require_verifier(session, actor, power_id, clock=clock)
    if status_of(power, today_in_oslo(clock)) is not PowerOfAttorneyStatus.AWAITING_VERIFICATION:
        raise Conflict(NOT_AWAITING, code="not_awaiting_verification")
    return power


async def _municipality_of_plan(
    session: AsyncSession, actor: Actor, granter: Person, *, clock: Clock
) -> uuid.UUID:
    """The municipality of the granter's own plan: its coordinating unit verifies."""
    visible = await access.visible_plans(session, actor, clock=clock)
    municipality_id = await session.scalar(
        select(Plan.municipality_id)
        .where(visible, Plan.owner_id == granter.id)
        .order_by(Plan.created_at)
        .limit(1)
    )
    if municipality_id is None:
        raise InvalidInput(NO_PLAN, code="no_plan")
    return municipality_id


async def _still_open(
    session: AsyncSession, granter_id: uuid.UUID, holder_id: uuid.UUID, today: date
) -> bool:
    """Is there a fullmakt between the two that waits for verification or is in force?"""
    found = await session.scalar(
        select(PowerOfAttorney.id).where(
            PowerOfAttorney.granter_id == granter_id,
            PowerOfAttorney.holder_id == holder_id,
            PowerOfAttorney.ended_at.is_(None),
            PowerOfAttorney.rejected_at.is_(None),
            or_(PowerOfAttorney.valid_until.is_(None), PowerOfAttorney.valid_until >= today),
        )
    )
    return found is not None


async def _views(
    session: AsyncSession,
    *where: ColumnElement[bool],
    clock: Clock,
    oldest_first: bool = False,
) -> Sequence[PowerOfAttorneyView]:
    granter, holder = _Granter, _Holder
    order = PowerOfAttorney.created_at if oldest_first else PowerOfAttorney.created_at.desc()
    rows = await session.execute(
        select(PowerOfAttorney, granter, holder, Document)
        .join(granter, granter.id == PowerOfAttorney.granter_id)
        .join(holder, holder.id == PowerOfAttorney.holder_id)
        .outerjoin(Document, Document.id == PowerOfAttorney.document_id)
        .where(*where)
        .order_by(order, PowerOfAttorney.id)
    )
    today = today_in_oslo(clock)
    return [
        PowerOfAttorneyView(power, giver, taker, doc, status_of(power, today))
        for power, giver, taker, doc in rows.all()
    ]


async def _view(session: AsyncSession, power_id: uuid.UUID, *, clock: Clock) -> PowerOfAttorneyView:
    views = await _views(session, PowerOfAttorney.id == power_id, clock=clock)
    return views[0]


async def _audit(
    session: AsyncSession, actor: Actor, power: PowerOfAttorney, verb: str, clock: Clock
) -> None:
    await audit.record(
        session,
        action=f"{ACTION}.{verb}",
        outcome="allowed",
        clock=clock,
        municipality_id=power.municipality_id,
        actor_person_id=actor.person_id,
        actor_employee_id=actor.employee_id,
        on_behalf_of_person_id=actor.acting_for_person_id,
        item_type=ACTION,
        item_id=power.id,
    )
