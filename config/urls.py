from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from config.views import app_index
from opencontractserver.api.api import api
from opencontractserver.api.errors import bad_request, unknown_api_path

handler400 = bad_request

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_api_path),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The browser app's routes: each serves the same index.html, the app's router does the rest.
    path("", app_index, name="app"),
    re_path(r"^(?:corpora|documents)(?:/.*)?$", app_index),
]
