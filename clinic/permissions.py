"""Role checks shared by the JSON API and the staff pages."""

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import Role, has_role


class IsStaffWithRole(BasePermission):
    """Reads need `read_role`, writes `write_role` (view attributes; both default to receptionist)."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        attribute = "read_role" if request.method in SAFE_METHODS else "write_role"
        minimum = getattr(view, attribute, Role.RECEPTIONIST)
        action_roles = getattr(view, "action_roles", {})
        minimum = action_roles.get(getattr(view, "action", None), minimum)
        return has_role(request.user, minimum)


class RoleRequiredMixin(AccessMixin):
    """For staff pages: anonymous users go to the login page, users without the role get 403.

    A view looks its object up after this check (in get/post or a cached_property), never in its
    own dispatch before super(): a refused visitor must not tell a known id from an unknown one."""

    required_role: Role = Role.RECEPTIONIST

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, self.required_role):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
