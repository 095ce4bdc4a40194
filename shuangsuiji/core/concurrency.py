"""Optimistic locking for edit forms and API updates: a save based on an older version is refused, never lost.

One mechanism for every editable record:

* `Versioned` (abstract model) adds `lock_version`, a counter that every `save()` of an existing row raises by one.
  (`version` is taken: items, plans and results use it for their published/corrected editions.)
* An edit form carries the version it was loaded at (`VersionedFormMixin`, hidden field `lock_version`); an API
  update carries it in `If-Match` (the detail `ETag`) or in the payload's `lock_version`.
* The service locks the row (`lock_for_edit`: `select_for_update`) and compares. A stale version raises
  `EditConflict` (a `ValidationError`) naming who changed the record and when, from the audit trail:
  “该记录已被 刘志强 于 2026年11月27日 10:32 修改”.
* `core.viewhelpers.service_call` hands the conflict to the form (`form.set_conflict`): the page is rendered again
  with what the user typed, the other version beside it field by field (template `core/_edit_conflict.html`) and
  the form's `lock_version` moved to the current one, so the next save (after merging) goes through.
  `core.api.concurrency` answers the API with 409 and the current record.

A service takes `expected_version=None` (keyword): None means “no check” (the demo, commands, workflow steps that
do not edit content); every form and every API update passes a number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models

from .formats import local_date, local_datetime
from .models import ObjectChange

VERSION_FIELD = "lock_version"
EMPTY = "（空）"


class Versioned(models.Model):
    """Adds the edit counter; every save of an existing row raises it (also with `update_fields`)."""

    lock_version = models.PositiveIntegerField(
        "修改版本号", default=0, editable=False, help_text="每次保存 +1，用于发现两人同时修改同一记录"
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and not self._state.adding and (update_fields is None or list(update_fields)):
            self.lock_version = (self.lock_version or 0) + 1
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, VERSION_FIELD}
        super().save(*args, **kwargs)


def time_text(value: dt.datetime | None) -> str:
    """`2026年11月27日 10:32` in the site's time zone (Beijing)."""
    return local_datetime(value) if value else ""


@dataclass(frozen=True)
class LastChange:
    user_name: str
    time: dt.datetime | None


def _audit_rows(obj):
    return ObjectChange.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def last_change(obj) -> LastChange:
    """Who saved the record's current version, and when: the audit row whose snapshot holds that version
    (else the latest create/update/workflow row of the record; else `updated_at`)."""
    rows = _audit_rows(obj)
    row = (
        rows.filter(**{f"postchange_data__{VERSION_FIELD}": obj.lock_version}).order_by("-id").first()
        or rows.filter(
            action__in=[ObjectChange.Action.CREATE, ObjectChange.Action.UPDATE, ObjectChange.Action.WORKFLOW]
        )
        .order_by("-id")
        .first()
    )
    if row is None:
        return LastChange("其他用户", getattr(obj, "updated_at", None))
    name = row.user_name or "系统"
    if row.user_id is not None:
        person = get_user_model().objects.filter(pk=row.user_id).first()
        name = str(person) if person is not None else name
    return LastChange(name, row.time)


def base_snapshot(obj, version: int | None) -> dict | None:
    """The record as it was at `version` (the audit snapshot that holds it), or None when unknown."""
    if version is None:
        return None
    return (
        _audit_rows(obj)
        .filter(**{f"postchange_data__{VERSION_FIELD}": version})
        .order_by("-id")
        .values_list("postchange_data", flat=True)
        .first()
    )


IGNORED_KEYS = {VERSION_FIELD, "updated_at"}


def conflict_message(change: LastChange) -> str:
    when = f" 于 {time_text(change.time)}" if change.time else ""
    return f"该记录已被 {change.user_name}{when} 修改"


class EditConflict(ValidationError):
    """The record changed since the user loaded it. Carries the current record, who changed it and when."""

    def __init__(self, current, *, expected_version: int | None = None):
        self.current = current
        self.current_version = current.lock_version
        self.expected_version = expected_version
        self.change = last_change(current)
        self.base = base_snapshot(current, expected_version)
        super().__init__(conflict_message(self.change), code="edit_conflict")

    @cached_property
    def their_changes(self) -> set[str] | None:
        """Snapshot keys (attnames, many-to-many names) the others changed since the user's version; None = unknown."""
        if self.base is None:
            return None
        from .audit import snapshot  # lazily: app models import this module while the registry loads

        now = snapshot(self.current)
        return {k for k in now if k in self.base and now[k] != self.base[k]} - IGNORED_KEYS

    @property
    def changed_by(self) -> str:
        return self.change.user_name

    @property
    def changed_at(self) -> dt.datetime | None:
        return self.change.time


def parse_version(value) -> int | None:
    """A submitted version (form, payload or If-Match tag): int, or None when absent. Garbage is a 4xx."""
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip().removeprefix("W/").strip('"').removeprefix("v"))
    except ValueError:
        raise ValidationError({VERSION_FIELD: "版本号无效，请重新打开页面后再修改"}) from None
    if number < 0:
        raise ValidationError({VERSION_FIELD: "版本号无效，请重新打开页面后再修改"})
    return number


