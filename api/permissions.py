from rest_framework import permissions

from projects.permissions import ADD, CHANGE, DELETE, VIEW, can

_METHOD_ACTIONS = {"GET": VIEW, "HEAD": VIEW, "OPTIONS": VIEW, "PUT": CHANGE, "PATCH": CHANGE, "DELETE": DELETE}


class TrackerPermission(permissions.BasePermission):
    """Signed-in users only; every write is decided by ``projects.permissions.can``.

    Custom actions (transitions, reviews …) are checked again in the services they call.
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        queryset = getattr(view, "queryset", None)
        if request.method == "POST" and getattr(view, "action", None) == "create" and queryset is not None:
            return can(request.user, ADD, queryset.model)
        return True

    def has_object_permission(self, request, view, obj):
        action = _METHOD_ACTIONS.get(request.method)
        if action is None or getattr(view, "action", None) not in {
            None,
            "retrieve",
            "update",
            "partial_update",
            "destroy",
        }:
            # Custom actions decide in their service.
            return can(request.user, VIEW, obj)
        return can(request.user, action, obj)
