"""Abstract building blocks shared by the domain apps."""

from django.conf import settings
from django.db import models


class TimeStamped(models.Model):
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SharePermission(models.TextChoices):
    READ = "read", "Read"
    WRITE = "write", "Write"


class Share(models.Model):
    """An explicit grant of read or write access to one user; subclasses add the shared object."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    permission = models.CharField(
        max_length=8, choices=SharePermission.choices, default=SharePermission.READ
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
