"""Request and response shapes of the JSON API.

Choices are the models' own ``TextChoices``, so the OpenAPI document lists the same values
the database accepts. Request bodies refuse unknown fields (422).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from ninja import Field, Schema
from pydantic import ConfigDict

from cadre.accounts.models import Role
from cadre.enablement.queries import CertificationState, CoachStatus
from cadre.people.models import Person
from cadre.programs.models import (
    CrossDepartment,
    Enrolment,
    EnrolmentRole,
    EnrolmentRoute,
    EnrolmentStatus,
    ObjectiveMetric,
    Programme,
    ProgrammeObjective,
    ProgrammeStatus,
    ProgrammeTransition,
    TargetComparison,
)
from cadre.programs.queries import locked_fields
from cadre.programs.services import allowed_transitions

# Errors


class ErrorItem(Schema):
    loc: list[str | int] = Field(
        description='Where the problem is: ["body", "name"], ["query", "status"] or ["body"].'
    )
    msg: str
    type: str


class ValidationErrorOut(Schema):
    """400 (refused by a business rule) and 422 (malformed request): one item per problem."""

    detail: list[ErrorItem]


class MessageOut(Schema):
    """401, 403 and 404: what went wrong, in words."""

    detail: str


# Shared references


class PersonRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Person) -> str:
        return obj.display_name


# Programmes


class ProgrammeSummaryOut(Schema):
    id: int
    name: str
    status: ProgrammeStatus
    starts_on: date
    ends_on: date
    enrolment_opens_on: date | None
    enrolment_closes_on: date | None
    sponsor: PersonRef | None
    formats: list[str]
    objective_count: int


class ObjectiveOut(Schema):
    id: int
    description: str
    metric: ObjectiveMetric
    comparison: TargetComparison
    target: Decimal | None
    unit: str
    due_on: date | None


class TransitionOut(Schema):
    id: int
    from_status: ProgrammeStatus
    to_status: ProgrammeStatus
    at: datetime
    note: str
    by: str | None

    @staticmethod
    def resolve_by(obj: ProgrammeTransition) -> str | None:
        return str(obj.by) if obj.by is not None else None


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    status: ProgrammeStatus
    sponsor: PersonRef | None
    offers_one_on_one: bool
    offers_group_circles: bool
    offers_development_track: bool
    starts_on: date
    ends_on: date
    relationship_months: int
    session_cadence_days: int
    minimum_sessions: int
    enrolment_opens_on: date | None
    enrolment_closes_on: date | None
    min_level: int | None
    max_level: int | None
    eligible_departments: list[int]
    min_tenure_months: int
    default_coach_capacity: int
    cross_department: CrossDepartment
    min_level_gap: int
    time_zone_window_hours: int
    objectives: list[ObjectiveOut]
    responsibilities: dict[str, str]
    transitions: list[TransitionOut]
    locked_fields: list[str] = Field(description="Fields that can't change in this status.")
    allowed_transitions: list[ProgrammeStatus]

    @staticmethod
    def resolve_eligible_departments(obj: Programme) -> list[int]:
        return [department.pk for department in obj.eligible_departments.all()]

    @staticmethod
    def resolve_objectives(obj: Programme) -> list[ProgrammeObjective]:
        return list(obj.objectives.all())

    @staticmethod
    def resolve_responsibilities(obj: Programme) -> dict[str, str]:
        return {row.role: row.text for row in obj.responsibilities.all()}

    @staticmethod
    def resolve_transitions(obj: Programme) -> list[ProgrammeTransition]:
        return list(obj.transitions.all())

    @staticmethod
    def resolve_locked_fields(obj: Programme) -> list[str]:
        return list(locked_fields(obj))

    @staticmethod
    def resolve_allowed_transitions(obj: Programme) -> list[str]:
        return allowed_transitions(obj)


class ObjectiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    description: str
    metric: ObjectiveMetric
    comparison: TargetComparison = TargetComparison.AT_LEAST
    target: Decimal | None = None
    unit: str = ""
    due_on: date | None = None
    position: int = 0


class ProgrammeCreateIn(Schema):
    """A new programme, created as a draft. Ranges and cross-field rules are the model's."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    sponsor: int | None = Field(None, description="A person whose login holds the sponsor role.")
    offers_one_on_one: bool = True
    offers_group_circles: bool = False
    offers_development_track: bool = False
    starts_on: date
    ends_on: date
    relationship_months: int = 6
    session_cadence_days: int = 14
    minimum_sessions: int = 6
    enrolment_opens_on: date | None = None
    enrolment_closes_on: date | None = None
    min_level: int | None = None
    max_level: int | None = None
    eligible_departments: list[int] = Field(default_factory=list)
    min_tenure_months: int = 0
    default_coach_capacity: int = 2
    cross_department: CrossDepartment = CrossDepartment.PREFERRED
    min_level_gap: int = 1
    time_zone_window_hours: int = 4
    responsibilities: dict[Role, str] | None = Field(
        None, description="Text per role, one responsibility a line; defaults otherwise."
    )
    objectives: list[ObjectiveIn] = Field(default_factory=list)


