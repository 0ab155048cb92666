"""Fixture files for the delivery evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """Deploy module with canary and rollback, smoke test targets."""
    dl = lv["delivery"]
    if dl >= 2:
        module = "deploy.canary" if dl >= 4 else "deploy.release"
        body = [
            "import subprocess",
            "import sys",
            "",
            "def az(*args: str) -> None:",
            "    subprocess.run(['az', *args], check=True)",
            "",
            "def release(image: str) -> None:",
            "    az('containerapp', 'update', '--name', 'app', '--image', image)",
        ]
        if dl >= 4:
            body += [
                "",
                "def shift(revision: str, weight: int) -> None:",
                "    az('containerapp', 'ingress', 'traffic', 'set', '--revision-weight', "
                "f'{revision}={weight}')",
                "",
                "def rollback(stable: str) -> None:",
                "    shift(stable, 100)",
            ]
        body += ["", "if __name__ == '__main__':", "    release(sys.argv[1])", ""]
        write(root, f"deploy/{module.split('.')[1]}.py", "\n".join(body))
        mk["deploy"].append(
            f"deploy: ## deploy a new revision\n\t$(UV) run python -m {module} $(IMAGE)\n"
        )
    if dl >= 3:
        mk["deploy"].append(
            'smoke: ## smoke-test the new revision\n\tcurl -fsS "$(APP_URL)/health"\n'
        )
    if dl >= 4:
        mk["deploy"].append(
            "rollback: ## move traffic back\n\t$(UV) run python -m deploy.canary --rollback\n"
        )
