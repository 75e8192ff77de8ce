import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cadre.accounts.models import AuditEvent, Role
from cadre.accounts.services import audit_record, role_grant, role_revoke, roles_set
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_actor_target_and_address(rf, admin):
    person = PersonFactory(full_name="Target Person")
    request = rf.get("/", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="pytest")

    event = audit_record(
        actor=admin.user, action="people.view", target=person, request=request, details={"a": 1}
    )

    event.refresh_from_db()
    assert (event.actor_label, event.action, event.target_id, event.target_label) == (
        "admin@example.org",
        "people.view",
        str(person.pk),
        "Target Person",
    )
    assert (event.ip_address, event.user_agent, event.details) == ("192.0.2.7", "pytest", {"a": 1})
    assert event.target_type.model == "person"


def test_audit_entry_outlives_its_actor(admin):
    event = audit_record(actor=admin.user, action="people.import")
    admin.person.delete()
    admin.user.delete()

    event.refresh_from_db()
    assert (event.actor, event.actor_label) == (None, "admin@example.org")


def test_role_grant_is_idempotent_and_audited_once(admin):
    user = UserFactory()

    role_grant(user=user, role=Role.COACH, granted_by=admin.user)
    role_grant(user=user, role=Role.COACH, granted_by=admin.user)

    assert list(user.role_grants.values_list("role", flat=True)) == ["coach"]
    assert (
        AuditEvent.objects.filter(action="accounts.role_grant", target_id=str(user.pk)).count() == 1
    )


def test_role_revoke_reports_whether_the_role_was_held(admin):
    user = UserFactory()
    role_grant(user=user, role=Role.SPONSOR, granted_by=admin.user)

    assert role_revoke(user=user, role=Role.SPONSOR, revoked_by=admin.user) is True
    assert role_revoke(user=user, role=Role.SPONSOR, revoked_by=admin.user) is False
    assert AuditEvent.objects.filter(action="accounts.role_revoke").count() == 1


def test_roles_set_grants_and_revokes_the_difference(admin):
    user = UserFactory()
    roles_set(user=user, roles={Role.COACH, Role.COACHEE}, changed_by=admin.user)

    roles_set(user=user, roles={Role.COACHEE, Role.SPONSOR}, changed_by=admin.user)

    assert sorted(user.role_grants.values_list("role", flat=True)) == ["coachee", "sponsor"]


def test_audit_log_lists_events_newest_first_for_admins(admin):
    old = audit_record(actor=None, action="people.import")
    AuditEvent.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - dt.timedelta(days=3))
    new = audit_record(actor=admin.user, action="people.view")

    response = admin.client.get(reverse("audit_log"))

    events = list(response.context["page"].object_list)
    assert events[-1] == old
    assert events.index(new) < events.index(old)


def test_audit_log_filters_by_action_actor_and_dates(admin, coach):
    audit_record(actor=coach.user, action="people.view")
    audit_record(actor=admin.user, action="people.view")
    stale = audit_record(actor=coach.user, action="people.view")
    AuditEvent.objects.filter(pk=stale.pk).update(
        occurred_at=timezone.now() - dt.timedelta(days=10)
    )
    today = timezone.now().date()

    response = admin.client.get(
        reverse("audit_log"),
        {"action": "people.view", "actor": "coach@", "since": today - dt.timedelta(days=1)},
    )

    events = list(response.context["page"].object_list)
    assert [(e.actor, e.action) for e in events] == [(coach.user, "people.view")]


def test_audit_log_explains_a_bad_date_range(admin):
    response = admin.client.get(
        reverse("audit_log"), {"since": "2026-05-02", "until": "2026-05-01"}
    )

    assert response.context["form"].errors == {"until": ["'To' must be on or after 'From'."]}
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("member", ["coach", "coachee", "sponsor", "outsider"])
def test_audit_log_is_for_admins_only(member, request):
    member = request.getfixturevalue(member)

    assert member.client.get(reverse("audit_log")).status_code == 403


def test_audit_log_query_count_does_not_grow(admin, django_assert_num_queries):
    url = reverse("audit_log")
    person = PersonFactory()
    audit_record(actor=admin.user, action="people.view", target=person)
    admin.client.get(url)
    with django_assert_num_queries(8) as one:
        admin.client.get(url)
    for _ in range(30):
        audit_record(actor=admin.user, action="people.view", target=PersonFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        admin.client.get(url)


def test_audit_events_cannot_be_changed_in_the_django_admin(admin):
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    event = audit_record(actor=admin.user, action="people.view")

    change = admin.client.post(
        reverse("admin:accounts_auditevent_change", args=[event.pk]), {"action": "forged"}
    )
    delete = admin.client.post(
        reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )

    event.refresh_from_db()
    assert event.action == "people.view"
    assert (change.status_code, delete.status_code) == (403, 403)


def test_a_forged_forwarded_for_header_is_ignored_without_trusted_proxies(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR="203.0.113.9")

    event = audit_record(actor=None, action="people.view", request=request)

    assert event.ip_address == "192.0.2.7"


def test_behind_a_trusted_proxy_the_client_address_is_audited(rf, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2")

    event = audit_record(actor=None, action="people.view", request=request)

    assert event.ip_address == "203.0.113.9"
