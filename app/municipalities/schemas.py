from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict


class MunicipalityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    number: str
    name: str
