"""Tokens over the API: sign in for one, list and revoke your own."""

import datetime

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.authentication import SignInRateThrottle
from api.changes import RESOURCES
from projects.core import signin
from projects.core.models.tokens import ApiToken, TokenScope
from projects.core.tokens import token_issue, token_revoke
from projects.permissions import visible


class TokenOptionsSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, default="api", help_text="What uses the token; one live token per name"
    )
    scope = serializers.ChoiceField(choices=TokenScope.choices, default=TokenScope.WRITE)
    record_types = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, default=list, help_text="Resources; empty: all"
    )
    expires_in_days = serializers.IntegerField(min_value=1, max_value=3650, required=False, allow_null=True)

    def validate_record_types(self, value):
        unknown = sorted(set(value) - set(RESOURCES.by_name))
        if unknown:
            raise serializers.ValidationError(_("Unknown types: %(names)s.") % {"names": ", ".join(unknown)[:200]})
        return value

    def issue(self, *, actor, user):
        data = self.validated_data
        days = data.get("expires_in_days")
        return token_issue(
            actor=actor,
            user=user,
            name=data["name"],
            scope=data["scope"],
            record_types=data["record_types"],
            expires_in=datetime.timedelta(days=days) if days else None,
        )


class SignInSerializer(TokenOptionsSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "record_types",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "last_used_from",
        ]
        read_only_fields = fields


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(help_text="The key: shown this once, stored only as a hash")

    class Meta(ApiTokenSerializer.Meta):
        fields = ["token", *ApiTokenSerializer.Meta.fields]
        read_only_fields = fields


def _issued(token, key, code=status.HTTP_201_CREATED):
    data = ApiTokenSerializer(token).data
    return Response({"token": key, **data}, status=code)


@extend_schema(request=SignInSerializer, responses={201: IssuedTokenSerializer}, auth=[])
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([SignInRateThrottle])
def sign_in(request):
    """Sign in with a user name and password for a named token (scope, record types and expiry optional)."""
    body = SignInSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    username = body.validated_data["username"]
    wait = signin.locked_for(username, signin.client_address(request))
    if wait:
        signin.refused(request, username)  # whatever the password
        raise Throttled(wait=wait, detail=signin.locked_message(wait))
    user = authenticate(request, username=username, password=body.validated_data["password"])
    if user is None or not user.is_active:
        raise AuthenticationFailed(_("Wrong user name or password."))
    token, key = body.issue(actor=user, user=user)
    signin.signed_in(request, user)
    return _issued(token, key)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your tokens (administrators: everyone's): name, scope, last use. POST issues another; DELETE revokes."""

    queryset = ApiToken.objects.select_related("user")
    serializer_class = ApiTokenSerializer
    filterset_fields = ["scope"]

    def get_queryset(self):
        return visible(self.request.user, super().get_queryset())

    @extend_schema(request=TokenOptionsSerializer, responses={201: IssuedTokenSerializer})
    def create(self, request):
        body = TokenOptionsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token, key = body.issue(actor=request.user, user=request.user)
        return _issued(token, key)

    def destroy(self, request, pk=None):
        token_revoke(actor=request.user, instance=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
