"""The real-model gate path, end to end on localhost: the app's Azure OpenAI connector (Semantic
Kernel's AzureChatCompletion, the openai SDK, the deployment route and api-key header) and the
judge both talk to a fake model that follows the instructions in its prompt. So the prompt the
offline gate cannot judge ("ignore the passages, answer in French, without citations") really
breaks the answers here, and the gate must say "breached"; an unreachable model or a missing
baseline must say "could not run" instead."""

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from eval import fake_model, stub_model
from eval.cli import SCOPES, main
from eval.config import SUITES

ROOT = Path(__file__).resolve().parents[1]
BROKEN_INSTRUCTIONS = "Ignore the passages, answer in French, without citations."


@pytest.fixture(scope="module")
def fake() -> Iterator[stub_model.StubModel]:
    with stub_model.serve(fake_model.follow_instructions, model="fake-gpt") as stub:
        yield stub


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Thresholds whose baselines live outside the repository (recorded by these tests)."""
    base = tmp_path_factory.mktemp("real-model")
    data = yaml.safe_load((ROOT / "evals" / "thresholds.yaml").read_text())
    data["suites"] = ["rag_chat"]
    data["regression"]["baseline"] = str(base / "baselines")
    (base / "thresholds.yaml").write_text(yaml.safe_dump(data))
    prompts = base / "broken-prompts"
    shutil.copytree(ROOT / "prompts", prompts)
    path = prompts / "rag_answer" / "default.yaml"
    text = path.read_text()
    start = text.index('<message role="system">') + len('<message role="system">')
    path.write_text(text[:start] + BROKEN_INSTRUCTIONS + text[text.index("</message>", start) :])
    return base


def real_model_env(monkeypatch: pytest.MonkeyPatch, base_url: str, workspace: Path) -> None:
    """What `make eval-real` sets, with a key instead of Entra ID (no tenant on localhost)."""
    endpoint = base_url.removesuffix("/v1")
    for key, value in {
        "APP_PROVIDER": "azure_openai",
        "APP_AZURE_OPENAI_ENDPOINT": endpoint,
        "APP_AZURE_OPENAI_CHAT_DEPLOYMENT": "gpt-4o-mini",
        "APP_AZURE_OPENAI_API_KEY": "not-a-key",
        "APP_EMBEDDING_PROVIDER": "local",
        "APP_TELEMETRY_EXPORTER": "none",
        "EVAL_JUDGE_BASE_URL": f"{endpoint}/openai/v1",
        "EVAL_JUDGE_MODEL": "gpt-4o-mini",
        "EVAL_JUDGE_API_KEY": "not-a-key",
        "EVAL_RESULTS_DIR": str(workspace / "results"),
        "EVAL_CACHE_PATH": str(workspace / "cache.sqlite"),
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("APP_PROMPTS_PATH", raising=False)


def run(workspace: Path, *args: str) -> tuple[int, Path]:
    """``python -m eval run`` with the workspace's thresholds; a fresh output directory."""
    outs = workspace / "out"
    out = outs / str(len(list(outs.glob("*"))) if outs.exists() else 0)
    thresholds = str(workspace / "thresholds.yaml")
    return main(["run", "--thresholds", thresholds, "--out", str(out), *args]), out


@pytest.fixture(scope="module")
def recorded(fake: stub_model.StubModel, workspace: Path) -> Path:
    """The azure_openai baseline, recorded against the fake with the shipped prompt."""
    with pytest.MonkeyPatch.context() as patch:
        real_model_env(patch, fake.base_url, workspace)
        assert main(["baseline", "--thresholds", str(workspace / "thresholds.yaml")]) == 0
    return workspace / "baselines" / "azure_openai"


def test_the_app_reaches_the_model_through_the_azure_deployment_route(
    fake: stub_model.StubModel, recorded: Path
) -> None:
    app_calls = [r for r in fake.requests if "/openai/deployments/" in r["path"]]
    judge_calls = [r for r in fake.requests if r["path"].startswith("/openai/v1/")]
    assert app_calls and judge_calls
    assert app_calls[0]["path"].startswith("/openai/deployments/gpt-4o-mini/chat/completions?")
    assert app_calls[0]["headers"]["api-key"] == "not-a-key"
    system = app_calls[0]["body"]["messages"][0]
    assert system["role"] == "system" and "Answer only from the passages" in system["content"]
    config = json.loads((recorded / "config.json").read_text())
    assert config["producer"]["provider"] == "azure_openai"
    assert config["producer"]["chat_model"] == "gpt-4o-mini"
    assert config["datasets"]["rag_chat"]["n_run"] == 40  # the provider's row cap


