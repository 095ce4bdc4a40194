"""Column-wise validation: a row form taken apart into its fields, each applied to a whole column.

A 100,000-row import through one ModelForm per row spends most of its time in the form machinery. The same checks
run here per column: for every form field, in the form's order, exactly the steps Django's form runs for one row
(`field.clean`, the `clean_<name>` hook, then the model field's own validation with the form's messages, as
`ModelForm._post_clean` does), then the form's cross-field `row_rules`. A value met before in the column costs a
dict lookup (区划、专业类别、状态、日期 repeat); plain text columns take a fast path that only ever says "valid"
and hands anything doubtful to the full path. So the messages are the row form's own, word for word
(`imports/tests/test_columns.py` compares both on every register).

A form can be taken apart when its only form-level `clean()` is the `row_rules` it declares (`RowRule`), and its
model has no `clean()` of its own; anything else runs row by row (`RowFormColumns.supports`).
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django import forms
from django.core import validators as core_validators
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseModelForm

MEMO_PROBE = 2000  # after this many values, a column whose values mostly differ stops remembering them
_FAST_FORM_VALIDATORS = (
    core_validators.MaxLengthValidator,
    core_validators.MinLengthValidator,
    core_validators.ProhibitNullCharactersValidator,
)


@dataclass(frozen=True)
class RowRule:
    """A cross-field check of a row form: `check(*cleaned values of fields)` returns "" or the message, reported
    under `target`. It runs when none of `fields` has an error (as `data.get(...)` in a form's clean())."""

    fields: tuple[str, ...]
    target: str
    check: Callable[..., str]


def apply_row_rules(form, rules: Iterable[RowRule]) -> None:
    """A row form's clean(): its rules, the one implementation the column engine also runs."""
    data = form.cleaned_data
    for rule in rules:
        if all(name in data for name in rule.fields):
            message = rule.check(*(data[name] for name in rule.fields))
            if message:
                form.add_error(rule.target, message)


def read_columns(rows: Iterable[tuple[int, list[str]]], mapping: dict[str, int]) -> tuple[list[int], dict[str, list]]:
    """(row numbers, {field: cell texts}) from (row number, cells) pairs, consumed once (a stream is fine)."""
    rownos: list[int] = []
    columns: dict[str, list] = {name: [] for name in mapping}
    pairs = [(columns[name].append, index, {}) for name, index in mapping.items()]
    for rowno, cells in rows:
        rownos.append(rowno)
        width = len(cells)
        for append, index, seen in pairs:
            value = cells[index] if index < width else ""
            if seen is not None:  # one str object per repeated value (区划、专业、状态…): the columns stay small
                value = seen.setdefault(value, value)
            append(value)
        if rowno == MEMO_PROBE:
            pairs = [(a, i, seen if seen is not None and len(seen) < MEMO_PROBE // 4 else None) for a, i, seen in pairs]
    return rownos, columns


class Rows(Sequence):
    """Payload rows kept as columns (a list of dicts costs ~1 KB a row); each row reads as a dict.

    The `present` column holds bit masks over `present_names` and reads as the list of names."""

    def __init__(self, columns: dict[str, list], present_names: Sequence[str] = ()):
        self.columns = columns
        self.fields = list(columns)
        self.present_names = list(present_names)
        self._count = len(next(iter(columns.values()))) if columns else 0
        self._decoded: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return self._count

    def _decode(self, mask: int) -> list[str]:
        """The names in a mask (one shared list per distinct mask: rows mostly fill the same columns)."""
        names = self._decoded.get(mask)
        if names is None:
            names = self._decoded[mask] = [name for bit, name in enumerate(self.present_names) if mask >> bit & 1]
        return names

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        row = {name: column[index] for name, column in self.columns.items()}
        if "present" in row and isinstance(row["present"], int):
            row["present"] = self._decode(row["present"])
        return row

    def __iter__(self):
        names = self.fields
        decode = "present" in self.columns and self.present_names
        for values in zip(*self.columns.values(), strict=True):
            row = dict(zip(names, values, strict=True))
            if decode and isinstance(row["present"], int):
                row["present"] = self._decode(row["present"])
            yield row

    def column(self, name: str) -> list:
        return self.columns[name]

    def pack(self) -> dict:
        """JSON for the batch: each column as its JSON text, zlib-compressed, base64. One JSON document of
        100,000 rows x 18 values costs ~120 MB of fragments to encode and ~35 MB of escaped text (x3 on its way
        into the database); compressed columns are ~5 MB, encoded one at a time."""
        return {
            "format": PACK_FORMAT,
            "columns": {name: _compress(values) for name, values in self.columns.items()},
            "present_names": self.present_names,
        }

    @classmethod
    def unpack(cls, packed: dict) -> Rows:
        columns = {}
        texts = packed.get("columns", {})
        for name in list(texts):
            values = _decompress(texts.pop(name))
            if values and isinstance(values[0], str):  # one str object per distinct short value again
                seen: dict[str, str] = {}
                values = [seen.setdefault(v, v) if len(v) < 12 else v for v in values]
            columns[name] = values
        return cls(columns, packed.get("present_names", ()))


PACK_FORMAT = "columns/zlib"


def _compress(values: list) -> str:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(text, 1)).decode("ascii")


def _decompress(text: str) -> list:
    return json.loads(zlib.decompress(base64.b64decode(text)))


class _FieldColumn:
    """One form field of the row form, applied to a column of inputs."""

    def __init__(self, form, name: str, order: int):
        self.name, self.order = name, order
        self.form = form
        self.field = form.fields[name]
        self.hook = getattr(form, f"clean_{name}", None)
        self.model_field = _model_field(form, name)
        self.memo: dict | None = {}
        self.fast_limit = self._fast_limit()
        self.fast_valid = self._fast_valid()

    def _fast_limit(self) -> int | None:
        """Max length of a plain text column that needs no full check when short enough (None: no fast path)."""
        field, model_field = self.field, self.model_field
        if type(field) is not forms.CharField or self.hook is not None or field.disabled:
            return None
        if not field.strip or field.empty_value != "" or not _plain_widget(field):
            return None
        if any(not isinstance(v, _FAST_FORM_VALIDATORS) for v in field.validators):
            return None
        limit = field.max_length or 10**9
        if field.min_length:
            return None
        if model_field is not None:
            if type(model_field) not in (models.CharField, models.TextField) or model_field.choices:
                return None
            if any(not isinstance(v, core_validators.MaxLengthValidator) for v in model_field.validators):
                return None
            if model_field.max_length:
                limit = min(limit, model_field.max_length)
        return limit

    def _fast_valid(self):
        """(test, max length) when the form field vouches for texts it returns as they are (`column_test()`: a test
        true only when `field.clean(text)` returns `text` itself, e.g. a normalised credit code with the right check
        character) and the model field checks no more than a length (and the validators the field covers)."""
        field, model_field = self.field, self.model_field
        make_test = getattr(field, "column_test", None)
        test = make_test() if make_test is not None else None
        if test is None or self.hook is not None or field.disabled:
            return None
        limit = 10**9
        if model_field is not None:
            if type(model_field) not in (models.CharField, models.TextField) or model_field.choices:
                return None
            covered = getattr(field, "covers_validators", ())
            for validator in model_field.validators:
                if validator in covered:
                    continue
                if type(validator) is not core_validators.MaxLengthValidator or type(validator.limit_value) is not int:
                    return None
                limit = min(limit, validator.limit_value)
            if model_field.max_length:
                limit = min(limit, model_field.max_length)
        return test, limit

    def _whole(self, values: list) -> list | None:
        """The cleaned column of a remembered field (区划、专业类别、状态、日期…) in a few passes over it when it has
        few distinct values and each is valid; None otherwise (then `run` goes value by value and says what is
        wrong where). The form's steps run once per distinct value, in the order the values first occur."""
        if not values:
            return None
        memo = self.memo
        if self.fast_limit is not None or self.fast_valid is not None or memo is None:
            return None
        try:
            distinct = dict.fromkeys(values)
        except TypeError:  # unhashable values: `run` reports them as it always did
            return None
        if len(memo) + len(distinct) >= MEMO_PROBE:
            return None
        for value in distinct:
            outcome = memo.get(value)
            if outcome is None:
                outcome = memo[value] = self._full(value)
            if outcome[0] >= 0:
                return None
            distinct[value] = outcome[1]
        return list(map(distinct.__getitem__, values))

    def run(self, values: list) -> tuple[list, dict[int, tuple[int, list[str]]]]:
        """(cleaned values, {position: (phase, messages)}); phase 0 = the form field, 2 = the model field."""
        whole = self._whole(values)
        if whole is not None:
            return whole, {}
        cleaned: list = [None] * len(values)
        problems: dict[int, tuple[int, list[str]]] = {}
        limit = self.fast_limit
        required = self.field.required
        memo = self.memo
        full = self._full
        valid, valid_limit = self.fast_valid or (None, 0)
        for position, value in enumerate(values):
            if limit is not None and type(value) is str:
                text = value.strip()
                if (text and len(text) <= limit and "\x00" not in text) or (not text and not required):
                    cleaned[position] = text
                    continue
            if valid is not None and type(value) is str and value and len(value) <= valid_limit and valid(value):
                cleaned[position] = value
                continue
            if memo is not None:
                outcome = memo.get(value)
                if outcome is None:
                    outcome = memo[value] = full(value)
                    if len(memo) == MEMO_PROBE and position < 2 * MEMO_PROBE:
                        memo = self.memo = None  # mostly distinct values: remembering them only costs memory
            else:
                outcome = full(value)
            phase, result = outcome
            if phase < 0:
                cleaned[position] = result
            elif phase == 0:
                problems[position] = (0, result)
            else:  # the model check failed: the form's cleaned value still reaches clean() (the rules)
                cleaned[position] = result[1]
                problems[position] = (2, result[0])
        return cleaned, problems

    def _model_clean(self, value) -> None:
        """model_field.clean(value): to_python, validate, run_validators, leaving out the validators the form
        field declares it has already run on this very value (`covers_validators`, e.g. the credit code check:
        a pure function, so it passes again)."""
        model_field = self.model_field
        skip = getattr(self.field, "covers_validators", ()) if self.hook is None else ()
        if not skip:
            model_field.clean(value, None)
            return
        value = model_field.to_python(value)
        model_field.validate(value, None)
        _run_model_validators(model_field, value, skip)

    def _full(self, value) -> tuple[int, object]:
        """The form's steps for one value: (-1, cleaned) or (phase, messages)."""
        field = self.field
        try:
            result = field.clean(field.initial if field.disabled else value)
            if self.hook is not None:
                self.form.cleaned_data = {self.name: result}
                result = self.hook()
        except ValidationError as error:
            return 0, error.messages
        model_field = self.model_field
        if model_field is None:
            return -1, result
        if not model_field.blank and not field.required and result in field.empty_values:
            return -1, result  # ModelForm leaves such a value out of model validation
        if model_field.blank and result in model_field.empty_values:
            return -1, result
        try:
            self._model_clean(result)
        except ValidationError as error:
            messages = field.error_messages
            for item in error.error_list:
                if item.code in messages:
                    item.message = messages[item.code]
            return 2, (ValidationError(error.error_list).messages, result)
        return -1, result


def _run_model_validators(model_field, value, skip) -> None:
    """Field.run_validators, leaving out the validators in `skip`."""
    if value in model_field.empty_values:
        return
    errors = []
    for validator in model_field.validators:
        if validator in skip:
            continue
        try:
            validator(value)
        except ValidationError as error:
            if hasattr(error, "code") and error.code in model_field.error_messages:
                error.message = model_field.error_messages[error.code]
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def _plain_widget(field) -> bool:
    return type(field.widget).value_from_datadict is forms.Widget.value_from_datadict


def _model_field(form, name: str):
    """The model field ModelForm._post_clean validates for form field `name` (None: not validated)."""
    if not isinstance(form, BaseModelForm):
        return None
    opts = form._meta
    if opts.fields and name not in opts.fields or opts.exclude and name in opts.exclude:
        return None
    if name in getattr(form, "lookup_fields", ()):
        return None
    try:
        model_field = opts.model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a form-only field
        return None
    if not model_field.concrete or model_field.many_to_many or not model_field.editable:
        return None
    if isinstance(model_field, (models.AutoField, models.ForeignKey)) or model_field.generated:
        return None
    return model_field


class RowFormColumns:
    """Validates a whole table with one row form's parts, column by column."""

    @staticmethod
    def supports(form) -> bool:
        cls = type(form)
        rules_clean = getattr(cls, "row_rules", None) is not None
        if cls.clean not in (forms.BaseForm.clean, BaseModelForm.clean) and not rules_clean:
            return False
        if cls._post_clean is not BaseModelForm._post_clean and cls._post_clean is not forms.BaseForm._post_clean:
            return False
        if cls._clean_fields is not forms.BaseForm._clean_fields or cls._clean_form is not forms.BaseForm._clean_form:
            return False
        if isinstance(form, BaseModelForm):
            model = form._meta.model
            if model.clean is not models.Model.clean:
                return False
            if cls.validate_unique is BaseModelForm.validate_unique:  # per-row database checks: row by row
                return False
            if any(not isinstance(form.fields[n], forms.Field) for n in form.fields):
                return False
            lookups = getattr(form, "lookup_fields", ())
            for name in form.fields:  # a relation the form would look up in the database itself
                try:
                    field = model._meta.get_field(name)
                except Exception:  # noqa: BLE001 - a form-only field
                    continue
                if field.is_relation and not field.many_to_many and name not in lookups and name in form._meta.fields:
                    return False
        return all(_plain_widget(field) for field in form.fields.values())

    def __init__(self, form):
        self.form = form
        self.names = list(form.fields)
        self.columns = [_FieldColumn(form, name, order) for order, name in enumerate(self.names)]
        self.rules: tuple[RowRule, ...] = tuple(getattr(form, "row_rules", ()) or ())
        model = form._meta.model if isinstance(form, BaseModelForm) else None
        order = {f.name: i for i, f in enumerate(model._meta.fields)} if model else {}
        self.model_order = {c.name: order.get(c.name, 0) for c in self.columns}

    def clean(
        self, inputs: dict[str, list], live: list[int], rownos: list[int], errors: dict, headers: dict[str, str]
    ) -> tuple[list[int], dict[str, list]]:
        """Validate the live rows (inputs[name][j] is live row j's value); record errors per row index in `errors`
        (as the row form orders them: fields, then rules, then model checks) and return (valid row indexes,
        {field: cleaned values of the valid rows})."""
        cleaned: dict[str, list] = {}
        failed: dict[int, list[tuple]] = {}  # live position -> [(phase, order, name, messages)]
        for column in self.columns:
            values, problems = column.run(inputs[column.name])
            cleaned[column.name] = values
            for position, (phase, messages) in problems.items():
                order = column.order if phase == 0 else self.model_order[column.name]
                failed.setdefault(position, []).append((phase, order, column.name, messages))
        for rule in self.rules:
            sources = [cleaned[name] for name in rule.fields]
            target = cleaned[rule.target]
            memo: dict = {}
            for position, values in enumerate(zip(*sources, strict=True)):
                bad = failed.get(position)
                if bad is not None and any(name in rule.fields and phase == 0 for phase, _, name, _ in bad):
                    continue
                try:
                    message = memo.get(values)
                    if message is None:
                        message = memo[values] = rule.check(*values)
                except TypeError:  # unhashable values
                    message = rule.check(*values)
                if message:
                    entry = (1, 0, rule.target, [message])
                    bad = failed.setdefault(position, [])
                    # the rule's error excludes the target from the model checks (ModelForm's exclusions)
                    bad[:] = [b for b in bad if not (b[0] == 2 and b[2] == rule.target)] + [entry]
                    target[position] = None
        valid_positions = [p for p in range(len(live)) if p not in failed]
        for position, bad in failed.items():
            bad.sort(key=lambda b: (b[0], b[1]))
            rowno = rownos[live[position]]
            errors[live[position]] = [
                [rowno, headers.get(name, ""), "；".join(messages)] for _, _, name, messages in bad
            ]
        if failed:
            cleaned = {name: [values[p] for p in valid_positions] for name, values in cleaned.items()}
        return [live[p] for p in valid_positions], cleaned
