"""compose/ checked without a Docker engine: Docker Compose v2's own `config` validates the files
(its schema and interpolation), hadolint lints every Dockerfile, and the settings they name are the
settings the code reads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

import compose

REPO = Path(__file__).resolve().parents[2]
COMPOSE_DIR = REPO / "compose"
COMPOSE_BINARY = Path(compose.__file__).parent / "docker-compose"
HADOLINT = Path(sys.executable).with_name("hadolint")
ENV_LINE = re.compile(r"^#?([A-Z][A-Z0-9_]+)=(.*)$")
REQUIRED = {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "POSTGRES_PASSWORD"}


def env_example() -> dict[str, str]:
    """Every setting .env.example lists (commented or not) with its value."""
    found = {}
    for line in (COMPOSE_DIR / ".env.example").read_text().splitlines():
        match = ENV_LINE.match(line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def filled_env(tmp_path: Path, **overrides: str) -> Path:
    """.env.example with the required settings filled in, as an operator's compose/.env."""
    values = {
        "SECRET_KEY": "an-operator-generated-secret-key-of-fifty-or-more-characters-x",
        "ALLOWED_HOSTS": "chat.example.com",
        "CSRF_TRUSTED_ORIGINS": "https://chat.example.com",
        "POSTGRES_PASSWORD": "0123456789abcdef",
        **overrides,
    }
    lines = []
    for line in (COMPOSE_DIR / ".env.example").read_text().splitlines():
        match = ENV_LINE.match(line)
        if match and match.group(1) in values:
            line = f"{match.group(1)}={values.pop(match.group(1))}"
        lines.append(line)
    lines += [f"{name}={value}" for name, value in values.items()]
    env = tmp_path / ".env"
    env.write_text("\n".join(lines) + "\n")
    return env


def compose_config(
    env_file: Path, *files: str, directory: Path = COMPOSE_DIR
) -> subprocess.CompletedProcess[str]:
    args = [str(COMPOSE_BINARY), "--project-directory", str(directory), "--env-file", str(env_file)]
    for name in files or ("docker-compose.yml",):
        args += ["-f", str(directory / name)]
    return subprocess.run(
        [*args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(env_file.parent), "OC_ENV_FILE": str(env_file)},
        timeout=60,
    )


def resolved(env_file: Path, *files: str) -> dict[str, Any]:
    result = compose_config(env_file, *files)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def test_the_production_file_is_valid_compose_with_every_service_healthchecked(
    tmp_path: Path,
) -> None:
    services = resolved(filled_env(tmp_path))["services"]
    assert set(services) == {"db", "redis", "migrate", "app", "web"}
    for name in ("db", "redis", "app", "web"):
        assert services[name]["healthcheck"]["test"], name
    assert "readyz" in " ".join(services["app"]["healthcheck"]["test"])
    assert "healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["db"]["image"].startswith("pgvector/pgvector:")
    assert services["app"]["deploy"]["replicas"] == 2
    assert services["app"]["depends_on"] == {
        "db": {"condition": "service_healthy", "required": True},
        "redis": {"condition": "service_healthy", "required": True},
        "migrate": {"condition": "service_completed_successfully", "required": True},
    }
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["web"]["depends_on"]["app"]["condition"] == "service_healthy"
    mounts = {m["target"]: m["source"] for m in services["app"]["volumes"]}
    assert mounts["/app/media"] == "media"
    assert {m["target"]: m["source"] for m in services["db"]["volumes"]} == {
        "/var/lib/postgresql": "db-data"
    }
    # The app's settings come from .env; compose wires the services together.
    app_env = services["app"]["environment"]
    assert app_env["SECRET_KEY"].startswith("an-operator-generated")
    assert app_env["DATABASE_URL"] == (
        "postgresql://opencontracts:0123456789abcdef@db:5432/opencontracts"
    )
    assert app_env["REDIS_URL"] == "redis://redis:6379/0"
    # nginx's body limit follows the app's upload limit (15-upload-limit.envsh adds the envelope).
    assert services["web"]["environment"]["OC_MAX_UPLOAD_BYTES"] == app_env["OC_MAX_UPLOAD_BYTES"]


