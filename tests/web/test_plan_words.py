"""The names of the plan's states and kinds (app/web/plan_words.py): one for every value a page
can show, in the reader's language, trusted as `_()` is."""

from __future__ import annotations

from enum import StrEnum

import pytest
from markupsafe import Markup

from app.goals.service import TRANSITIONS
from app.i18n import Language, translations
from app.life_situation.service import FIELDS
from app.models import ActionStatus, Contributor, GoalStatus, ReviewAssessment, SubPlanKind
from app.web import plan_words


@pytest.mark.parametrize(
    ("names", "values"),
    [
        (plan_words.GOAL_STATUS, GoalStatus),
        (plan_words.ACTION_STATUS, ActionStatus),
        (plan_words.ASSESSMENT, ReviewAssessment),
        (plan_words.CONTRIBUTOR, Contributor),
        (plan_words.SUB_PLAN_KIND, SubPlanKind),
    ],
)
def test_every_value_has_a_name(names: dict[str, str], values: type[StrEnum]) -> None:
    assert set(names) == {value.value for value in values}


def test_every_status_a_goal_can_move_to_has_a_button_and_every_own_words_field_a_label() -> None:
    targets = {status.value for moves in TRANSITIONS.values() for status in moves}
    assert set(plan_words.GOAL_ACTION) == targets
    assert set(plan_words.OWN_WORDS_LABEL) == set(FIELDS)


def test_names_come_in_the_readers_language_as_trusted_text() -> None:
    nynorsk = plan_words.plan_word_globals(translations(Language.NN).gettext)
    english = plan_words.plan_word_globals(translations(Language.EN).gettext)
    assert english["goal_status_name"]("accepted") == "Accepted"
    assert nynorsk["goal_status_name"]("accepted") != "Accepted"
    label = english["own_words_label"]("own_view")
    assert isinstance(label, Markup) and str(label) == "The child's own view"  # not &#39;
    assert english["goal_status_color"]("proposed") == "warning"
    assert english["goal_status_color"]("active") == "info"
