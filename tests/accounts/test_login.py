import re

import pytest
from django.test import Client
from django.urls import reverse

from cadre.accounts.models import AuditEvent
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def test_login_with_email_ignores_case_and_is_audited(coach):
    client = Client()

    response = _login(client, "COACH@example.org", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    event = AuditEvent.objects.filter(action="accounts.login").latest("id")
    assert (event.actor, event.ip_address) == (coach.user, "10.0.0.1")


def test_wrong_password_explains_and_is_audited(coach):
    response = _login(Client(), "coach@example.org", "wrong")

    assert response.status_code == 200
    assert (
        "That e-mail and password don&#x27;t match an active account." in response.content.decode()
    )
    event = AuditEvent.objects.get(action="accounts.login_failed")
    assert (event.actor, event.details) == (None, {"email": "coach@example.org"})


def test_deactivated_login_cannot_log_in(coach):
    coach.user.is_active = False
    coach.user.save()

    response = _login(Client(), "coach@example.org", PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_login_is_throttled_after_five_failures_even_with_the_right_password(coach):
    client = Client()
    for _ in range(4):
        assert _login(client, "coach@example.org", "wrong").status_code == 200
    assert _login(client, "Coach@Example.org", "wrong").status_code == 429

    locked = _login(client, "COACH@example.org", PASSWORD)

    assert locked.status_code == 429
    assert b"Too many failed attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_throttle_is_per_email_and_address(coach, coachee):
    client = Client()
    for _ in range(5):
        _login(client, "coach@example.org", "wrong")

    assert _login(Client(), "coachee@example.org", PASSWORD).status_code == 302
    assert _login(Client(), "coach@example.org", PASSWORD, address="10.9.9.9").status_code == 302


def test_logout_needs_post_and_is_audited(coach):
    assert coach.client.get(reverse("logout")).status_code == 405

    response = coach.client.post(reverse("logout"))

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.logout", actor=coach.user).count() == 1


def test_password_reset_sends_a_link_that_sets_a_new_password(coach, mailoutbox):
    response = Client().post(reverse("password_reset"), {"email": "Coach@Example.org"})

    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["coach@example.org"]]
    assert mailoutbox[0].subject == "Reset your Cadre password"
    link = re.search(r"http://testserver(/password-reset/\S+/)", mailoutbox[0].body).group(1)
    client = Client()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    new_password = "a fresh long passphrase 42"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert _login(Client(), "coach@example.org", new_password).status_code == 302
    assert AuditEvent.objects.filter(action="accounts.password_set", actor=coach.user).count() == 1


def test_password_reset_for_unknown_email_sends_nothing_and_reveals_nothing(db, mailoutbox):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


def test_login_page_renders_labelled_fields(db):
    content = Client().get(reverse("login")).content.decode()

    assert '<label for="id_username">E-mail</label>' in content
    assert '<label for="id_password">Password</label>' in content


def test_pages_send_a_strict_content_security_policy(coach):
    response = coach.client.get(reverse("home"))

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_password_resets_are_limited_per_email_without_revealing_it(coach, mailoutbox):
    responses = [
        Client().post(
            reverse("password_reset"), {"email": "coach@example.org"}, REMOTE_ADDR=f"10.1.0.{n}"
        )
        for n in range(5)
    ]

    assert [r.status_code for r in responses] == [302] * 5
    assert {r.url for r in responses} == {reverse("password_reset_done")}
    assert len(mailoutbox) == 3
    actions = list(
        AuditEvent.objects.filter(action__startswith="accounts.password_reset")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert (
        actions
        == ["accounts.password_reset_request"] * 3 + ["accounts.password_reset_throttled"] * 2
    )


def test_password_resets_are_limited_per_client_address(db, mailoutbox):
    users = [UserFactory(email=f"person{n}@example.org") for n in range(12)]
    for user in users:
        Client().post(reverse("password_reset"), {"email": user.email}, REMOTE_ADDR="10.2.0.1")

    assert len(mailoutbox) == 10
    assert AuditEvent.objects.filter(action="accounts.password_reset_throttled").count() == 2
