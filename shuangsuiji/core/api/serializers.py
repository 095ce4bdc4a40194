"""Shapes shared by every endpoint of `/api/v1/` (documented in the schema)."""

from rest_framework import serializers


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        help_text="出错的字段（嵌套时如 units[2].credit_code；整体错误为空）", allow_blank=True
    )
    message = serializers.CharField(help_text="错误原因（中文）")
    record = serializers.IntegerField(required=False, help_text="批量同步时出错记录的序号（从 1 起）")


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (core/api/exceptions.py)."""

    detail = serializers.CharField(help_text="一句话说明（中文）")
    code = serializers.CharField(help_text="机器可读的错误类别，如 invalid、not_found、permission_denied、throttled")
    errors = ErrorItemSerializer(many=True, help_text="逐字段的错误；与字段无关时为空")


class SlugListField(serializers.ListField):
    """A read-only many-to-many relation as the list of its related objects' `slug_field` values, in the related
    model's order (what `SlugRelatedField(many=True)` gives, and the same schema: an array of strings).

    A list page reads the values attached by `attach_slug_lists` (one query over the through table for the whole
    page, no model instances); a single object without them asks its relation."""

    def __init__(self, relation: str, slug_field: str, **kwargs):
        self.relation, self.slug_field = relation, slug_field
        kwargs.update(read_only=True, source="*", child=serializers.CharField())
        super().__init__(**kwargs)

    def to_representation(self, instance):
        attached = getattr(instance, "_api_slug_lists", None)
        if attached is not None and self.relation in attached:
            return attached[self.relation]
        return [str(v) for v in getattr(instance, self.relation).values_list(self.slug_field, flat=True)]


def attach_slug_lists(rows, relations: dict[str, str]) -> None:
    """For each many-to-many `relation: slug_field`, one query reading (owner id, slug) from the through table
    for every row of a page; sets `row._api_slug_lists[relation]` (read by `SlugListField`)."""
    rows = list(rows)
    if not rows:
        return
    ids = [row.pk for row in rows]
    model = type(rows[0])
    found: dict[str, dict[int, list[str]]] = {}
    for relation, slug in relations.items():
        field = model._meta.get_field(relation)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        ordering = [
            f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
            for name in field.related_model._meta.ordering
        ]  # fmt: skip
        lists: dict[int, list[str]] = {}
        values = (
            through.objects.filter(**{f"{source}__in": ids})
            .order_by(*ordering, f"{target}_id")
            .values_list(f"{source}_id", f"{target}__{slug}")
        )
        for owner, value in values:
            lists.setdefault(owner, []).append(str(value))
        found[relation] = lists
    for row in rows:
        row._api_slug_lists = {relation: lists.get(row.pk, []) for relation, lists in found.items()}


class ChoiceLabelField(serializers.CharField):
    """The label of a choices field (`get_<name>_display()`), read only. Called directly: given the bound method
    as `source`, DRF inspects its signature for every row of a page."""

    def __init__(self, choice_field: str, **kwargs):
        self.choice_field = choice_field
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return getattr(instance, f"get_{self.choice_field}_display")()
