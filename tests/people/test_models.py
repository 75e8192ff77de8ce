import pytest
from django.db import IntegrityError, transaction

from cadre.people.models import Competency, Department, Person
from tests.factories import DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _violates(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_employee_id_is_unique():
    PersonFactory(employee_id="E1")

    assert _violates(lambda: PersonFactory(employee_id="E1"))


def test_email_is_unique_ignoring_case():
    PersonFactory(email="ana@example.org")

    assert _violates(lambda: PersonFactory(email="ANA@example.org"))


def test_many_people_may_have_no_email():
    PersonFactory(email="")
    PersonFactory(email="")

    assert Person.objects.filter(email="").count() == 2


def test_a_person_cannot_manage_themselves():
    person = PersonFactory()
    person.manager = person

    assert _violates(person.save)


@pytest.mark.parametrize("level", [0, 100])
def test_level_stays_between_1_and_99(level):
    assert _violates(lambda: PersonFactory(level=level))


@pytest.mark.parametrize("field", ["employee_id", "full_name"])
def test_required_text_cannot_be_empty(field):
    assert _violates(lambda: PersonFactory(**{field: ""}))


def test_department_names_are_unique_ignoring_case():
    DepartmentFactory(name="Sales")

    assert _violates(lambda: Department.objects.create(name="SALES"))


def test_department_codes_are_unique_when_given():
    Department.objects.create(name="A", code="")
    Department.objects.create(name="B", code="")
    Department.objects.create(name="C", code="FIN")

    assert _violates(lambda: Department.objects.create(name="D", code="FIN"))


def test_department_with_people_cannot_be_deleted():
    department = DepartmentFactory()
    PersonFactory(department=department)

    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        department.delete()


def test_competency_names_are_unique_ignoring_case():
    assert _violates(
        lambda: Competency.objects.create(
            name="COMMUNICATION", description="d", level_1="1", level_3="3", level_5="5"
        )
    )


def test_display_name_prefers_the_preferred_name():
    assert str(PersonFactory(full_name="Robert Smith", preferred_name="Bob")) == "Bob"
    assert str(PersonFactory(full_name="Alice Jones", preferred_name="")) == "Alice Jones"
