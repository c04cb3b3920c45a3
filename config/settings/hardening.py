"""Production hardening, read from the environment: HTTPS behind the proxy, cookies, HSTS.

Every default is the safe one when DEBUG is off, so `manage.py check --deploy --fail-level WARNING`
is clean with production settings (tests/deployment/test_deploy_check.py), and each can be turned
down for a deployment that needs it (docs/deployment.md). With DEBUG on (`make run`, the dev
overlay) they default off, since there is no TLS in front of the dev server.
"""

from config.env import env_bool, env_int

_PRODUCTION = not env_bool("DEBUG", False)

# nginx (compose/nginx/) terminates TLS and says so in X-Forwarded-Proto; daphne is never reached
# directly from outside, so the header can be trusted.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("OC_SSL_REDIRECT", _PRODUCTION)
# The health endpoints answer plain HTTP from inside the compose network (healthchecks).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("OC_SECURE_COOKIES", _PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
# The browser app reads the CSRF token from the cookie to send X-CSRFToken, so that one cookie
# must stay readable from JavaScript (Django's own advice); the session cookie never is.
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("OC_HSTS_SECONDS", 31_536_000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("OC_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("OC_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
