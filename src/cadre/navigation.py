"""Template context shared by every page: the navigation that fits the user's roles."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse

from cadre.accounts.models import Role
from cadre.accounts.queries import user_roles
from cadre.people.access import is_member


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    section: str


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": frozenset()}
    roles = user_roles(user)
    items = [NavItem("Home", reverse("home"), "home")]
    if is_member(user):
        items += [
            NavItem("People", reverse("people:directory"), "people"),
            NavItem("Org chart", reverse("people:org_chart"), "org"),
            NavItem("Competencies", reverse("people:competencies"), "competencies"),
            NavItem("My programmes", reverse("programs:my_enrolments"), "enrol"),
        ]
    if is_member(user) and roles & {Role.COACH, Role.COACHEE}:
        items += [
            NavItem("My coaching", reverse("coaching:my_relationships"), "coaching"),
            NavItem("My circles", reverse("coaching:circles"), "circles"),
            NavItem("My surveys", reverse("feedback:my_surveys"), "surveys"),
        ]
    if roles & {Role.PROGRAMME_ADMIN, Role.SPONSOR}:
        items.append(NavItem("Programmes", reverse("programs:programme_list"), "programmes"))
    if roles & {Role.PROGRAMME_ADMIN, Role.COACH}:
        items.append(NavItem("Training", reverse("enablement:training"), "training"))
    if Role.PROGRAMME_ADMIN in roles:
        items += [
            NavItem("Certification", reverse("enablement:certification_list"), "certification"),
            NavItem("Matching", reverse("matching:index"), "matching"),
            NavItem("Relationships", reverse("coaching:admin_relationships"), "coaching-admin"),
            NavItem("Circles", reverse("coaching:admin_circles"), "circles"),
            NavItem("Import", reverse("people:import_start"), "import"),
            NavItem("Audit log", reverse("audit_log"), "audit"),
        ]
    return {"nav_items": items, "user_roles": roles}
