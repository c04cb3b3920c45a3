from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's user; custom from the first migration so it can grow without pain."""

    class Meta:
        db_table = "users_user"
