"""factory_boy factories for Cadre's models. Tests build the exact data they assert on."""

import factory
from factory.django import DjangoModelFactory

from cadre.accounts.models import Role, RoleGrant, User
from cadre.people.models import Competency, Department, Person


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password("correct horse battery")


class RoleGrantFactory(DjangoModelFactory[RoleGrant]):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = Role.COACHEE


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class PersonFactory(DjangoModelFactory[Person]):
    class Meta:
        model = Person

    employee_id = factory.Sequence(lambda n: f"E{n:05d}")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda person: f"{person.employee_id.lower()}@example.org")
    department = factory.SubFactory(DepartmentFactory)
    job_title = "Manager"
    level = 3
    time_zone = "Europe/London"
    languages = factory.LazyFunction(lambda: ["en"])


class CompetencyFactory(DjangoModelFactory[Competency]):
    class Meta:
        model = Competency

    name = factory.Sequence(lambda n: f"Competency {n}")
    description = "What the competency is about."
    level_1 = "Rarely shows it."
    level_3 = "Shows it reliably."
    level_5 = "A role model."
