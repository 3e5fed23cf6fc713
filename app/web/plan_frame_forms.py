"""The plan frame's forms on the plan page: period and revision dates, what each contributes,
cooperation, sub-plans, and closing the plan. Each posts here, calls app/plan_frame/service.py,
and comes back to the page (as app/web/plan_forms.py does for goals, actions and notes)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from app.models import Contributor, SubPlanKind
from app.plan_frame import service as frame
from app.web import form_values as values
from app.web.plan_form_input import read_form
from app.web.plan_page import PAGE, Page

router = APIRouter()


@router.post(PAGE + "/dates", name="plan_dates_form")
async def plan_dates(page: Page) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        dates = frame.PlanDates(
            period_start=values.optional_date(kept.get("period_start"), field="period_start"),
            period_end=values.optional_date(kept.get("period_end"), field="period_end"),
            revision_date=values.optional_date(kept.get("revision_date"), field="revision_date"),
        )
        await frame.set_dates(
            *page.who, dates, seen_version=values.version(kept.get("version")), clock=page.clock
        )
        return None

    return await page.attempt(work, form="dates", kept=kept, anchor="frame")


def _contribution(kept: dict[str, Any]) -> frame.ContributionInput:
    return frame.ContributionInput(
        contributor=values.choice(Contributor, kept.get("contributor"), field="contributor"),
        text=kept.get("text", ""),
        who=kept.get("who", ""),
        unit_id=values.optional_id(kept.get("unit_id"), field="unit_id"),
    )


def _cooperation(kept: dict[str, Any]) -> frame.CooperationInput:
    return frame.CooperationInput(
        partner=kept.get("partner", ""),
        description=kept.get("description", ""),
        contact=kept.get("contact", ""),
    )


def _sub_plan(kept: dict[str, Any]) -> frame.SubPlanInput:
    return frame.SubPlanInput(
        kind=values.choice(SubPlanKind, kept.get("kind"), field="kind"),
        title=kept.get("title", ""),
        owner_unit=kept.get("owner_unit", ""),
        url=kept.get("url", ""),
    )


async def _add(
    page: Page, form: str, anchor: str, add: Callable[[dict[str, Any]], Awaitable[object]]
) -> Response:
    kept, key = await read_form(page)

    async def work() -> str | None:
        await add(kept)
        return None

    return await page.attempt(work, form=f"{form}:new", kept=kept, anchor=anchor, request_key=key)


async def _change(
    page: Page,
    item_id: uuid.UUID,
    form: str,
    anchor: str,
    change: Callable[..., Awaitable[object]],
    parse: Callable[[dict[str, Any]], object],
) -> Response:
    """Change a contribution, cooperation or sub-plan, or withdraw it (`withdraw=1`): the
    three share the service's shape (who, item, new input or None, seen version, clock)."""
    kept, _key = await read_form(page)
    withdraw = kept.get("withdraw") == "1"

    async def work() -> str | None:
        await change(
            *page.who,
            item_id,
            None if withdraw else parse(kept),
            seen_version=values.version(kept.get("version")),
            clock=page.clock,
        )
        return None

    return await page.attempt(
        work,
        form=f"{form}:{item_id}",
        kept=kept,
        anchor=anchor,
        notice="withdrawn" if withdraw else "saved",
    )


@router.post(PAGE + "/contributions", name="add_contribution_form")
async def add_contribution(page: Page) -> Response:
    async def add(kept: dict[str, Any]) -> object:
        return await frame.add_contribution(*page.who, _contribution(kept), clock=page.clock)

    return await _add(page, "contribution", "contributions", add)


@router.post(PAGE + "/contributions/{item_id}", name="change_contribution_form")
async def change_contribution(page: Page, item_id: uuid.UUID) -> Response:
    return await _change(
        page, item_id, "contribution", "contributions", frame.change_contribution, _contribution
    )


@router.post(PAGE + "/cooperation", name="add_cooperation_form")
async def add_cooperation(page: Page) -> Response:
    async def add(kept: dict[str, Any]) -> object:
        return await frame.add_cooperation(*page.who, _cooperation(kept), clock=page.clock)

    return await _add(page, "cooperation", "cooperation", add)


@router.post(PAGE + "/cooperation/{item_id}", name="change_cooperation_form")
async def change_cooperation(page: Page, item_id: uuid.UUID) -> Response:
    return await _change(
        page, item_id, "cooperation", "cooperation", frame.change_cooperation, _cooperation
    )


@router.post(PAGE + "/sub-plans", name="add_sub_plan_form")
async def add_sub_plan(page: Page) -> Response:
    async def add(kept: dict[str, Any]) -> object:
        return await frame.add_sub_plan(*page.who, _sub_plan(kept), clock=page.clock)

    return await _add(page, "sub_plan", "sub-plans", add)


@router.post(PAGE + "/sub-plans/{item_id}", name="change_sub_plan_form")
async def change_sub_plan(page: Page, item_id: uuid.UUID) -> Response:
    return await _change(page, item_id, "sub_plan", "sub-plans", frame.change_sub_plan, _sub_plan)


@router.post(PAGE + "/close-request", name="request_close_form")
async def request_close(page: Page) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        await frame.request_close(*page.who, clock=page.clock)
        return None

    return await page.attempt(
        work, form="close", kept=kept, anchor="frame", notice="close_requested"
    )


@router.post(PAGE + "/close", name="close_plan_form")
async def close_plan(page: Page) -> Response:
    kept, _key = await read_form(page)

    async def work() -> str | None:
        await frame.close_plan(
            *page.who, seen_version=values.version(kept.get("version")), clock=page.clock
        )
        return None

    return await page.attempt(work, form="close", kept=kept, anchor="frame", notice="closed")