def check_version(current, expected_version) -> None:
    """Raise EditConflict when `expected_version` (None = no check) is not the row's current version."""
    expected = parse_version(expected_version)
    if expected is not None and expected != current.lock_version:
        raise EditConflict(current, expected_version=expected)


def lock_for_edit(obj, expected_version=None, *, queryset=None):
    """Inside the service's transaction: lock the row, compare versions, return the fresh locked instance."""
    base = queryset if queryset is not None else type(obj)._default_manager.all()
    current = base.select_for_update(of=("self",)).get(pk=obj.pk)  # only this row (a joined region row deadlocked)
    check_version(current, expected_version)
    return current


# --- forms --------------------------------------------------------------------------------------------


@dataclass
class ConflictRow:
    label: str
    theirs: str
    yours: str
    note: str = ""  # 对方修改了此项 / 仅您修改了此项 (when the user's version is in the audit trail)

    @property
    def differs(self) -> bool:
        return self.theirs != self.yours


@dataclass
class ConflictView:
    """What the conflict panel shows: the message, rows that differ, and notes (e.g. signatures)."""

    message: str
    changed_by: str
    changed_at: str
    rows: list[ConflictRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    same_count: int = 0

    @property
    def has_notes(self) -> bool:
        return any(row.note for row in self.rows)


def display_value(form_field, value) -> str:
    """A form value as the page would show it (choices by label, records by name, dates in Chinese)."""
    if value is None or value == "" or (isinstance(value, (list, tuple, set, models.QuerySet)) and not list(value)):
        return EMPTY
    if isinstance(form_field, forms.ModelMultipleChoiceField) or isinstance(value, models.QuerySet):
        return "、".join(sorted(str(v) for v in value))
    if isinstance(form_field, forms.ModelChoiceField):
        if not isinstance(value, models.Model):
            value = form_field.queryset.filter(pk=value).first() or value
        return str(value)
    if isinstance(form_field, forms.BooleanField):
        return "是" if value else "否"
    if isinstance(form_field, forms.ChoiceField):
        labels = {str(k): str(v) for k, v in form_field.choices if not isinstance(v, (list, tuple))}
        if isinstance(value, (list, tuple, set)):
            return "、".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, dt.datetime):
        return time_text(value)
    if isinstance(value, dt.date):
        return local_date(value)
    if isinstance(value, Decimal):  # 5, 5.0 and 5.00 are one number
        return format(value.normalize(), "f")
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    return str(value).strip()


class VersionedFormMixin:
    """A hidden `lock_version` field; `expected_version` after validation; `set_conflict(exc)` for the page.

    Put it first in the bases: `class UnitForm(VersionedFormMixin, forms.ModelForm)`. A ModelForm takes the
    initial version from its instance; a plain form gets `initial={"lock_version": obj.lock_version}`.
    `lock_version` never reaches `cleaned_data` (services get it as `expected_version=`)."""

    conflict: ConflictView | None = None
    expected_version: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        initial = self.initial.get(VERSION_FIELD)
        if initial is None and instance is not None and instance.pk is not None:
            initial = instance.lock_version
        self.fields[VERSION_FIELD] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=0, initial=initial
        )

    def full_clean(self):
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is not None:
            self.expected_version = cleaned.pop(VERSION_FIELD, None)

    def current_values(self, current) -> dict:
        """The current record as this form's values (override for fields that are not model attributes)."""
        values = {}
        m2m = {f.name for f in current._meta.many_to_many}
        for name in self.fields:
            if name in m2m:
                values[name] = list(getattr(current, name).all())
            elif hasattr(current, name):
                values[name] = getattr(current, name)
        return values

    def conflict_rows(self, current, changed: set[str] | None = None) -> tuple[list[ConflictRow], int]:
        theirs = self.current_values(current)
        rows, same = [], 0
        keys = {}
        for f in current._meta.get_fields():
            if getattr(f, "concrete", False) or f.many_to_many:
                keys[f.name] = getattr(f, "attname", f.name) if not f.many_to_many else f.name
        for name, form_field in self.fields.items():
            if name == VERSION_FIELD or name not in theirs or isinstance(form_field.widget, forms.HiddenInput):
                continue
            yours = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else self.data.get(name)
            if form_field.disabled:
                yours = theirs[name]
            row = ConflictRow(str(form_field.label or name), display_value(form_field, theirs[name]),
                              display_value(form_field, yours))  # fmt: skip
            if changed is not None and name in keys:
                row.note = "对方修改了此项" if keys[name] in changed else "仅您修改了此项"
            if row.differs:
                rows.append(row)
            else:
                same += 1
        return rows, same

    def set_conflict(self, exc: EditConflict, *, extra_rows=(), notes=()) -> None:
        """Keep the user's input, move the hidden version to the current one, and describe the other version."""
        rows, same = self.conflict_rows(exc.current, exc.their_changes)
        rows += list(extra_rows)
        self.conflict = ConflictView(
            message=exc.messages[0], changed_by=exc.changed_by, changed_at=time_text(exc.changed_at),
            rows=rows, notes=list(notes), same_count=same,
        )  # fmt: skip
        if self.is_bound:
            data = self.data.copy()
            data[self.add_prefix(VERSION_FIELD)] = str(exc.current_version)
            self.data = data
            # bound fields are cached with the old data
            self._bound_fields_cache.pop(VERSION_FIELD, None)
        self.initial[VERSION_FIELD] = exc.current_version
