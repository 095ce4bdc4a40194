from rest_framework import serializers

from shuangsuiji.accounts.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "region", "parent", "active"]
