"""Django's ModelBackend, reading the staff member's own settings (their language) with the user
itself: every signed-in page asks the database who is calling once, not twice."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser


class StaffBackend(ModelBackend):
    def get_user(self, user_id: int) -> AbstractBaseUser | None:
        users = get_user_model()._default_manager.select_related("staff_profile")
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
