from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from api.briefs import BriefCorridorSerializer, DivisionRef, OrganizationRef, ProvinceRef
from projects.core.models import Corridor, Division, KeyArea, Organization, Province, User


class ProvinceSerializer(serializers.ModelSerializer):
    outline = GeometryField(read_only=True, allow_null=True)

    class Meta:
        model = Province
        fields = ["id", "code", "name_zh", "name_en", "short_name", "outline", "updated_at", "version"]


class DivisionSerializer(serializers.ModelSerializer):
    province = ProvinceRef(read_only=True)
    parent = DivisionRef(read_only=True)
    corridors = BriefCorridorSerializer(
        many=True, read_only=True, help_text="The river corridors whose main stream runs through or along it."
    )
    outline = GeometryField(read_only=True, allow_null=True)

    class Meta:
        model = Division
        fields = [
            "id",
            "code",
            "name_zh",
            "name_en",
            "level",
            "province",
            "parent",
            "is_adjacent_area",
            "corridors",
            "outline",
            "updated_at",
            "version",
        ]


class CorridorSerializer(serializers.ModelSerializer):
    provinces = ProvinceRef(many=True, read_only=True)
    centreline = GeometryField(read_only=True, allow_null=True)

    class Meta:
        model = Corridor
        fields = [
            "id",
            "slug",
            "name_zh",
            "name_en",
            "is_six_rivers",
            "provinces",
            "description",
            "centreline",
            "updated_at",
            "version",
        ]


class KeyAreaSerializer(serializers.ModelSerializer):
    provinces = ProvinceRef(many=True, read_only=True)
    outline = GeometryField(read_only=True, allow_null=True)

    class Meta:
        model = KeyArea
        fields = [
            "id",
            "slug",
            "name_zh",
            "name_en",
            "kind",
            "focus",
            "provinces",
            "description",
            "outline",
            "updated_at",
            "version",
        ]


class OrganizationSerializer(serializers.ModelSerializer):
    province = ProvinceRef(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "slug", "name_zh", "name_en", "kind", "province", "email", "updated_at", "version"]


class CurrentUserSerializer(serializers.ModelSerializer):
    organization = OrganizationRef(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "organization"]
