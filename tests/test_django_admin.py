"""Every model is registered in the Django admin, and its list page opens for a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.urls import reverse

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CADRE_APPS = {"accounts", "people"}


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
