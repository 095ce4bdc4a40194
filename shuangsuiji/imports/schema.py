"""Row schemas and the read-only half of an import: match headers, validate every row, plan the changes.

A register contributes an `Importer` subclass: its `columns` (中文表头 ↔ field), `form_class` (the row form: the
same validation as the UI form; it must accept `ctx=` and offer `rebind(data)`), its natural key, and how an
existing record reads (`load_existing`, `existing_values`, `current`, `display`). `Importer.validate(table)`
collects every error as (Excel row, column header, Chinese message) and returns JSON-able payload rows;
`Importer.plan(payload)` compares them with the database *now* (it runs again at commit time) and says per row:
create / update / close / unchanged, with old→new values. Writes are the register's writer, run by
`imports.services`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import repeat
from operator import mul, ne

from django.core.exceptions import ValidationError
from django.db.models import Model

from .choices import ImportMode
from .columns import RowFormColumns, Rows, read_columns
from .spreadsheets import SpreadsheetError, Table

CHUNK = 2000
MAX_WARNINGS = 500
# The only thing an import or sync says about a record in another region (issue #11): no name, code or region.
OTHER_REGION_MESSAGE = "该信用代码/证号已在其他辖区登记，请联系上级管理员"


NO_CHANGES = ()  # one shared empty tuple for the 100,000 entries of a first import (not a list each)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""
    choices: tuple[str, ...] = ()  # dropdown values in the template
    width: int = 16
    importable: bool = True  # False: export-only column, ignored on import


def normalise_header(text: str) -> str:
    text = (text or "").strip().replace(" ", "").replace("\u3000", "")
    for mark in ("（必填）", "(必填)", "*", "＊"):
        text = text.replace(mark, "")
    return text.replace("(", "（").replace(")", "）")


def match_headers(
    headers: list[str], columns, *, only_required: str | tuple[str, ...] | None = None
) -> tuple[dict[str, int], list[str]]:
    """{field: column index}; raises SpreadsheetError naming every problem with the header row.

    `only_required` (update mode): only those key columns must be present (a str is one field; an
    empty value, as before, means all required columns); a new record in an update file still needs
    its required cells, which the row form checks.
    """
    if isinstance(only_required, str):
        only_required = (only_required,) if only_required else None
    lookup = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup[normalise_header(name)] = column
    mapping: dict[str, int] = {}
    warnings, problems = [], []
    for index, header in enumerate(headers):
        if not header:
            continue
        column = lookup.get(normalise_header(header))
        if column is None:
            warnings.append(f"忽略无法识别的列：{header}")
        elif not column.importable:
            continue
        elif column.field in mapping:
            problems.append(f"表头重复：“{header}”与第{mapping[column.field] + 1}列重复")
        else:
            mapping[column.field] = index
    if not mapping:
        example = "、".join(c.header for c in columns if c.required)
        raise SpreadsheetError(f"表头无法识别：第1行应为导入模板的表头（如 {example}），请下载导入模板填写")
    required = [c for c in columns if c.required and (only_required is None or c.field in only_required)]
    missing = [c.header for c in required if c.field not in mapping]
    if missing:
        problems.append(f"缺少必填列：{'、'.join(missing)}")
    if problems:
        raise SpreadsheetError("；".join(problems))
    return mapping, warnings


def iso(value) -> str:
    """A date as YYYY-MM-DD (payload rows are JSON)."""
    return value.isoformat() if isinstance(value, dt.date) else (value or "")


@dataclass
class Validation:
    payload: list[dict] = field(default_factory=list)
    errors: list[list] = field(default_factory=list)  # [row, header, message]
    warnings: list[str] = field(default_factory=list)
    rows_total: int = 0


class Importer:
    kind: str
    columns: tuple[Column, ...]
    key_field: str  # payload field holding the natural key (a column field too, unless row_key is overridden)
    update_required: tuple[str, ...] | None = None  # columns an update file must have; None: (key_field,)
    form_class = None
    model: type[Model]
    compare_fields: tuple[str, ...] = ()

    def __init__(self, *, user, mode: str):
        self.user = user
        self.mode = mode
        self.ctx = self.lookup_context(user)
        self.headers = {c.field: c.header for c in self.columns}

    # --- per-kind hooks ---
    def lookup_context(self, user):
        """Natural-key lookups loaded once per import and handed to the row form as `ctx=`."""
        return None

    def norm_key(self, text: str) -> str:
        return text.strip().upper()

    def load_existing(self, keys) -> dict[str, Model]:
        raise NotImplementedError

    def existing_values(self, obj) -> dict[str, str]:
        raise NotImplementedError

    def payload(self, row: int, data: dict, present: list[str]) -> dict:
        raise NotImplementedError

    def current(self, obj) -> dict:
        """The existing object's values in payload terms (for comparison)."""
        raise NotImplementedError

    def display(self, name: str, value) -> str:
        return "" if value in (None, "") else str(value)

    def row_warnings(self, data: dict) -> list[str]:
        return []

    def row_key(self, raw: dict) -> str:
        """The natural key of one raw row (column field -> cell text); "" when the row has none."""
        return self.norm_key(raw.get(self.key_field, ""))

    def key_header(self, raw: dict) -> str:
        """The column an error about the key (duplicate, already registered) is reported under."""
        return self.headers[self.key_field]

    def refuse_existing(self, obj) -> str:
        """A Chinese reason why this existing record may not be updated by import ("" = allowed)."""
        return ""

    # --- column-wise hooks (the defaults call the per-row hooks above) ---
    def key_column(self, columns: dict[str, list], count: int) -> list[str]:
        """The natural key of every row (column field -> cell texts)."""
        if type(self).row_key is Importer.row_key:
            norm = self.norm_key
            return [norm(value) for value in columns.get(self.key_field, [""] * count)]
        return [self.row_key(raw) for raw in _raw_rows(columns, count)]

    def key_headers(self, columns: dict[str, list], count: int) -> list[str] | str:
        """The column each row's key errors are reported under (one header for every row, or one per row)."""
        if type(self).key_header is Importer.key_header:
            return self.headers[self.key_field]
        return [self.key_header(raw) for raw in _raw_rows(columns, count)]

    def payload_columns(self, rows: list[int], cleaned: dict[str, list], present: list[int], names: list[str]):
        """Payload rows (a list of dicts or `Rows`) for the valid rows, from their cleaned columns. `present[i]` is
        a bit mask over `names`: the columns whose cell was filled in. Default: `payload()` row by row."""
        fields = list(cleaned)
        out = []
        for i, row in enumerate(rows):
            data = {name: cleaned[name][i] for name in fields}
            mask = present[i]
            out.append(self.payload(row, data, [name for bit, name in enumerate(names) if mask >> bit & 1]))
        return out

    def column_warnings(self, cleaned: dict[str, list], count: int, limit: int) -> list[list[str]] | None:
        """Warnings per valid row (None: call `row_warnings` row by row until `limit` rows have warned)."""
        return None

    # --- shared ---
    def validate(self, table: Table) -> Validation:
        """Validate every row, column by column (each form field over all rows, a value met before costs a dict
        lookup), with the row form's own fields, hooks, model checks and rules, so the messages are the form's.
        A row form the column engine cannot take apart (`RowFormColumns.supports`) is run row by row."""
        key_only = None
        if self.mode == ImportMode.UPDATE:
            key_only = (self.key_field,) if self.update_required is None else self.update_required
        mapping, header_warnings = match_headers(table.headers, self.columns, only_required=key_only)
        rownos, columns = read_columns(table.rows, mapping)
        count = len(rownos)
        result = Validation(warnings=list(header_warnings), rows_total=count)
        keys = self.key_column(columns, count)
        key_headers = self.key_headers(columns, count)
        distinct = set(keys)
        existing = self.load_existing(distinct - {""})
        quick = not existing and len(distinct) == count and all(keys)  # every row new, each key once: nothing to report
        scope_ok = self._scope_map(existing)
        seen: dict[str, int] = {}
        matched: dict[int, int] = {}  # existing pk -> row (two keys may name one record)
        errors: dict[int, list[list]] = {}  # row index -> errors, in the order the row form reports them
        live: list[int] = list(range(count)) if quick else []  # rows that go through the row form
        merged: dict[int, object] = {}  # row index -> existing record whose values fill the blank cells
        for i, key in enumerate(() if quick else keys):
            if not key:
                live.append(i)
                continue
            rowno = rownos[i]
            key_header = key_headers if isinstance(key_headers, str) else key_headers[i]
            if key in seen:
                errors[i] = [[rowno, key_header, f"与第{seen[key]}行重复：{key}"]]
                continue
            seen[key] = rowno
            obj = existing.get(key)
            if obj is not None:
                # Nothing about a record outside the user's scope may reach the message (name, code, region):
                # one fixed sentence, whatever the mode, so guessed keys reveal no other county's data.
                if not scope_ok[key]:
                    errors[i] = [[rowno, key_header, OTHER_REGION_MESSAGE]]
                    continue
                if obj.pk in matched:
                    errors[i] = [[rowno, key_header, f"与第{matched[obj.pk]}行是同一条记录（{obj}）"]]
                    continue
                matched[obj.pk] = rowno
                refusal = self.refuse_existing(obj)
                if refusal:
                    errors[i] = [[rowno, key_header, refusal]]
                    continue
                if self.mode == ImportMode.CREATE:
                    errors[i] = [[rowno, key_header, f"已存在于名录库（{obj}），如需修改请选择“更新导入”"]]
                    continue
                merged[i] = obj
            live.append(i)
        del seen, matched, existing, distinct
        form = self.form_class(data={}, ctx=self.ctx)
        engine = RowFormColumns(form) if RowFormColumns.supports(form) else None
        if engine is None:
            valid, cleaned = self._validate_rows(form, live, rownos, columns, merged, errors)
        else:
            inputs = self._form_inputs(form, live, columns, merged)
            valid, cleaned = engine.clean(inputs, live, rownos, errors, self.headers)
            del inputs
        names = list(columns)
        present = _present_masks([columns[name] for name in names], valid, count)
        rows = [rownos[i] for i in valid]
        del columns
        payload = self.payload_columns(rows, cleaned, present, names)
        if isinstance(payload, Rows):
            if self.key_field not in payload.columns:  # a key built from several columns (experts)
                payload.columns[self.key_field] = [keys[i] for i in valid]
                payload.fields.append(self.key_field)
        else:
            for row, i in zip(payload, valid, strict=True):
                row.setdefault(self.key_field, keys[i])
        result.payload = payload
        result.errors = [error for i in sorted(errors) for error in errors[i]]
        warned = self.column_warnings(cleaned, len(valid), MAX_WARNINGS)
        if warned is None:
            names = list(cleaned)
            for j, rowno in enumerate(rows):
                if len(result.warnings) >= MAX_WARNINGS:
                    break
                data = {name: cleaned[name][j] for name in names}
                result.warnings.extend(f"第{rowno}行：{w}" for w in self.row_warnings(data))
        else:
            for rowno, found in zip(rows, warned, strict=False):
                if len(result.warnings) >= MAX_WARNINGS:
                    break
                result.warnings.extend(f"第{rowno}行：{w}" for w in found)
        return result

    def _form_inputs(self, form, live: list[int], columns: dict[str, list], merged: dict) -> dict[str, list]:
        """What the row form sees per field for the live rows: the cell, or for a record matched in update mode
        its current value where the cell is blank (`existing_values`)."""
        inputs = {}
        fill = {i: self.existing_values(obj) for i, obj in merged.items()}
        for name in form.fields:
            column = columns.get(name)
            values = [column[i] for i in live] if column is not None else [""] * len(live)
            if fill:
                for j, i in enumerate(live):
                    extra = fill.get(i)
                    if extra is not None and values[j] == "":
                        values[j] = extra.get(name, "")
            inputs[name] = values
        return inputs

    def _validate_rows(self, form, live, rownos, columns, merged, errors) -> tuple[list[int], dict[str, list]]:
        """Every live row through the row form (forms the column engine does not take apart)."""
        valid, cleaned_rows = [], []
        names = list(columns)
        for i in live:
            raw = {name: columns[name][i] for name in names}
            data = raw
            if i in merged:
                data = {**self.existing_values(merged[i]), **{k: v for k, v in raw.items() if v != ""}}
            if not form.rebind(data).is_valid():
                errors[i] = [[rownos[i], self.headers.get(name, ""), "；".join(messages)]
                             for name, messages in form.errors.items()]  # fmt: skip
                continue
            valid.append(i)
            cleaned_rows.append(dict(form.cleaned_data))
        fields = list(cleaned_rows[0]) if cleaned_rows else list(form.fields)
        return valid, {name: [row.get(name) for row in cleaned_rows] for name in fields}

    def _scope_map(self, existing: dict) -> dict[str, bool]:
        """Which matched records lie in the user's scope (fails closed: no user, nothing in scope)."""
        if not existing:
            return {}
        allowed = set()
        ids = [obj.pk for obj in existing.values()]
        for start in range(0, len(ids), CHUNK):
            qs = self.model.objects.in_scope(self.user).filter(pk__in=ids[start : start + CHUNK])
            allowed.update(qs.values_list("pk", flat=True))
        return {key: obj.pk in allowed for key, obj in existing.items()}

    def plan(self, payload: list[dict]) -> list[dict]:
        """Compare payload rows with the database now: one entry per row with action and changes."""
        if isinstance(payload, Rows):
            keys = payload.column(self.key_field)
            existing = self.load_existing(set(keys))
            if not existing:  # all new (a first import): no row needs reading whole
                return [
                    {"row": row, "key": key, "name": name, "action": "create", "changes": NO_CHANGES}
                    for row, key, name in zip(payload.column("row"), keys, payload.column("name"), strict=True)
                ]
        else:
            existing = self.load_existing({row[self.key_field] for row in payload})
        scope_ok = self._scope_map(existing)
        entries = []
        for row in payload:
            obj = existing.get(row[self.key_field])
            if obj is not None and not scope_ok[row[self.key_field]]:  # registered elsewhere since the preview
                raise ValidationError(f"第{row['row']}行：{OTHER_REGION_MESSAGE}")
            if obj is not None and self.refuse_existing(obj):  # changed since the preview
                raise ValidationError(f"第{row['row']}行：{self.refuse_existing(obj)}（{obj}）")
            entry = {"row": row["row"], "key": row[self.key_field], "name": row["name"]}
            if obj is None:
                entry.update(action="create", changes=NO_CHANGES)
            else:
                before = self.current(obj)
                changes = [
                    [self.headers.get(name, name), self.display(name, before[name]), self.display(name, row[name])]
                    for name in self.compare_fields
                    if name in row["present"] and _norm(before[name]) != _norm(row[name])
                ]
                entry.update(id=obj.pk, changes=changes, action=self.action_for(before, row, changes))
            entries.append(entry)
        return entries

    def action_for(self, before: dict, row: dict, changes: list) -> str:
        return "update" if changes else "unchanged"


def _present_masks(columns: list[list], valid: list[int], count: int) -> list[int]:
    """For each valid row, the bit mask of the columns whose cell was filled in (bit k: columns[k] != "")."""
    if not columns:
        return [0] * len(valid)
    parts = []
    for bit, column in enumerate(columns):
        values = column if len(valid) == count else map(column.__getitem__, valid)  # all rows valid: as they are
        parts.append(map(mul, map(ne, values, repeat("")), repeat(1 << bit)))
    return list(map(sum, zip(*parts, strict=True)))  # distinct bits: the sum is the or


def _raw_rows(columns: dict[str, list], count: int):
    """Each row as {field: cell text} (for the per-row hooks)."""
    names = list(columns)
    for i in range(count):
        yield {name: columns[name][i] for name in names}


def _norm(value):
    return sorted(value) if isinstance(value, list) else ("" if value is None else value)
