from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    database: bool
    migrations_at_head: bool