def test_replicas_and_the_upload_limit_come_from_the_env_file(tmp_path: Path) -> None:
    env = filled_env(tmp_path, OC_APP_REPLICAS="4", OC_MAX_UPLOAD_BYTES="1048576")
    services = resolved(env)["services"]
    assert services["app"]["deploy"]["replicas"] == 4
    assert services["web"]["environment"]["OC_MAX_UPLOAD_BYTES"] == "1048576"
    assert services["app"]["environment"]["OC_MAX_UPLOAD_BYTES"] == "1048576"


def test_the_dev_overlay_runs_one_debug_replica_on_loopback(tmp_path: Path) -> None:
    services = resolved(filled_env(tmp_path), "docker-compose.yml", "docker-compose.dev.yml")[
        "services"
    ]
    assert services["app"]["deploy"]["replicas"] == 1
    assert services["app"]["environment"]["DEBUG"] == "1"
    assert services["app"]["ports"][0]["host_ip"] == "127.0.0.1"
    assert "web" not in services  # nginx only with --profile proxy


def test_a_missing_database_password_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    result = compose_config(filled_env(tmp_path, POSTGRES_PASSWORD=""))
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in compose/.env" in result.stderr


def test_compose_rejects_an_unknown_key(tmp_path: Path) -> None:
    """The check is Compose's own schema, not a YAML parse."""
    broken = tmp_path / "compose"
    broken.mkdir()
    text = (COMPOSE_DIR / "docker-compose.yml").read_text()
    (broken / "docker-compose.yml").write_text(text.replace("stop_grace_period:", "stop_grace:"))
    result = compose_config(filled_env(tmp_path), directory=broken)
    assert result.returncode != 0
    assert "stop_grace" in result.stderr


def test_no_secret_is_written_in_the_compose_files() -> None:
    for path in COMPOSE_DIR.glob("docker-compose*.yml"):
        text = path.read_text()
        assert "SECRET_KEY" not in text, path
        for match in re.finditer(r"(PASSWORD|API_KEY)[^\n]*", text):
            assert "${" in match.group(0), (path, match.group(0))
    example = env_example()
    assert all(example[name] == "" for name in REQUIRED)


@pytest.mark.parametrize("dockerfile", sorted(REPO.glob("**/*Dockerfile")), ids=str)
def test_every_dockerfile_passes_hadolint(dockerfile: Path) -> None:
    result = subprocess.run(
        [str(HADOLINT), str(dockerfile)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_a_bad_dockerfile(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN cd /app && pip install django\n")
    result = subprocess.run([str(HADOLINT), str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # the `latest` tag


def test_the_app_image_runs_as_a_non_root_user_and_collects_static_files_at_build() -> None:
    text = (COMPOSE_DIR / "Dockerfile").read_text()
    app_stage = text.split("AS app")[1].split("AS web")[0]
    assert "USER 10001:10001" in app_stage
    assert "collectstatic" in app_stage
    assert "--only-binary=:all:" in text  # no compiler needed, none installed


def readme_settings() -> set[str]:
    """The variables of the README's settings table."""
    readme = (REPO / "README.md").read_text()
    table = readme.split("## Environment variables")[1].split("\n## ")[0]
    names: set[str] = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1]))
    return names


def settings_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in [*(REPO / "config").rglob("*.py")]:
        names.update(re.findall(r"env_[a-z]+\(\s*\"([A-Z][A-Z0-9_]+)\"", path.read_text()))
    return names


MAKEFILE_ONLY = {"HOST", "PORT"}  # `make run`'s address, not a setting of the app
NOT_OPERATOR_SETTINGS = {"OC_E2E_DATA", "OC_E2E_PORT"}


def test_the_env_example_lists_every_setting_of_the_readme_and_the_code() -> None:
    readme = readme_settings()
    code = settings_read_by_the_code() - NOT_OPERATOR_SETTINGS
    listed = set(env_example())
    assert code <= readme, code - readme
    assert readme - MAKEFILE_ONLY <= listed, (readme - MAKEFILE_ONLY) - listed
    compose_only = listed - readme
    deployment_doc = (REPO / "docs" / "deployment.md").read_text()
    assert all(f"`{name}`" in deployment_doc for name in compose_only), compose_only


def test_the_lock_pins_every_dependency_within_its_range() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = {}
    for line in (COMPOSE_DIR / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-").replace(".", "-")] = version
    for dependency in project["dependencies"]:
        requirement = Requirement(dependency)
        name = requirement.name.lower().replace("_", "-").replace(".", "-")
        assert name in pins, f"{name} is not pinned in compose/requirements.lock"
        assert requirement.specifier.contains(pins[name]), (dependency, pins[name])
