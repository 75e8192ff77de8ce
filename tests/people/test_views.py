import pytest
from django.urls import reverse

from cadre.accounts.models import AuditEvent, Role
from cadre.people.models import Competency
from tests.factories import DepartmentFactory, PersonFactory

pytestmark = pytest.mark.django_db


def test_directory_lists_active_people_by_name(coach):
    PersonFactory(full_name="Zoe Zimmer")
    PersonFactory(full_name="Anna Andersen")
    PersonFactory(full_name="Gone Person", is_active=False)

    response = coach.client.get(reverse("people:directory"))

    assert response.status_code == 200
    names = [person.full_name for person in response.context["page"].object_list]
    assert names == ["Anna Andersen", "Cora Coach", "Zoe Zimmer"]


def test_directory_search_matches_every_word(coach):
    sales = DepartmentFactory(name="Sales")
    PersonFactory(full_name="Maria Lopez", department=sales)
    PersonFactory(full_name="Maria Chen", job_title="Engineer")
    PersonFactory(full_name="John Lopez")

    response = coach.client.get(reverse("people:directory"), {"q": "maria sales"})

    names = [person.full_name for person in response.context["page"].object_list]
    assert names == ["Maria Lopez"]


def test_directory_filters_by_department_level_and_location(admin):
    finance = DepartmentFactory(name="Finance")
    PersonFactory(full_name="Keep Me", department=finance, level=5, location="Berlin")
    PersonFactory(full_name="Wrong Level", department=finance, level=4, location="Berlin")
    PersonFactory(full_name="Wrong Place", department=finance, level=5, location="Lagos")

    response = admin.client.get(
        reverse("people:directory"),
        {"department": finance.pk, "level": 5, "location": "Berlin"},
    )

    assert [p.full_name for p in response.context["page"].object_list] == ["Keep Me"]


def test_directory_htmx_request_renders_only_the_results(coach):
    PersonFactory(full_name="Only Result")

    response = coach.client.get(
        reverse("people:directory"),
        {"q": "only"},
        headers={"HX-Request": "true", "HX-Target": "directory-results"},
    )

    content = response.content.decode()
    assert "Only Result" in content
    assert "<html" not in content
    assert 'role="search"' not in content


def test_directory_shows_an_empty_state_with_next_step_for_admins(admin):
    admin.person.delete()

    response = admin.client.get(reverse("people:directory"))

    assert b"The directory is empty." in response.content
    assert reverse("people:import_start").encode() in response.content


def test_inactive_people_are_listed_only_for_admins_who_ask(admin, coach):
    PersonFactory(full_name="Gone Person", is_active=False)
    url = reverse("people:directory")

    admin_default = admin.client.get(url, {"q": "gone"}).context["page"].object_list
    admin_inactive = admin.client.get(url, {"q": "gone", "inactive": "on"}).context["page"]
    coach_asks = coach.client.get(url, {"q": "gone", "inactive": "on"}).context["page"]

    assert list(admin_default) == []
    assert [p.full_name for p in admin_inactive.object_list] == ["Gone Person"]
    assert list(coach_asks.object_list) == []


def test_directory_is_refused_to_outsiders_and_anonymous(outsider, client):
    url = reverse("people:directory")

    assert outsider.client.get(url).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous.url == f"{reverse('login')}?next={url}"


def test_directory_query_count_does_not_grow_with_people(coach, django_assert_num_queries):
    url = reverse("people:directory")
    manager = PersonFactory()
    PersonFactory(manager=manager)
    coach.client.get(url)  # warm the session and role caches of the test client
    with django_assert_num_queries(9) as one:
        coach.client.get(url)
    PersonFactory.create_batch(20, manager=manager)
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(url)


def test_person_page_shows_chain_and_reports(coach):
    ceo = PersonFactory(full_name="Chief Executive")
    vp = PersonFactory(full_name="Vice President", manager=ceo)
    person = PersonFactory(full_name="Team Lead", manager=vp)
    PersonFactory(full_name="Report One", manager=person)
    PersonFactory(full_name="Report Two", manager=person)
    PersonFactory(full_name="Left Already", manager=person, is_active=False)

    response = coach.client.get(reverse("people:person", args=[person.pk]))

    assert response.status_code == 200
    assert [m.full_name for m in response.context["chain"]] == ["Vice President", "Chief Executive"]
    assert [r.full_name for r in response.context["reports"]] == ["Report One", "Report Two"]
    assert b"Employee id" not in response.content


