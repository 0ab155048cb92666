"""Build fixture repositories whose evidence reaches a chosen level per dimension.

``build(root, {"evaluation": 3, ...})`` writes a small, realistic workload repository: each
dimension's files for levels 1..N, composed into shared files (Makefile fragments, CI, deploy,
monitor workflows). Dimensions not named get ``default`` (4 unless told otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path

DIMS = ("data", "prompts", "evaluation", "delivery", "monitoring", "safety", "infra", "engineering")
SHA = "0123456789abcdef0123456789abcdef01234567"
TOPICS = [
    "vacation days",
    "parental leave",
    "expense limits",
    "remote work",
    "laptop refresh",
    "on-call pay",
    "travel booking",
    "training budget",
    "sick leave",
    "pension plan",
    "bike lease",
    "office hours",
    "security badges",
    "meal vouchers",
    "overtime rules",
]


def records(n: int = 12) -> list[dict[str, object]]:
    return [
        {
            "id": f"q{i:03d}",
            "question": f"What does the handbook say about {TOPICS[i % len(TOPICS)]} "
            f"for employees hired in {2010 + i}?",
            "answer": f"The {TOPICS[i % len(TOPICS)]} policy for the {2010 + i} cohort is "
            "described in "
            f"section {i + 1} of the handbook.",
            "doc_ids": [f"doc-{i % 3}"],
        }
        for i in range(n)
    ]


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _action(name: str, version: str, pinned: bool) -> str:
    return f"{name}@{SHA} # {version}" if pinned else f"{name}@{version}"


def _workflow(name: str, on: str, jobs: list[str], eng: int) -> str:
    perms = "permissions: {}\n" if eng >= 3 else ""
    return f"name: {name}\n{on}{perms}jobs:\n" + "".join(jobs)


def _job(jid: str, steps: list[str], eng: int, extra: str = "") -> str:
    checkout = (
        f"      - uses: {_action('actions/checkout', 'v4', eng >= 3)}\n"
        "        with:\n          persist-credentials: false\n"
    )
    perms = (
        "    permissions:\n      contents: read\n"
        if eng >= 3 and "permissions" not in extra
        else ""
    )
    return f"  {jid}:\n    runs-on: ubuntu-latest\n{perms}{extra}    steps:\n{checkout}" + "".join(
        steps
    )


def _step(name: str, run: str, extra: str = "") -> str:
    return f"      - name: {name}\n{extra}        run: {run}\n"


def build(root: Path, levels: dict[str, int] | None = None, default: int = 4) -> Path:
    lv = {d: default for d in DIMS}
    lv.update(levels or {})
    data, prm, ev, dl, mon, saf, inf, eng = (lv[d] for d in DIMS)
    root.mkdir(parents=True, exist_ok=True)
    mk: dict[str, list[str]] = {"app": [], "eval": [], "deploy": [], "infra": [], "data": []}

    # ----- application code (monitoring, safety, prompts, data) -----------------------------
    api = ["from fastapi import FastAPI", "", "app = FastAPI()", ""]
    if mon >= 1:
        api[0:0] = ["import logging"]
        api += [
            "logging.basicConfig(level=logging.INFO)",
            "log = logging.getLogger(__name__)",
            "",
            '@app.get("/health")',
            "def health() -> dict[str, str]:",
            '    return {"status": "ok"}',
            "",
        ]
    if saf >= 2:
        api[0:0] = ["from app.guardrails import screen"]
    api += [
        '@app.post("/chat")',
        "def chat(question: str) -> dict[str, str]:",
        "    answer = question.strip()",
        '    return {"answer": answer}',
        "",
    ]
    if mon >= 3:
        api += [
            '@app.post("/feedback")',
            "def feedback(request_id: str, rating: int) -> dict[str, str]:",
            '    log.info("feedback %s %s", request_id, rating)',
            '    return {"request_id": request_id}',
            "",
        ]
    write(root, "src/app/api.py", "\n".join(api))
    write(root, "src/app/__init__.py", "")
    # a GenAI workload at every level: the model client (without it the overall level is 0)
    write(
        root,
        "src/app/llm.py",
        "from openai import OpenAI\n\n\ndef client() -> OpenAI:\n    return OpenAI()\n",
    )
    if mon >= 2:
        write(
            root,
            "src/app/telemetry.py",
            "\n".join(
                [
                    "import time",
                    "from opentelemetry import trace",
                    "",
                    "tracer = trace.get_tracer(__name__)",
                    "",
                    "def record(span, usage) -> None:",
                    "    start = time.perf_counter()",
                    '    span.set_attribute("gen_ai.usage.prompt_tokens", usage.prompt_tokens)',
                    '    span.set_attribute("latency_ms", (time.perf_counter() - start) * 1000)',
                    "",
                ]
            ),
        )
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

    # prompts
    if prm == 1:
        write(
            root,
            "prompts/answer.txt",
            "You are a helpful assistant for the employee handbook. "
            "Answer the question using only the sources provided: {{question}}\n",
        )
    elif prm >= 2:
        version = "version: 1.2.0\n" if prm >= 3 else ""
        write(
            root,
            "prompts/answer.yaml",
            f"name: answer\n{version}model:\n  temperature: 0\n"
            "input_variables: [question, sources]\n"
            "template: |\n  You are a helpful assistant for the employee handbook.\n"
            "  Use only these sources: {{sources}}\n  Question: {{question}}\n",
        )
    if prm >= 1:
        write(
            root,
            "src/app/orchestrator.py",
            'from pathlib import Path\n\nPROMPTS = Path("prompts")\n\n\n'
            "def prompt_text(name: str) -> str:\n    return next(PROMPTS.glob(name + "
            "'.*')).read_text()\n",
        )
    if prm >= 2 and eng >= 1:
        write(
            root,
            "tests/test_prompts.py",
            "from app.orchestrator import prompt_text\n\n\n"
            "def test_render_prompt():\n    assert '{{question}}' in prompt_text('answer')\n",
        )

    # data (retrieval code keeps the dimension applicable even at level 0)
    write(
        root,
        "src/app/search.py",
        'def search(query: str) -> list[str]:\n    """Vector search over the index."""\n    '
        "return []\n",
    )
    if data >= 1:
        for i in range(3):
            write(
                root,
                f"data/docs/handbook-{i}.md",
                f"# Handbook part {i}\n\n"
                + (
                    "Employees are entitled to "
                    f"twenty-five days of paid leave per year, section {i}. Requests go through "
                    "the HR portal "
                    "at least two weeks in advance and are approved by the team lead. " * 3
                )
                + "\n",
            )
    if data >= 2:
        lines = ["from pathlib import Path", "from app.settings import Settings", ""]
        if data >= 3:
            lines[0:0] = ["import hashlib", "import json"]
        lines += [
            "def split(text: str, size: int, overlap: int) -> list[str]:",
            "    return [text[i:i + size] for i in range(0, len(text), size - overlap)]",
            "",
            "def run(settings: Settings) -> None:",
            "    docs = sorted(Path('data/docs').glob('*.md'))",
            "    for doc in docs:",
            "        pieces = split(doc.read_text(), settings.chunk_size, settings.chunk_overlap)",
            "        print(doc.name, len(pieces), 'chunks')",
        ]
        if data >= 3:
            lines += [
                "    manifest = {d.name: hashlib.sha256(d.read_bytes()).hexdigest() for d in docs}",
                "    Path('data/manifest.json').write_text(json.dumps(manifest))",
            ]
        if data >= 4:
            lines += [
                "",
                "def delete_removed_documents(known: set[str], current: set[str]) -> set[str]:",
                "    return known - current",
            ]
        lines += ["", "if __name__ == '__main__':", "    run(Settings())", ""]
        write(root, "src/app/ingest.py", "\n".join(lines))
        write(
            root,
            "src/app/settings.py",
            "from dataclasses import dataclass\n\n\n@dataclass\nclass Settings:\n"
            "    chunk_size: int = 800\n    chunk_overlap: int = 100\n",
        )
        mk["data"].append("ingest: ## build the index\n\t$(UV) run python -m app.ingest\n")
    if data >= 4 and ev >= 1:  # a retrieval eval is evaluation evidence too
        write(
            root,
            "dataops/retrieval_eval.py",
            "\n".join(
                [
                    "import json",
                    "import sys",
                    "",
                    "def main() -> int:",
                    "    hits = json.loads(open('hits.json').read())",
                    "    recall = sum(h['found'] for h in hits) / max(len(hits), 1)",
                    "    print('recall@5', recall)",
                    "    if recall < 0.6:",
                    "        return 1",
                    "    return 0",
                    "",
                    "sys.exit(main())",
                    "",
                ]
            ),
        )
    if data >= 4 and ev >= 1:
        mk["data"].append(
            "eval-retrieval: ## recall of the new index\n\t$(UV) run python -m "
            "dataops.retrieval_eval\n"
        )

    # ----- evaluation ----------------------------------------------------------------------
    if ev >= 1:
        write(root, "data/eval/golden.jsonl", "".join(json.dumps(r) + "\n" for r in records()))
        run = [
            "import argparse",
            "",
            "def parse() -> argparse.Namespace:",
            "    p = argparse.ArgumentParser()",
            "    p.add_argument('--dataset')",
            "    p.add_argument('--thresholds')",
            "    return p.parse_args()",
            "",
            "def main() -> int:",
            "    args = parse()",
            "    rows = open(args.dataset).read().splitlines()",
            "    print(len(rows), 'items')",
        ]
        if ev >= 2:
            run[0:0] = ["import json", "from rouge_score import rouge_scorer"]
            run += [
                "    scorer = rouge_scorer.RougeScorer(['rougeL'])",
                "    summary = {'rougeL': 0.5, 'n': len(rows)}",
                "    open('summary.json', 'w').write(json.dumps(summary))",
            ]
        if ev >= 4:
            run += [
                "    baseline = json.load(open('evals/baseline/summary.json'))",
                "    if summary['rougeL'] < baseline['rougeL'] - 0.05:",
                "        return 1",
            ]
        run += [
            "    return 0",
            "",
            "if __name__ == '__main__':",
            "    raise SystemExit(main())",
            "",
        ]
        write(root, "evals/run.py", "\n".join(run))
        write(root, "evals/__init__.py", "")
        cmd = "$(UV) run python -m evals.run --dataset data/eval/golden.jsonl"
        if ev >= 3:
            cmd += " --thresholds evals/thresholds.yaml"
            write(
                root,
                "evals/thresholds.yaml",
                "metrics:\n  rougeL:\n    min: 0.35\n  recall_at_5:\n    min: 0.6\n"
                "max_error_rate: 0.02\n",
            )
        mk["eval"].append(f"eval: install ## run the offline eval gate\n\t{cmd}\n")
    if ev >= 4:
        write(
            root,
            "evals/baseline/summary.json",
            json.dumps({"rougeL": 0.52, "recall_at_5": 0.7, "n": 12}),
        )
    if prm >= 4:
        write(
            root,
            "evals/compare.py",
            "\n".join(
                [
                    "import json",
                    "import sys",
                    "",
                    "def main() -> int:",
                    "    a = json.load(open(sys.argv[1]))",
                    "    b = json.load(open(sys.argv[2]))",
                    "    delta = b['score'] - a['score']",
                    "    print('delta', delta)",
                    "    return 0",
                    "",
                    "if __name__ == '__main__':",
                    "    raise SystemExit(main())",
                    "",
                ]
            ),
        )
        mk["eval"].append(
            "compare: ## compare two prompt variants\n\t$(UV) run python -m evals.compare a.json "
            "b.json\n"
        )
    if mon >= 3 or ev >= 4:
        body = [
            "import json",
            "import urllib.request",
            "",
            "def main() -> int:",
            "    sample = json.load(urllib.request.urlopen('https://example.invalid/sample'))",
            "    score = sum(s['score'] for s in sample) / max(len(sample), 1)",
            "    print('online score', score)",
        ]
        if mon >= 4:
            body += [
                "    baseline = json.load(open('evals/baseline/summary.json'))",
                "    if score < baseline['rougeL'] - 0.1:",
                "        return 1",
            ]
        body += [
            "    return 0",
            "",
            "if __name__ == '__main__':",
            "    raise SystemExit(main())",
            "",
        ]
        write(root, "ops/monitor.py", "\n".join(body))
        mk["eval"].append(
            "monitor: ## evaluate production samples\n\t$(UV) run python -m ops.monitor\n"
        )

    # ----- engineering ---------------------------------------------------------------------
    write(
        root,
        "pyproject.toml",
        "[project]\nname = 'app'\nversion = '0.1.0'\n"
        + ("\n[tool.coverage.report]\nfail_under = 80\n" if eng >= 4 else ""),
    )
    if eng >= 1:
        write(
            root,
            "tests/test_api.py",
            "from app.api import chat\n\n\ndef test_chat_echoes():\n"
            "    assert chat(' hi ')['answer'] == 'hi'\n",
        )
        write(
            root,
            "uv.lock",
            "version = 1\nrequires-python = '>=3.11'\n\n[[package]]\nname = 'app'\n",
        )
    if eng >= 2:
        write(
            root,
            ".github/dependabot.yml",
            "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
            "    schedule:\n      interval: weekly\n",
        )
        # below Managed prompts, the owners review the code but not the prompts
        owners = (
            "* @handbook-team\n" if prm >= 3 else "/src/ @handbook-team\n/tests/ @handbook-team\n"
        )
        write(root, "CODEOWNERS", owners)
        mk["app"].append(
            "lint: ## lint and type-check\n\t$(UV) run ruff check .\n\t$(UV) run mypy src\n"
        )
    if eng >= 3:
        write(
            root,
            ".pre-commit-config.yaml",
            "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
            "    rev: v0.8.0\n    hooks:\n      - id: ruff\n",
        )
    mk["app"].insert(0, "test: install ## run the tests\n\t$(UV) run pytest -q\n")

    # ----- infrastructure ------------------------------------------------------------------
    if inf >= 1:
        bicep = [
            "param location string = resourceGroup().location",
            "",
            "resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {",
            "  name: 'oai-handbook'",
            "  location: location",
            "  kind: 'OpenAI'",
            "  sku: { name: 'S0' }",
            "}",
            "",
        ]
        if inf >= 3:
            bicep += [
                "resource chat 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {",
                "  parent: openai",
                "  name: 'chat'",
                "  sku: { name: 'Standard', capacity: 10 }",
                "  properties: {",
                "    model: {",
                "      format: 'OpenAI'",
                "      name: 'gpt-4o-mini'",
                "      version: '2024-07-18'",
                "    }",
                "  }",
                "}",
                "",
                "resource appId 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {",
                "  name: 'id-app'",
                "  location: location",
                "}",
                "",
                "resource role 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
                "  name: guid(openai.id, appId.id)",
                "  scope: openai",
                "  properties: {",
                "    principalId: appId.properties.principalId",
                "    roleDefinitionId: 'x'",
                "  }",
                "}",
                "",
            ]
        write(root, "infra/main.bicep", "\n".join(bicep))
    if inf >= 2:
        write(
            root,
            "infra/main.dev.bicepparam",
            "using './main.bicep'\n\nparam location = 'swedencentral'\n",
        )
        mk["infra"].append(
            "lint-iac: ## build the Bicep\n\taz bicep build --file infra/main.bicep --stdout > "
            "/dev/null\n"
        )
    if inf >= 4:
        mk["infra"].append(
            "iac-scan: ## checkov on infra/\n\tcheckov -d infra --framework bicep --skip-download\n"
        )
        mk["infra"].append("provision: ## provision with azd\n\tazd provision --no-prompt\n")
    if saf >= 4:
        mk["eval"].append(
            "redteam: ## red-team the app\n\tnpx promptfoo redteam run --config redteam.yaml\n"
        )

    # ----- delivery ------------------------------------------------------------------------
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

    # ----- Makefile ------------------------------------------------------------------------
    write(
        root,
        "Makefile",
        "SHELL := /bin/bash\nUV ?= uv\n\n.PHONY: install\ninstall: ## sync\n\t$(UV) sync\n\n"
        "include $(sort $(wildcard mk/*.mk))\n",
    )
    for name, parts in mk.items():
        if parts:
            write(root, f"mk/{name}.mk", "\n".join(parts))

    # ----- workflows -----------------------------------------------------------------------
    on_ci = "on:\n  pull_request:\n  push:\n    branches: [main]\n" + (
        "  workflow_call:\n" if dl >= 3 else ""
    )
    ci_jobs = []
    if dl >= 1:
        ci_jobs.append(_job("test", [_step("Unit tests", "make test")], eng))
    if eng >= 2:
        ci_jobs.append(_job("lint", [_step("Lint", "make lint")], eng))
    if ev >= 3:
        ci_jobs.append(_job("eval", [_step("Offline eval gate", "make eval")], eng))
    if inf >= 2:
        steps = [_step("Build Bicep", "make lint-iac")]
        if inf >= 4:
            steps.append(_step("checkov", "make iac-scan"))
        ci_jobs.append(_job("iac", steps, eng))
    if prm >= 4:
        ci_jobs.append(_job("compare", [_step("Compare variants", "make compare")], eng))
    if ci_jobs:
        write(root, ".github/workflows/ci.yml", _workflow("ci", on_ci, ci_jobs, eng))
    if dl >= 2:
        jobs = []
        extra = (
            "    environment: prod\n    permissions:\n      id-token: write\n      contents: read\n"
        )
        if dl >= 3:
            jobs.append("  ci:\n    uses: ./.github/workflows/ci.yml\n")
            extra = "    needs: [ci]\n" + extra
        steps = [
            f"      - uses: {_action('azure/login', 'v2', eng >= 3)}\n        with:\n"
            "          client-id: ${{ vars.AZURE_CLIENT_ID }}\n          tenant-id: "
            "${{ vars.AZURE_TENANT_ID }}\n"
            "          subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\n",
            _step("Deploy", "make deploy IMAGE=app:${{ github.sha }}"),
        ]
        if dl >= 3:
            steps.append(_step("Smoke test", "make smoke"))
        if dl >= 4:
            steps.append(
                _step("Roll back", "make rollback", "        if: failure() || cancelled()\n")
            )
        if eng >= 4:
            steps.append(
                f"      - uses: {_action('actions/attest-build-provenance', 'v2', eng >= 3)}\n"
                "        with:\n          subject-path: dist/*\n"
            )
        jobs.append(_job("deploy", steps, eng, extra))
        write(
            root,
            ".github/workflows/deploy.yml",
            _workflow(
                "deploy", "on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n", jobs, eng
            ),
        )
    if mon >= 3 or ev >= 4:
        steps = [_step("Online eval", "make monitor")]
        if mon >= 3:
            steps.append(
                _step(
                    "Open an issue",
                    'gh issue create --title "Quality regression" --body-file report.md',
                    "        if: failure()\n",
                )
            )
        write(
            root,
            ".github/workflows/monitor.yml",
            _workflow(
                "monitor",
                "on:\n  schedule:\n    - cron: '17 5 * * *'\n  workflow_dispatch:\n",
                [
                    _job(
                        "monitor",
                        steps,
                        eng,
                        "    permissions:\n      contents: read\n      issues: write\n"
                        if eng >= 3
                        else "",
                    )
                ],
                eng,
            ),
        )
    if data >= 3:
        steps = [_step("Ingest", "make ingest")]
        if data >= 4:
            steps.append(_step("Retrieval eval", "make eval-retrieval"))
        write(
            root,
            ".github/workflows/refresh-index.yml",
            _workflow(
                "refresh-index",
                "on:\n  schedule:\n    - cron: '0 3 * * 1'\n  workflow_dispatch:\n",
                [_job("refresh", steps, eng)],
                eng,
            ),
        )
    if saf >= 4:
        write(
            root,
            ".github/workflows/redteam.yml",
            _workflow(
                "redteam",
                "on:\n  schedule:\n    - cron: '0 4 * * 0'\n",
                [_job("redteam", [_step("Red team", "make redteam")], eng)],
                eng,
            ),
        )
    if inf >= 4:
        write(
            root,
            ".github/workflows/provision.yml",
            _workflow(
                "provision",
                "on:\n  workflow_dispatch:\n",
                [
                    _job(
                        "provision",
                        [_step("Provision", "make provision")],
                        eng,
                        "    environment: prod\n    permissions:\n      id-token: write\n      "
                        "contents: read\n",
                    )
                ],
                eng,
            ),
        )
    return root
