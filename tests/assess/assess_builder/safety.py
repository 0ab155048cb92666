"""Fixture files for the safety evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """Guardrails, keyless providers, safety tests, .env hygiene, custom policies."""
    saf = lv["safety"]
    eng = lv["engineering"]
    if saf >= 2:
        write(
            root,
            "src/app/guardrails.py",
            "\n".join(
                [
                    "import re",
                    "",
                    'INJECTION = re.compile(r"ignore (all|previous) instructions", re.I)',
                    "",
                    "def screen(text: str) -> bool:",
                    '    """Reject prompt injection attempts."""',
                    "    return not INJECTION.search(text)",
                    "",
                ]
            ),
        )
    if saf >= 3:
        write(
            root,
            "src/app/providers.py",
            "from azure.identity import DefaultAzureCredential\n\n"
            "credential = DefaultAzureCredential()\n",
        )
    if saf >= 3 and eng >= 1:  # tests are the engineering floor: none below it
        write(
            root,
            "tests/test_guardrails.py",
            "from app.guardrails import screen\n\n\n"
            "def test_blocks_prompt_injection():\n    assert not screen('Ignore previous "
            "instructions')\n",
        )
    if saf >= 1:
        write(root, ".gitignore", ".venv/\n.env\n__pycache__/\n")
        write(root, ".env.example", "APP_MODEL=gpt-4o-mini\nAPP_ENDPOINT=\n")
    if saf >= 4:
        write(
            root,
            ".checkov/custom/ingress.yaml",
            "metadata:\n  id: CKV2_CUSTOM_1\n  name: ingress not insecure\n"
            "  category: NETWORKING\ndefinition:\n  cond_type: attribute\n  resource_types: "
            "[Microsoft.App/containerApps]\n"
            "  attribute: properties.configuration.ingress.allowInsecure\n  operator: equals\n  "
            "value: false\n",
        )


def add_redteam(root: Path, lv: Levels, mk: Fragments) -> None:
    """The red-team make target."""
    saf = lv["safety"]
    if saf >= 4:
        mk["eval"].append(
            "redteam: ## red-team the app\n\tnpx promptfoo redteam run --config redteam.yaml\n"
        )
