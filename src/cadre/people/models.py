"""The organisation: departments, people and their reporting lines, and the competency model."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Department(models.Model):
    """A department or function. Departments form a tree through ``parent``."""

    name = models.CharField(max_length=150)
    code = models.CharField(max_length=50, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="people_department_name_ci_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=~models.Q(code=""),
                name="people_department_code_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="people_department_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """Someone in the organisation, imported from the HRIS or entered by an admin.

    People are deactivated, never deleted, when they leave: coaching history refers to them.
    """

    employee_id = models.CharField("employee id", max_length=64, unique=True)
    full_name = models.CharField(max_length=200)
    preferred_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField("e-mail", max_length=254, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    job_title = models.CharField(max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="Grade: a larger number is more senior.",
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    location = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField("time zone", max_length=64, default="UTC")
    languages = models.JSONField(
        default=list, blank=True, help_text="Language codes such as en, fr, pt-BR."
    )
    hire_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField("active", default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["full_name", "employee_id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="people_person_email_ci_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("pk")), name="people_person_not_own_manager"
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level__gte=1, level__lte=99),
                name="people_person_level_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(employee_id=""), name="people_person_employee_id_not_empty"
            ),
            models.CheckConstraint(
                condition=~models.Q(full_name=""), name="people_person_full_name_not_empty"
            ),
        ]
        indexes = [
            models.Index(Lower("full_name"), name="people_person_name_ci_idx"),
            models.Index(fields=["is_active", "department"], name="people_person_active_dept_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name people use: preferred first name with the family name, when given."""
        return self.preferred_name or self.full_name


class Competency(models.Model):
    """One leadership competency, rated on a 1–5 behavioural scale."""

    name = models.CharField(max_length=100)
    description = models.TextField()
    level_1 = models.TextField("what a 1 looks like")
    level_3 = models.TextField("what a 3 looks like")
    level_5 = models.TextField("what a 5 looks like")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("in use", default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="people_competency_name_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportMapping(models.Model):
    """A saved column mapping for HRIS exports: Cadre field -> the export's column header."""

    name = models.CharField(max_length=100, unique=True)
    columns = models.JSONField(default=dict, help_text="Cadre field name to column header.")
    defaults = models.JSONField(
        default=dict, blank=True, help_text="Cadre field name to a value used when a cell is empty."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One HRIS import: the uploaded file, the options chosen, its progress and its outcome."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded"
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # Emptied when the run finishes or is abandoned: the file is deleted, the outcome kept.
    file = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(max_length=255)
    columns = models.JSONField(default=dict, blank=True)
    defaults = models.JSONField(default=dict, blank=True)
    full_sync = models.BooleanField(
        default=False, help_text="Deactivate active people who are missing from the file."
    )
    skip_invalid = models.BooleanField(
        default=False, help_text="Import the valid rows and report the invalid ones."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    headers = models.JSONField(
        default=list, blank=True, help_text="The file's column names, read at upload."
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    progress_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker last reported progress on the run."
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"
