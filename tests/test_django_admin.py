"""Every model is registered in the Django admin, and its list page opens for a superuser."""

import json

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.urls import reverse

from cadre.accounts.models import AuditEvent, RoleGrant
from cadre.people.models import Competency, Department
from tests.factories import DepartmentFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

CADRE_APPS = {"accounts", "people", "programs", "enablement"}


def test_every_cadre_model_is_registered():
    models = [m for m in apps.get_models() if m._meta.app_label in CADRE_APPS]

    unregistered = [m.__name__ for m in models if not django_admin.site.is_registered(m)]

    assert unregistered == []


@pytest.mark.parametrize(
    "model",
    [m for m in apps.get_models() if m._meta.app_label in CADRE_APPS],
    ids=lambda m: m.__name__,
)
def test_changelist_opens(admin, model):
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    PersonFactory()
    opts = model._meta

    changelist = admin.client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert changelist.status_code == 200


def test_the_django_admin_is_closed_to_non_staff(coach):
    response = coach.client.get(reverse("admin:people_person_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.fixture
def superuser(admin):
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    return admin


def _person_form(person, **changes):
    data = {
        "employee_id": person.employee_id,
        "full_name": person.full_name,
        "preferred_name": person.preferred_name,
        "email": person.email,
        "department": person.department_id or "",
        "job_title": person.job_title,
        "level": person.level or "",
        "manager": person.manager_id or "",
        "location": person.location,
        "time_zone": person.time_zone,
        "languages": json.dumps(person.languages),
        "hire_date": "",
        "is_active": "on" if person.is_active else "",
        "user": person.user_id or "",
    }
    data.update(changes)
    return data


def test_admin_changes_are_written_to_the_audit_log(superuser):
    competency = Competency.objects.get(name="Leading change")
    url = reverse("admin:people_competency_change", args=[competency.pk])
    data = {
        "name": "Leading change",
        "description": "Makes change happen.",
        "level_1": competency.level_1,
        "level_3": competency.level_3,
        "level_5": competency.level_5,
        "position": competency.position,
        "is_active": "on",
    }

    response = superuser.client.post(url, data)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change")
    assert (event.actor, event.target_id, event.target_label) == (
        superuser.user,
        str(competency.pk),
        "Leading change",
    )
    assert event.details == {"change": "Changed Description."}


def test_admin_deletions_are_audited_before_the_object_goes(superuser):
    competency = Competency.objects.get(name="Business acumen")

    superuser.client.post(
        reverse("admin:people_competency_delete", args=[competency.pk]), {"post": "yes"}
    )

    event = AuditEvent.objects.get(action="admin.delete")
    assert (event.target_id, event.target_label) == (str(competency.pk), "Business acumen")
    assert not Competency.objects.filter(pk=competency.pk).exists()


def test_admin_refuses_a_loop_in_the_reporting_line(superuser):
    boss = PersonFactory()
    report = PersonFactory(manager=boss)

    response = superuser.client.post(
        reverse("admin:people_person_change", args=[boss.pk]), _person_form(boss, manager=report.pk)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["manager"] == [
        f"{report} reports to {boss}, directly or not: "
        "this would make a loop in the reporting line."
    ]
    boss.refresh_from_db()
    assert boss.manager is None


def test_admin_refuses_an_unknown_time_zone_and_lowercases_emails(superuser):
    person = PersonFactory()
    url = reverse("admin:people_person_change", args=[person.pk])

    refused = superuser.client.post(url, _person_form(person, time_zone="Mars/Olympus"))
    accepted = superuser.client.post(url, _person_form(person, email="Mixed.Case@Example.org"))

    assert refused.context["adminform"].form.errors["time_zone"] == [
        "“Mars/Olympus” is not a time zone. Use an IANA name such as Europe/London."
    ]
    assert accepted.status_code == 302
    person.refresh_from_db()
    assert person.email == "mixed.case@example.org"


def test_admin_refuses_a_department_under_its_own_sub_department(superuser):
    top = DepartmentFactory(name="Top")
    below = Department.objects.create(name="Below", parent=top)

    response = superuser.client.post(
        reverse("admin:people_department_change", args=[top.pk]),
        {"name": "Top", "code": "", "parent": below.pk},
    )

    assert response.context["adminform"].form.errors["parent"] == [
        "Below is Top or one of its sub-departments: a department can't sit under itself."
    ]


def test_deactivating_a_person_in_the_admin_switches_their_login_off(superuser, coach):
    url = reverse("admin:people_person_change", args=[coach.person.pk])

    superuser.client.post(url, _person_form(coach.person, is_active=""))

    coach.user.refresh_from_db()
    assert coach.user.is_active is False
    event = AuditEvent.objects.get(action="accounts.user_deactivate")
    assert (event.actor, event.target_id) == (superuser.user, str(coach.user.pk))


def test_role_grants_made_in_the_admin_record_who_granted_them(superuser):
    user = UserFactory()

    superuser.client.post(
        reverse("admin:accounts_rolegrant_add"), {"user": user.pk, "role": "sponsor"}
    )

    grant = RoleGrant.objects.get(user=user)
    assert (grant.role, grant.granted_by) == ("sponsor", superuser.user)
    assert AuditEvent.objects.filter(action="admin.add", target_id=str(grant.pk)).count() == 1