def test_the_shipped_prompt_passes_against_its_baseline(
    fake: stub_model.StubModel, recorded: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_model_env(monkeypatch, fake.base_url, workspace)
    code, out = run(workspace)
    assert code == 0, (out / "summary.md").read_text()
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "passed"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["suites"]["rag_chat"]["metrics"]["groundedness_pass"]["mean"] >= 0.9
    comment = (out / "comment.md").read_text()
    assert "(azure_openai / gpt-4o-mini): PASSED" in comment
    assert "USD at 0.75/4.5 per million" in comment  # the cost line (thresholds.yaml prices)


def test_the_broken_prompt_breaches_the_real_model_gate(
    fake: stub_model.StubModel, recorded: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_model_env(monkeypatch, fake.base_url, workspace)
    monkeypatch.setenv("APP_PROMPTS_PATH", str(workspace / "broken-prompts"))
    code, out = run(workspace)
    assert code == 1
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "breached" and status["not_evaluated"] == []
    failed = {
        (c["kind"], c["metric"])
        for c in json.loads((out / "summary.json").read_text())["checks"]
        if not c["passed"]
    }
    assert {
        ("floor", "citation_recall"),
        ("floor", "groundedness_pass"),
        ("floor", "relevance_pass"),
        ("regression", "citation_recall"),
    } <= failed
    comment = (out / "comment.md").read_text()
    assert "FAILED: quality gate breached" in comment
    row = next(line for line in comment.splitlines() if "| citation_recall |" in line)
    cells = [c.strip() for c in row.split("|")]
    assert float(cells[3]) > 0.9 and float(cells[4]) == 0.0 and float(cells[5]) < -0.9
    assert cells[7].startswith("❌")


def test_an_unreachable_model_means_could_not_run(
    recorded: Path, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_model_env(monkeypatch, "http://127.0.0.1:9/v1", workspace)  # discard port: refused
    monkeypatch.setenv("APP_REQUEST_MAX_RETRIES", "0")
    code, out = run(workspace, "--no-cache")
    assert code == 3
    status = json.loads((out / "status.json").read_text())
    assert status["status"] == "could not run"
    assert "no item was answered" in status["reasons"][0]


def test_a_provider_without_a_baseline_could_not_run(
    fake: stub_model.StubModel, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_model_env(monkeypatch, fake.base_url, workspace)
    monkeypatch.setenv("APP_PROVIDER", "openai_compatible")
    monkeypatch.setenv("APP_OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("APP_CHAT_MODEL", "fake-gpt")
    data = yaml.safe_load((workspace / "thresholds.yaml").read_text())
    small = {"min_items": 5}  # a row cap of 5: cheap, and no baseline to compare with
    suites = SUITES  # every use case of the app's registry
    data["providers"]["openai_compatible"] = {"max_items": 5, **dict.fromkeys(suites, small)}
    (workspace / "small.yaml").write_text(yaml.safe_dump(data))
    out = workspace / "out" / "small"
    code = main(["run", "--thresholds", str(workspace / "small.yaml"), "--out", str(out)])
    assert code == 3
    status = json.loads((out / "status.json").read_text())
    assert any("run `make baseline`" in reason for reason in status["reasons"])
    assert "⚠️ not measured" in (out / "comment.md").read_text()


def test_fork_and_unconfigured_runs_say_plainly_that_only_the_offline_gate_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVAL_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.setenv("EVAL_CACHE_PATH", str(tmp_path / "cache.sqlite"))
    out = tmp_path / "fork"
    assert main(["run", "--out", str(out), "--real-model-eval", "fork"]) == 0
    for name in ("summary.md", "comment.md"):
        text = (out / name).read_text()
        assert "Real-model eval: **not run**" in text and "comes from a fork" in text
    assert "**not configured**" in SCOPES["unconfigured"]
    assert "AZURE_EVAL_CLIENT_ID" in SCOPES["unconfigured"]
