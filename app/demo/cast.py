"""Who is in the demo: Fjordvik kommune's units and staff, plan owners of every age tier, their
families, a power of attorney and the services in each responsibility group. Data only; the
seeding is in app/demo/seed.py."""

from __future__ import annotations

from dataclasses import dataclass

from app.models import GrantMode, PlanPart, UnitKind

DEMO_MUNICIPALITY_NUMBER = "9999"  # not a real kommunenummer, so it cannot clash with one
DEMO_MUNICIPALITY_NAME = "Fjordvik kommune"

UNITS = [
    ("Koordinerende enhet", UnitKind.COORDINATING_UNIT),
    ("Hjemmetjenesten", UnitKind.HOME_CARE),
    ("Fysioterapitjenesten", UnitKind.PHYSIOTHERAPY),
    ("Fjordvik skole", UnitKind.SCHOOL),
    ("NAV Fjordvik", UnitKind.NAV),
    ("Helsestasjonen", UnitKind.HEALTH_STATION),
]


@dataclass(frozen=True)
class DemoEmployee:
    email: str
    name: str
    title: str
    unit: str
    trained_coordinator: bool = False


STAFF = [
    DemoEmployee("kari.nordmann@fjordvik.example", "Kari Nordmann", "Leder", "Koordinerende enhet"),
    DemoEmployee(
        "ingrid.berg@fjordvik.example", "Ingrid Berg", "Koordinator", "Hjemmetjenesten", True
    ),
    DemoEmployee(
        "ola.hansen@fjordvik.example", "Ola Hansen", "Fysioterapeut", "Fysioterapitjenesten"
    ),
    DemoEmployee("sara.lie@fjordvik.example", "Sara Lie", "Kontaktlærer", "Fjordvik skole"),
    DemoEmployee("ahmed.khan@fjordvik.example", "Ahmed Khan", "Veileder", "NAV Fjordvik"),
    DemoEmployee("marte.dahl@fjordvik.example", "Marte Dahl", "Helsesykepleier", "Helsestasjonen"),
]


@dataclass(frozen=True)
class DemoPerson:
    given_name: str
    family_name: str
    age: int
    # Days since the last birthday, so nobody has a birthday on the day of seeding.
    days_past_birthday: int
    has_plan: bool


CITIZENS = [
    DemoPerson("Emma", "Solberg", 9, 120, True),  # child under 12: guardians decide
    DemoPerson("Lars", "Solberg", 41, 30, False),  # Emma's parent
    DemoPerson("Hanne", "Solberg", 39, 200, False),  # Emma's parent
    DemoPerson("Jonas", "Vik", 14, 75, True),  # 12-15: may shield items; youth access from 13
    DemoPerson("Mari", "Vik", 44, 10, False),  # Jonas's parent
    DemoPerson("Nora", "Aasen", 16, 40, True),  # just took over her own plan
    DemoPerson("Tor", "Aasen", 47, 90, False),  # Nora's parent, no longer decides
    DemoPerson("Per", "Mikkelsen", 58, 150, True),  # adult with a representative
    DemoPerson("Liv", "Mikkelsen", 31, 60, False),  # Per's daughter, holds his power of attorney
]


# (guardian, child) with parental responsibility, as the population register would say.
FAMILIES = [
    ("Lars Solberg", "Emma Solberg"),
    ("Hanne Solberg", "Emma Solberg"),
    ("Mari Vik", "Jonas Vik"),
    ("Tor Aasen", "Nora Aasen"),  # Nora is 16: Tor no longer acts for her (R-AGE-4)
]
# (granter, holder): Per gave his daughter Liv a power of attorney, verified by the KE.
POWERS_OF_ATTORNEY = [("Per Mikkelsen", "Liv Mikkelsen")]


@dataclass(frozen=True)
class DemoGrant:
    owner: str
    employee_email: str
    unit: str
    parts: tuple[tuple[PlanPart, GrantMode], ...]
    # Who consented: the owner, or a guardian while the owner was younger.
    granted_by: str
    days_ago: int


# The services in each responsibility group, and what the owner (or guardian) consented to.
GROUPS = [
    DemoGrant(
        "Per Mikkelsen",
        "ola.hansen@fjordvik.example",
        "Fysioterapitjenesten",
        # Ola writes progress notes on his action, so Per lets him read the notes too.
        (
            (PlanPart.GOALS_ACTIONS, GrantMode.WRITE),
            (PlanPart.NOTES, GrantMode.READ),
            (PlanPart.MEETINGS, GrantMode.READ),
        ),
        "Per Mikkelsen",
        60,
    ),
    DemoGrant(
        "Jonas Vik",
        "sara.lie@fjordvik.example",
        "Fjordvik skole",
        ((PlanPart.GOALS_ACTIONS, GrantMode.WRITE), (PlanPart.MESSAGES, GrantMode.WRITE)),
        "Mari Vik",
        50,
    ),
    DemoGrant(
        "Emma Solberg",
        "marte.dahl@fjordvik.example",
        "Helsestasjonen",
        ((PlanPart.GOALS_ACTIONS, GrantMode.READ), (PlanPart.MEETINGS, GrantMode.READ)),
        "Hanne Solberg",
        80,
    ),
    # Given by Tor before Nora turned 16: she is asked to confirm it (R-AGE-4).
    DemoGrant(
        "Nora Aasen",
        "ahmed.khan@fjordvik.example",
        "NAV Fjordvik",
        ((PlanPart.GOALS_ACTIONS, GrantMode.WRITE),),
        "Tor Aasen",
        70,
    ),
]
# Jonas (14) may log in and read his plan: his mother consented (R-AGE-3).
YOUTH_ACCESS = [("Jonas Vik", "Mari Vik")]