def test_person_page_hides_hr_fields_from_members_and_shows_them_to_admins(admin, coach):
    person = PersonFactory(employee_id="E-777", level=7)

    assert b"E-777" not in coach.client.get(reverse("people:person", args=[person.pk])).content
    assert b"E-777" in admin.client.get(reverse("people:person", args=[person.pk])).content


def test_admin_reading_a_person_is_audited(admin):
    person = PersonFactory()

    admin.client.get(reverse("people:person", args=[person.pk]))

    event = AuditEvent.objects.get(action="people.view")
    assert (event.actor, event.target_id, event.target_label) == (
        admin.user,
        str(person.pk),
        person.full_name,
    )


@pytest.mark.parametrize("member", ["coach", "coachee", "sponsor"])
def test_deactivated_person_is_404_for_members(member, request):
    member = request.getfixturevalue(member)
    gone = PersonFactory(is_active=False)

    assert member.client.get(reverse("people:person", args=[gone.pk])).status_code == 404


def test_person_page_is_404_for_outsider(outsider):
    person = PersonFactory()

    assert outsider.client.get(reverse("people:person", args=[person.pk])).status_code == 404
    assert (
        outsider.client.get(reverse("people:org_chart_reports", args=[person.pk])).status_code
        == 404
    )


def test_person_page_query_count_does_not_grow(coach, django_assert_num_queries):
    boss = PersonFactory()
    person = PersonFactory(manager=boss)
    PersonFactory(manager=person)
    url = reverse("people:person", args=[person.pk])
    coach.client.get(url)
    with django_assert_num_queries(8) as one:
        coach.client.get(url)
    above = person
    for _ in range(5):
        above.manager = PersonFactory(manager=above.manager)
        above.save()
        above = above.manager
    PersonFactory.create_batch(10, manager=person)
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(url)


def test_org_chart_starts_at_people_without_an_active_manager(coach):
    Competency.objects.all().delete()
    ceo = PersonFactory(full_name="Chief Executive")
    PersonFactory(full_name="Direct One", manager=ceo)
    departed = PersonFactory(full_name="Departed Boss", is_active=False)
    PersonFactory(full_name="Orphan", manager=departed)

    response = coach.client.get(reverse("people:org_chart"))

    roots = [(p.full_name, p.report_count) for p in response.context["roots"]]
    assert roots == [("Chief Executive", 1), ("Cora Coach", 0), ("Orphan", 0)]


