"""The names of the plan's states and kinds, in the reader's language, for templates.

Python rather than Jinja macros: a status select asks its namer once per option, so one plan
page made some hundreds of macro calls for them. Each name comes back as `_()` gives it in a
template (Markup: a translation is trusted, what is put into it is not).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from markupsafe import Markup

from app.i18n import gettext_noop

GOAL_STATUS = {
    "proposed": gettext_noop("Proposed, waiting for the plan owner"),
    "accepted": gettext_noop("Accepted"),
    "declined": gettext_noop("Declined"),
    "active": gettext_noop("Being worked on"),
    "achieved": gettext_noop("Achieved"),
    "stopped": gettext_noop("Stopped"),
}
# What the button that moves a goal to the status says.
GOAL_ACTION = {
    "accepted": gettext_noop("Accept"),
    "declined": gettext_noop("Decline"),
    "active": gettext_noop("Start working on it"),
    "achieved": gettext_noop("Mark as achieved"),
    "stopped": gettext_noop("Stop the goal"),
}
GOAL_STATUS_COLOR = {
    "proposed": "warning",
    "achieved": "success",
    "declined": "neutral",
    "stopped": "neutral",
}
ACTION_STATUS = {
    "planned": gettext_noop("Planned"),
    "ongoing": gettext_noop("Ongoing"),
    "paused": gettext_noop("Paused"),
    "done": gettext_noop("Done"),
    "stopped": gettext_noop("Stopped"),
}
ASSESSMENT = {
    "on_track": gettext_noop("Going as planned"),
    "partly": gettext_noop("Partly as planned"),
    "not_yet": gettext_noop("Not as planned yet"),
    "reached": gettext_noop("Goal reached"),
}
CONTRIBUTOR = {
    "owner": gettext_noop("The plan owner"),
    "relative": gettext_noop("Relative or support person"),
    "service": gettext_noop("Service"),
}
SUB_PLAN_KIND = {
    "iop": gettext_noop("Individual education plan (IOP)"),
    "rehabilitation": gettext_noop("Rehabilitation plan"),
    "other": gettext_noop("Other plan"),
}
OWN_WORDS_LABEL = {
    "what_matters": gettext_noop("What matters to me"),
    "situation": gettext_noop("My situation"),
    "resources": gettext_noop("My resources: what I am good at, and who helps me"),
    "needs": gettext_noop("What I need help with"),
    "own_view": gettext_noop("The child's own view"),
}

Namer = Callable[[str], Markup]


def plan_word_globals(gettext: Callable[[str], str]) -> dict[str, Callable[[str], str]]:
    """The template globals for one language: `goal_status_name(status)` and the like."""

    def namer(names: Mapping[str, str]) -> Namer:
        def name(value: str) -> Markup:
            return Markup(gettext(names[value]))

        return name

    def goal_status_color(status: str) -> str:
        return GOAL_STATUS_COLOR.get(status, "info")

    return {
        "goal_status_name": namer(GOAL_STATUS),
        "goal_action_name": namer(GOAL_ACTION),
        "goal_status_color": goal_status_color,
        "action_status_name": namer(ACTION_STATUS),
        "assessment_name": namer(ASSESSMENT),
        "contributor_name": namer(CONTRIBUTOR),
        "sub_plan_kind_name": namer(SUB_PLAN_KIND),
        "own_words_label": namer(OWN_WORDS_LABEL),
    }
