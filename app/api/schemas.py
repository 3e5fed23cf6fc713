"""Pydantic models of the JSON API that belong to no domain concept."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Meta(BaseModel):
    name: Literal["Samplan"] = "Samplan"
    version: str
    api_version: Literal["v1"] = "v1"
    languages: list[str]


class Health(BaseModel):
    status: Literal["ok"]
