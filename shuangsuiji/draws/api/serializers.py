from django.urls import reverse
from rest_framework import serializers

from ..choices import FileKind
from ..models import Draw, DrawTarget, InspectorAssignment


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
