"""The fixed cast every test may use: admin, coach, coachee, sponsor and outsider.

Each member of the cast is a login with one role and a person record in the organisation,
except the outsider, who can log in but belongs to no one and holds no role.
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from cadre.accounts.models import Role, User
from cadre.people.models import Person
from tests.factories import PersonFactory, RoleGrantFactory, UserFactory

PASSWORD = "correct horse battery"


@dataclass
class Member:
    user: User
    person: Person | None
    client: Client


def _member(email: str, name: str, role: Role | None, *, with_person: bool = True) -> Member:
    user = UserFactory(email=email, display_name=name)
    if role is not None:
        RoleGrantFactory(user=user, role=role)
    person = PersonFactory(full_name=name, email=email, user=user) if with_person else None
    client = Client()
    client.force_login(user)
    return Member(user=user, person=person, client=client)


@pytest.fixture
def admin(db: None) -> Member:
    return _member("admin@example.org", "Ada Admin", Role.PROGRAMME_ADMIN)


@pytest.fixture
def coach(db: None) -> Member:
    return _member("coach@example.org", "Cora Coach", Role.COACH)


@pytest.fixture
def coachee(db: None) -> Member:
    return _member("coachee@example.org", "Cole Coachee", Role.COACHEE)


@pytest.fixture
def sponsor(db: None) -> Member:
    return _member("sponsor@example.org", "Sam Sponsor", Role.SPONSOR)


@pytest.fixture
def outsider(db: None) -> Member:
    return _member("outsider@example.org", "Otto Outsider", None, with_person=False)


@pytest.fixture(autouse=True)
def _media_root(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined,operator]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: object) -> None:
    """Tasks run inline in tests, so their effects can be asserted right away."""
    settings.TASKS = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Real hashing costs a second per password; tests check behaviour, not key stretching."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
