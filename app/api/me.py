from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import CurrentActor
from app.sessions.schemas import Me

router = APIRouter(tags=["sessions"])


@router.get("/me", response_model=Me, responses={401: {"description": "Not logged in"}})
async def who_am_i(actor: CurrentActor) -> Me:
    """The logged-in person or staff member, and whom they act for."""
    return Me(
        kind=actor.realm,
        name=actor.display_name,
        person_id=actor.person_id,
        employee_id=actor.employee_id,
        municipality_id=actor.municipality_id,
        acting_for_person_id=actor.acting_for_person_id,
    )
