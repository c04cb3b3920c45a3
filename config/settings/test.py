"""Settings for the test suite: the same as production's, with test-only secrets filled in."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("CSRF_TRUSTED_ORIGINS", "http://testserver,http://127.0.0.1,http://localhost")
# The test client and servers speak plain HTTP: no HTTPS redirect, no Secure-only cookies, no HSTS
# (tests/deployment/ checks the production defaults of config/settings/hardening.py).
os.environ.setdefault("OC_SSL_REDIRECT", "0")
os.environ.setdefault("OC_SECURE_COOKIES", "0")
os.environ.setdefault("OC_HSTS_SECONDS", "0")
# The tests (and the servers they start) use the deterministic offline embedder.
os.environ.setdefault("OC_EMBEDDER", "offline")

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast user creation