def test_org_chart_branch_lists_direct_reports(coach):
    ceo = PersonFactory(full_name="Chief Executive")
    vp = PersonFactory(full_name="Vice President", manager=ceo)
    PersonFactory(full_name="Deeper", manager=vp)

    response = coach.client.get(
        reverse("people:org_chart_reports", args=[ceo.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert [(p.full_name, p.report_count) for p in response.context["people"]] == [
        ("Vice President", 1)
    ]
    assert b"<html" not in response.content
    assert b'aria-label="Reports of Chief Executive"' in response.content


def test_org_chart_query_count_does_not_grow(coach, django_assert_num_queries):
    url = reverse("people:org_chart")
    PersonFactory()
    coach.client.get(url)
    with django_assert_num_queries(5) as one:
        coach.client.get(url)
    for _ in range(10):
        PersonFactory.create_batch(2, manager=PersonFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(url)


def test_org_chart_branch_query_count_does_not_grow(coach, django_assert_num_queries):
    boss = PersonFactory()
    PersonFactory(manager=boss)
    url = reverse("people:org_chart_reports", args=[boss.pk])
    coach.client.get(url)
    with django_assert_num_queries(6) as one:
        coach.client.get(url)
    for _ in range(10):
        PersonFactory(manager=PersonFactory(manager=boss))
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(url)


def test_competency_model_ships_ten_defaults_in_order(coachee):
    response = coachee.client.get(reverse("people:competencies"))

    names = [c.name for c in response.context["competencies"]]
    assert names[:3] == ["Coaching others", "Communication", "Emotional intelligence"]
    assert len(names) == 10
    assert names[-1] == "Integrity and trust"


def test_admin_edits_a_competency_and_the_change_is_audited(admin):
    competency = Competency.objects.get(name="Communication")
    data = {
        "name": "Communication and listening",
        "description": competency.description,
        "level_1": competency.level_1,
        "level_3": competency.level_3,
        "level_5": competency.level_5,
        "position": competency.position,
        "is_active": "on",
    }

    response = admin.client.post(reverse("people:competency_edit", args=[competency.pk]), data)

    assert response.status_code == 302
    competency.refresh_from_db()
    assert competency.name == "Communication and listening"
    event = AuditEvent.objects.get(action="people.competency_update")
    assert event.target_id == str(competency.pk)


def test_competency_form_names_the_field_in_error(admin):
    response = admin.client.post(reverse("people:competency_new"), {"name": "Communication"})

    form = response.context["form"]
    assert form.errors["description"] == ["This field is required."]
    assert "name" in form.errors or "__all__" in form.errors
    assert Competency.objects.filter(name__iexact="communication").count() == 1


@pytest.mark.parametrize("member", ["coach", "coachee", "sponsor", "outsider"])
def test_only_admins_edit_competencies(member, request):
    member = request.getfixturevalue(member)
    competency = Competency.objects.first()

    assert member.client.get(reverse("people:competency_new")).status_code == 403
    assert (
        member.client.get(reverse("people:competency_edit", args=[competency.pk])).status_code
        == 403
    )


def test_competency_page_query_count(coach, django_assert_num_queries):
    url = reverse("people:competencies")
    coach.client.get(url)
    with django_assert_num_queries(5) as one:
        coach.client.get(url)
    Competency.objects.bulk_create(
        Competency(name=f"Extra {i}", description="d", level_1="1", level_3="3", level_5="5")
        for i in range(10)
    )
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(url)


def test_admin_invites_a_person_and_sets_roles(admin, mailoutbox):
    person = PersonFactory(full_name="New Coach", email="New.Coach@Example.org")

    response = admin.client.post(
        reverse("people:person_account", args=[person.pk]), {"roles": ["coach", "coachee"]}
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user.email == "new.coach@example.org"
    assert not person.user.has_usable_password()
    assert sorted(person.user.role_grants.values_list("role", flat=True)) == ["coach", "coachee"]
    assert [m.to for m in mailoutbox] == [["new.coach@example.org"]]
    assert "/password-reset/" in mailoutbox[0].body
    actions = sorted(
        AuditEvent.objects.exclude(action="accounts.login").values_list("action", flat=True)
    )
    assert actions == [
        "accounts.invitation_send",
        "accounts.role_grant",
        "accounts.role_grant",
        "people.account_link",
    ]


def test_admin_changes_roles_of_an_existing_login_without_a_new_invitation(
    admin, coach, mailoutbox
):
    response = admin.client.post(
        reverse("people:person_account", args=[coach.person.pk]), {"roles": ["sponsor"]}
    )

    assert response.status_code == 302
    assert list(coach.user.role_grants.values_list("role", flat=True)) == [Role.SPONSOR]
    assert mailoutbox == []


def test_person_without_email_cannot_be_invited(admin):
    person = PersonFactory(email="")

    response = admin.client.post(
        reverse("people:person_account", args=[person.pk]), {"roles": ["coach"]}, follow=True
    )

    person.refresh_from_db()
    assert person.user is None
    assert f"{person.full_name} has no e-mail address" in response.content.decode()


def test_admin_cannot_drop_own_admin_role(admin):
    response = admin.client.post(
        reverse("people:person_account", args=[admin.person.pk]), {"roles": ["coach"]}, follow=True
    )

    assert admin.user.role_grants.filter(role=Role.PROGRAMME_ADMIN).exists()
    assert "You can&#x27;t remove your own programme admin role." in response.content.decode()


@pytest.mark.parametrize("member", ["coach", "coachee", "sponsor"])
def test_only_admins_set_roles(member, request):
    member = request.getfixturevalue(member)
    person = PersonFactory()

    response = member.client.post(
        reverse("people:person_account", args=[person.pk]), {"roles": ["coach"]}
    )

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.user is None


def test_setting_roles_on_an_unseen_person_is_404(outsider):
    person = PersonFactory()

    response = outsider.client.post(
        reverse("people:person_account", args=[person.pk]), {"roles": []}
    )

    assert response.status_code == 404


def test_org_chart_opens_the_branches_down_to_a_person(coach):
    ceo = PersonFactory(full_name="Chief Executive")
    vp = PersonFactory(full_name="Vice President", manager=ceo)
    PersonFactory(full_name="Other VP", manager=ceo)
    lead = PersonFactory(full_name="Team Lead", manager=vp)
    PersonFactory(full_name="Team Member", manager=lead)

    response = coach.client.get(reverse("people:org_chart"), {"person": lead.pk})

    assert response.context["focus"] == lead
    root = next(p for p in response.context["roots"] if p.pk == ceo.pk)
    assert [p.full_name for p in root.org_children] == ["Other VP", "Vice President"]
    opened_vp = root.org_children[1]
    assert [p.full_name for p in opened_vp.org_children] == ["Team Lead"]
    assert [p.full_name for p in opened_vp.org_children[0].org_children] == ["Team Member"]
    assert not hasattr(root.org_children[0], "org_children")
    assert b'aria-current="true">Team Lead</a>' in response.content


def test_org_chart_focus_on_an_unseen_person_is_404(coachee):
    gone = PersonFactory(is_active=False)

    assert coachee.client.get(reverse("people:org_chart"), {"person": gone.pk}).status_code == 404


def test_opened_org_chart_query_count_does_not_grow_with_depth(coach, django_assert_num_queries):
    top = PersonFactory()
    person = PersonFactory(manager=top)
    url = reverse("people:org_chart")
    coach.client.get(url, {"person": person.pk})
    with django_assert_num_queries(9) as one:
        coach.client.get(url, {"person": person.pk})
    deeper = person
    for _ in range(6):
        deeper = PersonFactory(manager=deeper)
        PersonFactory.create_batch(2, manager=deeper)
    with django_assert_num_queries(len(one.captured_queries)):
        coach.client.get(url, {"person": deeper.pk})


def test_directory_department_filter_includes_the_departments_under_it(coach):
    division = DepartmentFactory(name="Technology")
    engineering = DepartmentFactory(name="Engineering")
    engineering.parent = division
    engineering.save()
    platform = DepartmentFactory(name="Platform")
    platform.parent = engineering
    platform.save()
    PersonFactory(full_name="In Division", department=division)
    PersonFactory(full_name="In Platform", department=platform)
    PersonFactory(full_name="Elsewhere", department=DepartmentFactory(name="Sales"))

    response = coach.client.get(reverse("people:directory"), {"department": engineering.pk})
    whole = coach.client.get(reverse("people:directory"), {"department": division.pk})

    assert [p.full_name for p in response.context["page"].object_list] == ["In Platform"]
    assert [p.full_name for p in whole.context["page"].object_list] == [
        "In Division",
        "In Platform",
    ]
    options = [label for _, label in response.context["form"].fields["department"].widget.choices]
    assert options[options.index("Technology") : options.index("Technology") + 3] == [
        "Technology",
        "\u2003Engineering",
        "\u2003\u2003Platform",
    ]


def test_directory_unknown_department_matches_no_one(coach):
    response = coach.client.get(reverse("people:directory"), {"department": 999999})

    assert list(response.context["page"].object_list) == []
    assert b"No one matches this search." in response.content


def test_directory_keeps_the_valid_filters_when_one_is_invalid(coach):
    PersonFactory(full_name="Wanted Person", location="Oslo")
    PersonFactory(full_name="Other Person", location="Oslo")

    response = coach.client.get(reverse("people:directory"), {"q": "wanted", "department": "x"})

    assert response.context["form"].errors["department"] == ["Enter a whole number."]
    assert [p.full_name for p in response.context["page"].object_list] == ["Wanted Person"]


def test_members_cannot_filter_or_search_by_hr_fields(coach):
    PersonFactory(full_name="Senior One", level=9, employee_id="HR-42", email="senior@example.org")
    PersonFactory(full_name="Junior One", level=2)

    by_level = coach.client.get(reverse("people:directory"), {"level": 9})
    by_id = coach.client.get(reverse("people:directory"), {"q": "HR-42"})

    assert "level" not in by_level.context["form"].fields
    names = [p.full_name for p in by_level.context["page"].object_list]
    assert names == ["Cora Coach", "Junior One", "Senior One"]  # the level filter is ignored
    assert list(by_id.context["page"].object_list) == []
    assert b"Level 9" not in by_level.content


def test_admins_filter_by_level_and_find_by_employee_id(admin):
    PersonFactory(full_name="Senior One", level=9, employee_id="HR-42")
    PersonFactory(full_name="Junior One", level=2)

    by_level = admin.client.get(reverse("people:directory"), {"level": 9})
    by_id = admin.client.get(reverse("people:directory"), {"q": "hr-42"})

    assert [p.full_name for p in by_level.context["page"].object_list] == ["Senior One"]
    assert [p.full_name for p in by_id.context["page"].object_list] == ["Senior One"]


def test_members_do_not_see_managers_who_left_in_the_chain(coach, admin):
    ceo = PersonFactory(full_name="Chief Executive")
    gone = PersonFactory(full_name="Departed Manager", manager=ceo, is_active=False)
    person = PersonFactory(full_name="Team Member", manager=gone)
    url = reverse("people:person", args=[person.pk])

    member_chain = [p.full_name for p in coach.client.get(url).context["chain"]]
    admin_chain = [p.full_name for p in admin.client.get(url).context["chain"]]

    assert member_chain == ["Chief Executive"]
    assert admin_chain == ["Departed Manager", "Chief Executive"]


@pytest.mark.parametrize("member", ["coach", "admin"])
def test_someone_who_left_loses_access_whatever_their_roles(member, request):
    member = request.getfixturevalue(member)
    member.person.is_active = False
    member.person.save()
    colleague = PersonFactory()

    assert member.client.get(reverse("people:directory")).status_code == 403
    assert member.client.get(reverse("people:person", args=[colleague.pk])).status_code == 404


def test_admin_sends_the_invitation_again(admin, mailoutbox):
    person = PersonFactory(email="late@example.org")
    admin.client.post(reverse("people:person_account", args=[person.pk]), {"roles": ["coach"]})

    response = admin.client.post(reverse("people:person_invitation", args=[person.pk]), follow=True)

    assert [m.to for m in mailoutbox] == [["late@example.org"], ["late@example.org"]]
    assert "Invitation sent again to late@example.org." in response.content.decode()
    assert AuditEvent.objects.filter(action="accounts.invitation_send").count() == 2


def test_a_failed_invitation_email_is_reported_and_can_be_sent_again(admin, settings, mailoutbox):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    person = PersonFactory(full_name="Unlucky Invitee", email="unlucky@example.org")

    response = admin.client.post(
        reverse("people:person_account", args=[person.pk]), {"roles": ["coachee"]}, follow=True
    )

    person.refresh_from_db()
    assert person.user.email == "unlucky@example.org"
    assert list(person.user.role_grants.values_list("role", flat=True)) == ["coachee"]
    content = response.content.decode()
    assert (
        "The login for Unlucky Invitee is saved, but the invitation e-mail could not be sent"
        in content
    )
    assert "Send the invitation again" in content


@pytest.mark.parametrize("member", ["coach", "sponsor", "outsider"])
def test_only_admins_resend_invitations(member, request, mailoutbox):
    member = request.getfixturevalue(member)
    person = PersonFactory()

    response = member.client.post(reverse("people:person_invitation", args=[person.pk]))

    assert response.status_code == (404 if member.person is None else 403)
    assert mailoutbox == []


def test_granting_roles_again_switches_a_disabled_login_back_on(admin, coach):
    coach.user.is_active = False
    coach.user.save()

    admin.client.post(
        reverse("people:person_account", args=[coach.person.pk]), {"roles": ["coach"]}
    )

    coach.user.refresh_from_db()
    assert coach.user.is_active is True
    assert AuditEvent.objects.filter(action="accounts.user_reactivate").count() == 1


def test_org_chart_shows_a_limited_number_of_tops_and_says_so(coach, monkeypatch):
    monkeypatch.setattr("cadre.people.views.ORG_CHART_ROOTS_SHOWN", 3)
    PersonFactory.create_batch(4)

    response = coach.client.get(reverse("people:org_chart"))

    assert len(response.context["roots"]) == 3
    assert response.context["more_roots"] is True
    assert b"Only the first 3 people without a manager are shown." in response.content
