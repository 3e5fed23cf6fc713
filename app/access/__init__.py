"""THE authorization module: the only place that answers "may this person do this?".

Today it holds who is asking (`Actor`) and the audit log writer. The access issue adds
`require()`, `visible_plans()` and `capabilities()` here; every service that reads or writes plan
data will call them, and tests/access/test_single_door.py already fails if plan data is queried
anywhere else.
"""

from app.access.actors import Actor

__all__ = ["Actor"]