class ProgrammeUpdateIn(Schema):
    """The fields to change; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    sponsor: int | None = None
    offers_one_on_one: bool | None = None
    offers_group_circles: bool | None = None
    offers_development_track: bool | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    relationship_months: int | None = None
    session_cadence_days: int | None = None
    minimum_sessions: int | None = None
    enrolment_opens_on: date | None = None
    enrolment_closes_on: date | None = None
    min_level: int | None = None
    max_level: int | None = None
    eligible_departments: list[int] | None = None
    min_tenure_months: int | None = None
    default_coach_capacity: int | None = None
    cross_department: CrossDepartment | None = None
    min_level_gap: int | None = None
    time_zone_window_hours: int | None = None
    responsibilities: dict[Role, str] | None = None


class TransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to_status: ProgrammeStatus
    note: str = Field("", max_length=2000, description="Needed to close before the end date.")


# Enrolments


class EnrolmentOut(Schema):
    id: int
    programme: int = Field(validation_alias="programme_id")
    person: PersonRef
    role: EnrolmentRole
    route: EnrolmentRoute
    status: EnrolmentStatus
    answers: dict[str, str] = Field(description="Answers by application question id.")
    consent_at: datetime | None
    created_at: datetime
    decided_at: datetime | None


class MyEnrolmentOut(Schema):
    id: int
    programme: int = Field(validation_alias="programme_id")
    programme_name: str
    role: EnrolmentRole
    route: EnrolmentRoute
    status: EnrolmentStatus
    consent_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_programme_name(obj: Enrolment) -> str:
        return obj.programme.name


class ApplicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    role: EnrolmentRole
    answers: dict[int, str] = Field(
        default_factory=dict, description="Answers by application question id."
    )
    consent: bool = Field(description="Agreement to the programme's terms; required to apply.")


class Decision(StrEnum):
    APPROVED = EnrolmentStatus.APPROVED.value
    WAITLISTED = EnrolmentStatus.WAITLISTED.value
    DECLINED = EnrolmentStatus.DECLINED.value


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    enrolment_ids: list[int] = Field(min_length=1)


# Certification


class CertificationStateName(StrEnum):
    CERTIFIED = CertificationState.CERTIFIED
    EXPIRED = CertificationState.EXPIRED
    IN_PROGRESS = CertificationState.IN_PROGRESS
    NOT_STARTED = CertificationState.NOT_STARTED


class ModuleRef(Schema):
    slug: str
    title: str


class CoachStatusOut(Schema):
    person: PersonRef
    state: CertificationStateName
    certified_on: date | None
    expires_on: date | None
    renewal_due: bool
    modules_missing: list[ModuleRef]
    sign_off_missing: bool
    lacks: list[str] = Field(description="What the coach still needs, in words.")

    @staticmethod
    def resolve_certified_on(obj: CoachStatus) -> date | None:
        return obj.certification.certified_on if obj.certification else None

    @staticmethod
    def resolve_expires_on(obj: CoachStatus) -> date | None:
        return obj.certification.expires_on if obj.certification else None
