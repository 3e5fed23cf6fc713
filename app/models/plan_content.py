"""What a plan says: the owner's own words, goals, actions, notes, reviews and the plan's frame.

Every item carries a version (R-SAFE-2): SQLAlchemy checks it on every UPDATE, and the services
compare it with the version the person saw before they change anything. Nothing is deleted by
users (R-PLAN-5): items are declined, stopped or withdrawn, and every change is kept on the
timeline (app/models/timeline.py) with what it was before.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.db import Base, IdMixin, str_enum


class Written:
    """Who wrote an item and when; the person acted for when someone acts for the owner."""

    created_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )
    on_behalf_of_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # SQLAlchemy adds "AND version = :seen" to every UPDATE and bumps it (R-SAFE-2).
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class LifeSituation(IdMixin, Written, Base):
    """The owner's own words (kartlegging): first on the plan page. One per plan."""

    __tablename__ = "life_situation"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), unique=True
    )
    what_matters: Mapped[str] = mapped_column(Text, default="")
    situation: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    own_view: Mapped[str] = mapped_column(Text, default="")  # the child's own view, from 7
    # access.md: the coordinator may write the owner's words, marked as written by them.
    written_by_coordinator: Mapped[bool] = mapped_column(default=False)
    # Who wrote the words as they stand now (the timeline has everyone before).
    updated_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    updated_by_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT")
    )


class GoalStatus(StrEnum):
    PROPOSED = "proposed"  # written by someone else, waiting for the owner (R-PLAN-3)
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVE = "active"
    ACHIEVED = "achieved"
    STOPPED = "stopped"


class Goal(IdMixin, Written, Base):
    """A main goal, or a sub-goal when `parent_id` is set. The words are the owner's."""

    __tablename__ = "goal"
    __table_args__ = (Index("ix_goal_plan_id_created_at", "plan_id", "created_at"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("goal.id", ondelete="RESTRICT"), index=True
    )
    text: Mapped[str] = mapped_column(String(1000))
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus, 20))
    due_date: Mapped[date | None]
    proposed_by_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT")
    )
    decided_by_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="RESTRICT")
    )
    decided_at: Mapped[datetime | None]


class ReviewAssessment(StrEnum):
    ON_TRACK = "on_track"
    PARTLY = "partly"
    NOT_YET = "not_yet"
    REACHED = "reached"


class GoalReview(IdMixin, Written, Base):
    """An evaluation of a goal: how it is going, in words, on a date."""

    __tablename__ = "goal_review"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    goal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("goal.id", ondelete="RESTRICT"), index=True
    )
    assessment: Mapped[ReviewAssessment] = mapped_column(str_enum(ReviewAssessment, 20))
    text: Mapped[str] = mapped_column(Text)
    reviewed_on: Mapped[date]


class ActionStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    PAUSED = "paused"
    DONE = "done"
    STOPPED = "stopped"


class Action(IdMixin, Written, Base):
    """A measure (tiltak). Exactly one responsible unit, maybe a person in it (R-PLAN-4)."""

    __tablename__ = "plan_action"
    __table_args__ = (
        Index("ix_plan_action_plan_id_created_at", "plan_id", "created_at"),
        # A provider's work list: the actions of their units, by deadline.
        Index("ix_plan_action_unit_deadline", "responsible_unit_id", "deadline"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    extent: Mapped[str] = mapped_column(String(500), default="")  # how much, how often
    method: Mapped[str] = mapped_column(Text, default="")  # how it is carried out
    responsible_unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT")
    )
    responsible_employee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("employee.id", ondelete="RESTRICT"), index=True
    )
    start_date: Mapped[date | None]
    deadline: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, 20))


class ActionGoal(Base):
    """Which goals an action works towards."""

    __tablename__ = "action_goal"

    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan_action.id", ondelete="CASCADE"), primary_key=True
    )
    goal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("goal.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class NoteKind(StrEnum):
    PROGRESS = "progress"  # by those who carry the action out
    COMMENT = "comment"  # by the owner's side: "comment only" in access.md


class ProgressNote(IdMixin, Written, Base):
    __tablename__ = "progress_note"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan_action.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[NoteKind] = mapped_column(str_enum(NoteKind, 20))
    text: Mapped[str] = mapped_column(Text)
    author_unit_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT")
    )


class Contributor(StrEnum):
    OWNER = "owner"
    RELATIVE = "relative"
    SERVICE = "service"


class Contribution(IdMixin, Written, Base):
    """What the owner, a relative or a service contributes (content item 4 of R-PLAN-1)."""

    __tablename__ = "contribution"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    contributor: Mapped[Contributor] = mapped_column(str_enum(Contributor, 20))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    who: Mapped[str] = mapped_column(String(200), default="")  # "Mother", "Uncle Per"
    text: Mapped[str] = mapped_column(Text)
    withdrawn_at: Mapped[datetime | None]


class Cooperation(IdMixin, Written, Base):
    """Cooperation with other services, institutions or agencies (content item 9)."""

    __tablename__ = "cooperation"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    partner: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    withdrawn_at: Mapped[datetime | None]


class SubPlanKind(StrEnum):
    IOP = "iop"  # individuell opplæringsplan (school)
    REHABILITATION = "rehabilitation"
    OTHER = "other"


class SubPlanLink(IdMixin, Written, Base):
    """A sub-plan kept elsewhere: linked, never merged (R-PLAN-2)."""

    __tablename__ = "sub_plan_link"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("plan.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[SubPlanKind] = mapped_column(str_enum(SubPlanKind, 20))
    title: Mapped[str] = mapped_column(String(200))
    owner_unit: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    withdrawn_at: Mapped[datetime | None]
