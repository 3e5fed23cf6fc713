"""The small pieces every form field on the plan page asks for: its id, its value, whether it
has the error, its aria attributes and where focus goes.

They were Jinja macros; a page of twenty goals calls them thousands of times, and a macro call
costs many times a Python call (bench P2). Still presentation only: they read the page's
`problem`, `drafts` and `edit`, never the plan.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape


def field_id(form: str, name: str) -> str:
    return f"{form.replace(':', '-')}-{name}"


def opener_id(form: str) -> str:
    """The link that opens an item's form and the form's save button share this id, so after
    saving htmx puts focus back on the link of the item just saved."""
    return field_id(form, "open")


def _problem_field(context: Context, form: str) -> str | None:
    """The field with the error in this form, or None (a conflict marks no field)."""
    problem = context.get("problem")
    if not problem or problem.form != form or problem.conflict:
        return None
    field: str | None = problem.field
    return field


@pass_context
def has_error(context: Context, form: str, name: str) -> bool:
    return _problem_field(context, form) == name


@pass_context
def field_value(context: Context, form: str, name: str, current: Any = "") -> Any:
    """What the person typed before an error or conflict, their autosaved draft, or what is
    stored, in that order."""
    problem = context.get("problem")
    if problem and problem.form == form and name in problem.kept:
        return problem.kept[name]
    draft = context.get("drafts", {}).get(form)
    if draft and name in draft:
        return draft[name]
    return "" if current is None else current


@pass_context
def described(context: Context, form: str, name: str, hint: Any = None) -> Markup:
    """aria-describedby (hint, then error) and aria-invalid, each with its leading space."""
    ids = [field_id(form, name) + "-hint"] if hint else []
    invalid = _problem_field(context, form) == name
    if invalid:
        ids.append(field_id(form, name) + "-error")
    attributes = f' aria-describedby="{escape(" ".join(ids))}"' if ids else ""
    return Markup(attributes + (' aria-invalid="true"' if invalid else ""))


@pass_context
def focus(context: Context, form: str, name: str, first: bool = False) -> Markup:
    """Where focus goes when a form comes back: the field with the error, or else the first
    field of a form just opened. htmx focuses [autofocus] after a swap; a full page load that
    scrolls to an #anchor ignores it, so the reader keeps their place."""
    problem = context.get("problem")
    if problem and problem.form == form and problem.field and not problem.conflict:
        return Markup(" autofocus" if problem.field == name else "")
    return Markup(" autofocus" if first and context.get("edit") == form else "")


@pass_context
def open_if(context: Context, form: str) -> Markup:
    """An "add" form folded in <details> opens by itself when it comes back with an error or
    holds a restored draft, so what the person typed is never out of sight."""
    if context.get("edit") == form or context.get("drafts", {}).get(form):
        return Markup(" open")
    return Markup("")


FORM_FIELD_GLOBALS = {
    "field_id": field_id,
    "opener_id": opener_id,
    "has_error": has_error,
    "field_value": field_value,
    "described": described,
    "focus": focus,
    "open_if": open_if,
}
