"""Render generated repositories and drive them the way their README tells a person to."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


def use_case_registry(root: Path = REPO_ROOT) -> list[dict[str, Any]]:
    """The entries of ``use_cases.yml``, the one declaration of the use cases (copier.yml
    includes it), in their order."""
    from generator import safe_yaml

    return list(safe_yaml.load((root / "use_cases.yml").read_text(encoding="utf-8")))


def needs_search(use_case: str, root: Path = REPO_ROOT) -> bool:
    """Whether the use case gets Azure AI Search, the index identity and index refresh."""
    entry = next(e for e in use_case_registry(root) if e["name"] == use_case)
    return bool(entry["app"]["search"])


def copy_template_root(dest: Path, root: Path = REPO_ROOT) -> Path:
    """A plain copy of the template root (copier.yml, use_cases.yml, template/, ...), the files
    the bundle carries: Copier renders it as it is, without cloning a git repository."""
    import shutil

    from generator.bundle import iter_tree_files

    for source in iter_tree_files(root):
        target = dest / source.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)  # modes too: scripts stay executable
    return dest


# The option matrix: every use case of the registry, rendered and tested end to end.
USE_CASES = tuple(entry["name"] for entry in use_case_registry())
IAC_FLAVOURS = ("bicep", "terraform")


class GeneratedRepos:
    """Session cache: one rendering per answer set, made through the real CLI."""

    def __init__(self, root: Path, env: Mapping[str, str]) -> None:
        self.root = root
        self.env = dict(env)
        self._cache: dict[str, Path] = {}

    def __call__(self, answers: Mapping[str, Any] | None = None, git: bool = True) -> Path:
        answers = dict(answers or {})
        key = json.dumps(answers, sort_keys=True) + ("" if git else "|nogit")
        if key not in self._cache:
            name = "repo-" + "-".join(f"{v}" for _, v in sorted(answers.items())) or "repo"
            dest = self.root / re.sub(r"[^A-Za-z0-9_.-]", "_", name or "defaults")
            if dest.exists():
                dest = self.root / f"{dest.name}-{len(self._cache)}"
            args = ["new", str(dest), "--defaults"]
            for k, v in answers.items():
                args += ["--data", f"{k}={v}"]
            if not git:
                args.append("--no-git")
            proc = genaiops(args, env=self.env)
            if proc.returncode != 0:
                raise AssertionError(f"genaiops new failed: {proc.stderr}\n{proc.stdout}")
            self._cache[key] = dest
        return self._cache[key]


def genaiops(
    args: list[str], cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    import sys

    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=dict(env) if env is not None else None,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def readme_commands(repo: Path) -> dict[str, str]:
    """The two commands the generated README promises: {"run": ..., "test": ...}."""
    text = (repo / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Two commands\s*$(.*?)^## ", text, re.MULTILINE | re.DOTALL)
    if not section:
        raise AssertionError("generated README has no '## Two commands' section")
    block = re.search(r"```(?:bash|sh|console)?\n(.*?)```", section.group(1), re.DOTALL)
    if not block:
        raise AssertionError("the '## Two commands' section has no code block")
    commands: dict[str, str] = {}
    for line in block.group(1).splitlines():
        command = line.split("#", 1)[0].strip()
        if not command:
            continue
        if re.search(r"\btest\b", command):
            commands["test"] = command
        elif re.search(r"\brun\b", command):
            commands["run"] = command
    if set(commands) != {"run", "test"}:
        raise AssertionError(f"expected a run and a test command, found {commands}")
    return commands


def clean_env(base: Mapping[str, str], **extra: str) -> dict[str, str]:
    """A fresh-machine-like environment: no virtualenv of ours leaking into the generated repo."""
    env = {
        k: v
        for k, v in base.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT_ENVIRONMENT", "PYTEST_ADDOPTS")
        and not k.startswith("PYTEST_")
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if "/.venv/" not in p + "/"]
    env["PATH"] = os.pathsep.join(path)
    env.update(extra)
    return env


def run_shell(
    command: str, cwd: Path, env: Mapping[str, str], timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    command: str, cwd: Path, env: Mapping[str, str], port: int, timeout: float = 600
) -> Iterator[str]:
    """Start ``command`` (which must listen on ``port``), yield its base URL, stop it after."""
    log = cwd / f".serve-{port}.log"
    with log.open("w") as sink:
        proc = subprocess.Popen(
            ["bash", "-c", command],
            cwd=cwd,
            env=dict(env),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server not healthy after {timeout}s:\n{log.read_text()}")
            time.sleep(0.3)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def get_json(url: str) -> tuple[int, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read().decode())
