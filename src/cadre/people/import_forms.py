"""Forms of the HRIS import pages: the upload, the column mapping and the saved-mapping choice."""

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from cadre.people.importing import FIELDS, ColumnMapping, ImportField, mapping_problems
from cadre.people.models import ImportMapping

ACCEPTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="HRIS export",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"A CSV or Excel (.xlsx) file of up to {_megabytes(settings.HRIS_IMPORT_MAX_BYTES)}, "
            "with the column names in its first row."
        )

    def clean_file(self) -> "UploadedFile[Any]":
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        limit = settings.HRIS_IMPORT_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                f"The file is {_megabytes(upload.size)}; the limit is {_megabytes(limit)}."
            )
        if PurePath(upload.name or "").suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError("Upload a CSV (.csv, .tsv, .txt) or Excel (.xlsx) file.")
        return upload


class SavedMappingChoiceForm(forms.Form):
    mapping = forms.ModelChoiceField(
        label="Start from a saved mapping",
        queryset=ImportMapping.objects.none(),
        required=False,
        empty_label="None: suggest from the column names",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mapping"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ImportMapping.objects.order_by("name")

    def chosen(self) -> ImportMapping | None:
        if not self.is_bound or not self.is_valid():
            return None
        chosen: ImportMapping | None = self.cleaned_data["mapping"]
        return chosen


class ColumnMappingForm(forms.Form):
    """One select per Cadre field listing the file's headers, a default for each field that
    may have one, and the import's options."""

    full_sync = forms.BooleanField(
        label="Full sync: deactivate active people who are not in this file",
        required=False,
    )
    skip_invalid = forms.BooleanField(
        label="Import the valid rows and skip the invalid ones (they are reported)",
        required=False,
    )
    save_as = forms.CharField(
        label="Save this mapping as",
        required=False,
        max_length=100,
        help_text="A name to reuse it with the next export, such as “Workday monthly”. "
        "Leave empty not to save it.",
    )

    def __init__(
        self,
        data: Any = None,
        *,
        headers: Sequence[str],
        mapping: ColumnMapping,
        full_sync: bool,
        skip_invalid: bool,
    ) -> None:
        super().__init__(data, initial={"full_sync": full_sync, "skip_invalid": skip_invalid})
        self.headers = [header for header in headers if header]
        choices = [("", "— not in the file —"), *((header, header) for header in self.headers)]
        for spec in FIELDS:
            initial = mapping.columns.get(spec.name, "")
            self.fields[f"column_{spec.name}"] = forms.ChoiceField(
                label=spec.label,
                choices=choices,
                required=False,
                initial=initial if initial in self.headers else "",
                help_text=spec.help_text,
            )
            if spec.allows_default:
                self.fields[f"default_{spec.name}"] = forms.CharField(
                    label=f"Default for {spec.label.lower()}",
                    required=False,
                    max_length=200,
                    initial=mapping.defaults.get(spec.name, ""),
                )
        # The options come after the fields.
        self.order_fields(
            [name for name in self.fields if name.startswith(("column_", "default_"))]
        )

    def field_rows(self) -> list[tuple[ImportField, forms.BoundField, forms.BoundField | None]]:
        """Each Cadre field with its column select and its default input, for the table."""
        return [
            (
                spec,
                self[f"column_{spec.name}"],
                self[f"default_{spec.name}"] if spec.allows_default else None,
            )
            for spec in FIELDS
        ]

    def option_fields(self) -> list[forms.BoundField]:
        return [self["full_sync"], self["skip_invalid"], self["save_as"]]

    def mapping(self) -> ColumnMapping:
        data = self.cleaned_data
        return ColumnMapping(
            columns={
                spec.name: data[f"column_{spec.name}"]
                for spec in FIELDS
                if data.get(f"column_{spec.name}")
            },
            defaults={
                spec.name: data[f"default_{spec.name}"].strip()
                for spec in FIELDS
                if spec.allows_default and data.get(f"default_{spec.name}", "").strip()
            },
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        for problem in mapping_problems(headers=self.headers, mapping=self.mapping()):
            name = f"{problem.part}_{problem.field}" if problem.field else None
            self.add_error(name if name in self.fields else None, problem.message)
        return cleaned
