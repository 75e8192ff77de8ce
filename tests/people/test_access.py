import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cadre.people.access import is_member, people_for_user, person_for_admin, person_for_user
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_members_see_active_people(coach):
    active = PersonFactory()

    assert person_for_user(coach.user, active.pk) == active


def test_members_get_404_for_deactivated_people(coachee):
    gone = PersonFactory(is_active=False)

    with pytest.raises(Http404):
        person_for_user(coachee.user, gone.pk)


def test_admins_see_deactivated_people(admin):
    gone = PersonFactory(is_active=False)

    assert person_for_user(admin.user, gone.pk) == gone


def test_outsider_and_anonymous_see_no_one(outsider):
    person = PersonFactory()

    for user in (outsider.user, AnonymousUser()):
        with pytest.raises(Http404):
            person_for_user(user, person.pk)
        assert list(people_for_user(user)) == []


def test_a_login_linked_to_an_active_person_is_a_member_without_roles():
    user = UserFactory()
    PersonFactory(user=user)

    assert is_member(user) is True


def test_a_login_linked_to_a_deactivated_person_is_not_a_member():
    user = UserFactory()
    PersonFactory(user=user, is_active=False)

    assert is_member(user) is False


def test_deactivated_login_is_not_a_member(coach):
    coach.user.is_active = False

    assert is_member(coach.user) is False


def test_person_for_admin_is_403_for_members_who_can_see_the_person(sponsor, outsider, admin):
    person = PersonFactory()

    assert person_for_admin(admin.user, person.pk) == person
    with pytest.raises(PermissionDenied):
        person_for_admin(sponsor.user, person.pk)
    with pytest.raises(Http404):
        person_for_admin(outsider.user, person.pk)
