"""The nine content items every individual plan must have (R-PLAN-1), and which a plan has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.facts import grant_in_force
from app.i18n import gettext_noop
from app.models import (
    Action,
    Contribution,
    Cooperation,
    Goal,
    Grant,
    LifeSituation,
    Participant,
    Plan,
)

# The nine content items of the regulation (R-PLAN-1), in its order.
CONTENT_ITEMS = (
    ("goals_needs", gettext_noop("Goals, resources and needs")),
    ("participants", gettext_noop("Who takes part in the planning")),
    ("coordinator", gettext_noop("Who coordinates")),
    ("contributions", gettext_noop("What the owner, services and relatives contribute")),
    ("actions", gettext_noop("Actions, their extent and who is responsible")),
    ("how", gettext_noop("How the actions are carried out")),
    ("period", gettext_noop("Plan period and revision date")),
    ("consent", gettext_noop("Consent")),
    ("cooperation", gettext_noop("Cooperation with other services")),
)


@dataclass
class Completeness:
    key: str
    label: str
    done: bool


async def completeness(session: AsyncSession, plan: Plan, today: date) -> list[Completeness]:
    """R-PLAN-1: which of the nine content items the plan has. Counted in the database, so
    a reader who may not see goals (the KE) still sees which items are missing. The caller
    has already checked that the reader may see the plan."""
    counts = (
        await session.execute(
            select(
                select(func.count(Goal.id))
                .where(Goal.plan_id == plan.id, Goal.status.not_in(["proposed", "declined"]))
                .scalar_subquery(),
                select(func.count(Action.id)).where(Action.plan_id == plan.id).scalar_subquery(),
                select(func.count(Action.id))
                .where(Action.plan_id == plan.id, or_(Action.method == "", Action.extent == ""))
                .scalar_subquery(),
                select(func.count(Contribution.id))
                .where(Contribution.plan_id == plan.id, Contribution.withdrawn_at.is_(None))
                .scalar_subquery(),
                select(func.count(Participant.id))
                .where(Participant.plan_id == plan.id, Participant.left_at.is_(None))
                .scalar_subquery(),
                select(func.count(Grant.id))
                .where(Grant.plan_id == plan.id, grant_in_force(today))
                .scalar_subquery(),
                select(func.count(LifeSituation.id))
                .where(
                    LifeSituation.plan_id == plan.id,
                    or_(LifeSituation.resources != "", LifeSituation.needs != ""),
                )
                .scalar_subquery(),
                select(func.count(Cooperation.id))
                .where(Cooperation.plan_id == plan.id, Cooperation.withdrawn_at.is_(None))
                .scalar_subquery(),
            )
        )
    ).one()
    goal_count, action_count, vague_actions, contribution_count = counts[:4]
    participant_count, grant_count, needs_written, cooperation_count = counts[4:]
    done = {
        "goals_needs": goal_count > 0 and needs_written > 0,
        "participants": participant_count > 0,
        "coordinator": plan.coordinator_id is not None,
        "contributions": contribution_count > 0,
        "actions": action_count > 0,
        "how": action_count > 0 and vague_actions == 0,
        "period": bool(plan.period_start and plan.period_end and plan.revision_date),
        "consent": grant_count > 0,
        "cooperation": cooperation_count > 0,
    }
    return [Completeness(key, label, done[key]) for key, label in CONTENT_ITEMS]
