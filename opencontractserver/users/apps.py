from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "opencontractserver.users"
    label = "users"
