"""style.md convention 4: plan data is touched only by app/access and the domain services.

Routes, templates, websocket handlers and jobs reach plan data through a service, and services
ask app/access first. This test reads the code (not the running app): any other module that
imports a plan-data model fails here, so a shortcut past the door cannot land unnoticed.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
PLAN_DATA_MODELS = {
    "Plan",
    "Participant",
    "Grant",
    "Invitation",
    "YouthAccess",
    "ShieldedItem",
    "Document",
    "AuditEvent",
    # The plan's content (issue #6); IdempotentWrite holds only stored answers, not plan data.
    "LifeSituation",
    "Goal",
    "GoalReview",
    "Action",
    "ActionGoal",
    "ProgressNote",
    "Contribution",
    "Cooperation",
    "SubPlanLink",
    "TimelineEntry",
    "PlanVisit",
    "Draft",
}
# The demo seed writes consents dated before the demo began, from the command line, not from
# a request; nothing at runtime reaches it. plan_content.py is the part of the seed that
# writes the demo plans' content (through the services; it only looks up what exists).
SEED = {Path("demo") / "seed.py", Path("demo") / "plan_content.py"}


def _allowed(path: Path) -> bool:
    relative = path.relative_to(APP)
    return (
        relative.parts[0] in ("models", "access")
        or relative.name == "service.py"
        or relative in SEED
    )


def _imported_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    typing_only = {
        id(child)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        for child in ast.walk(statement)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations cannot query anything
            continue
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("app.models")
        ):
            names.update(alias.name for alias in node.names)
    return names


def test_plan_data_models_are_used_only_behind_the_access_door() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if _allowed(path):
            continue
        used = _imported_names(ast.parse(path.read_text())) & PLAN_DATA_MODELS
        if used:
            offenders.append(f"{path.relative_to(APP)} imports {sorted(used)}")
    assert offenders == []


def test_the_check_would_catch_an_adapter_that_imports_plan(tmp_path: Path) -> None:
    tree = ast.parse("from app.models import Plan\n")
    assert _imported_names(tree) & PLAN_DATA_MODELS == {"Plan"}
