from django.urls import reverse
from rest_framework import serializers

from ..choices import FileKind
from ..models import Draw, DrawTarget, ExpertAttachment, InspectorAssignment, InspectorChange


class AssignmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectorAssignment
        fields = ["inspector", "inspector_code", "inspector_name", "is_specialist", "transferred"]


class DrawTargetSerializer(serializers.ModelSerializer):
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = DrawTarget
        fields = ["id", "unit", "unit_code", "unit_name", "stratum", "role", "rank", "status", "replaces",
                  "assignments"]  # fmt: skip


class DrawSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    task_code = serializers.CharField(source="task.code", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = [
            "id", "code", "task", "task_code", "region", "attempt", "status", "published_at", "commitment_hash",
            "pool_digest", "roster_digest", "unit_total", "unit_eligible", "public_values", "seed", "drawn_at",
            "manifest_hash", "assignment_feasible", "locked_at", "cancelled_at", "cancel_reason", "files",
        ]  # fmt: skip

    def get_files(self, draw) -> dict[str, str]:
        """Download links of the files that exist; reads the prefetched rows (`DrawViewSet.queryset`)."""
        request = self.context.get("request")
        links = {}
        for row in draw.files.all():
            if row.kind == FileKind.CONFLICT_KEY:  # never offered by the API (fairdraw spec §4.2.2)
                continue
            url = reverse("draw-files", kwargs={"pk": draw.pk, "kind": row.kind})
            links[row.kind] = request.build_absolute_uri(url) if request else url
        return links


class DrawDetailSerializer(DrawSerializer):
    targets = DrawTargetSerializer(many=True, read_only=True)

    class Meta(DrawSerializer.Meta):
        fields = [*DrawSerializer.Meta.fields, "targets"]


class InspectorChangeSerializer(serializers.ModelSerializer):
    """更换执法人员 (fairdraw spec §8.7): `passed` = [[名录编号, 原因代码], …] before the new member in the unit's
    random order; `skipped` = inspectors unavailable since the draw, with the reason."""

    draw_code = serializers.CharField(source="draw.code", read_only=True)
    unit_code = serializers.CharField(source="target.unit_code", read_only=True)
    unit_name = serializers.CharField(source="target.unit_name", read_only=True)
    reason_kind_label = serializers.CharField(source="get_reason_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    passed_summary = serializers.CharField(read_only=True)

    class Meta:
        model = InspectorChange
        fields = [
            "id", "draw", "draw_code", "seq", "target", "unit_code", "unit_name", "out_inspector", "out_id",
            "out_name", "in_inspector", "in_id", "in_name", "position", "passed", "passed_summary", "skipped",
            "reason_kind", "reason_kind_label", "reason", "status", "status_label", "requested_at", "decided_at",
            "decision_note",
        ]  # fmt: skip


class ExpertAttachmentSerializer(serializers.ModelSerializer):
    """专家/检测机构参加检查 (fairdraw spec §8.8): drawn at random (`candidates` in the seed's order, `position` of the
    one drawn) or designated with a reason."""

    draw = serializers.IntegerField(source="target.draw_id", read_only=True)
    draw_code = serializers.CharField(source="target.draw.code", read_only=True)
    unit_code = serializers.CharField(source="target.unit_code", read_only=True)
    unit_name = serializers.CharField(source="target.unit_name", read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)

    class Meta:
        model = ExpertAttachment
        fields = [
            "id", "draw", "draw_code", "target", "unit_code", "unit_name", "expert", "expert_key", "expert_name",
            "mode", "mode_label", "reason", "candidates", "position", "created_at",
        ]  # fmt: skip
