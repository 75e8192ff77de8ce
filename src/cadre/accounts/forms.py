from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.contenttypes.models import ContentType

from cadre.accounts.models import Role


class EmailAuthenticationForm(AuthenticationForm):
    """Log in with an e-mail address and a password."""

    username = forms.EmailField(
        label="E-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That e-mail and password don't match an active account. "
        "Check both, or reset your password.",
    }


class PasswordResetRequestForm(PasswordResetForm):
    """Also reaches invited people who have not set a password yet."""

    def get_users(self, email: str) -> Iterator[Any]:
        return iter(get_user_model()._default_manager.filter(email__iexact=email, is_active=True))


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Actor e-mail contains", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    target_type = forms.ModelChoiceField(
        label="Object type",
        queryset=ContentType.objects.none(),
        required=False,
        empty_label="Any type",
    )
    target_id = forms.CharField(label="Object id", required=False, max_length=64)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action_field = self.fields["action"]
        assert isinstance(action_field, forms.ChoiceField)
        action_field.choices = [("", "Any action"), *((name, name) for name in actions)]
        target_field = self.fields["target_type"]
        assert isinstance(target_field, forms.ModelChoiceField)
        target_field.queryset = ContentType.objects.filter(
            app_label__in=["accounts", "people"]
        ).order_by("app_label", "model")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "'To' must be on or after 'From'.")
        return data


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def selected_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}
