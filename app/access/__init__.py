"""THE authorization module: the only place that answers "may this person do this?".

Today Samplan serves only public pages and public data (the municipalities it serves), so there
is no decision to make yet. The access issue adds `require()`, `visible_plans()` and
`capabilities()` here; every service that reads or writes plan data will call them, and
tests/access/test_single_door.py already fails if plan data is queried anywhere else.
"""
