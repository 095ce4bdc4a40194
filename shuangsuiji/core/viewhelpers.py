"""The two things every writing view does, written once.

    result = service_call(request, lambda: services.plan_update(user=request.user, plan=plan, **form.cleaned_data),
                          form=form)
    if result.ok:
        messages.success(request, "已保存")
        return redirect(...)

`service_call` turns the service's ValidationError / PermissionDenied into the form's error (field errors
stay next to their field) or, without a form, into one `messages.error` line; anything else propagates.
An `EditConflict` (the record changed since the form was loaded, core/concurrency.py) also goes to
`form.set_conflict(exc)` when the form has it: the page renders again with the user's input kept, the other
version beside it and the new version in the hidden field (`core/_edit_conflict.html`), so the next save
goes through after the user merges.
`form_instance(obj)` is the object to bind a ModelForm to after a scoped fetch: a copy, so that
`form.is_valid()` does not change the object the service later snapshots as “before”.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError

from .concurrency import EditConflict


def error_text(exc) -> str:
    """A service error as one Chinese message line (ValidationError may carry several messages)."""
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@dataclass(frozen=True)
class ServiceResult:
    ok: bool
    value: Any = None
    error: Exception | None = None

    def __bool__(self) -> bool:
        return self.ok


def add_form_error(form, exc: Exception) -> None:
    """Field errors next to their field when the form has that field, everything else on top."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
        return
    form.add_error(None, error_text(exc) if isinstance(exc, PermissionDenied) else exc)


def service_call(request, call, *, form=None, prefix: str = "") -> ServiceResult:
    """Run `call()`; a refusal becomes a form error (or a message) and `ok=False`."""
    try:
        value = call()
    except (ValidationError, PermissionDenied) as exc:
        if form is not None:
            if isinstance(exc, EditConflict) and hasattr(form, "set_conflict"):
                form.set_conflict(exc)
            add_form_error(form, exc)
        else:
            messages.error(request, prefix + error_text(exc))
        return ServiceResult(False, error=exc)
    return ServiceResult(True, value)


def form_instance(obj):
    """A detached copy of a scoped-fetched model instance for a ModelForm (None stays None)."""
    return None if obj is None else copy.copy(obj)
