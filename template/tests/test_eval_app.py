"""The eval gate on the real app: `make eval` passes on the sample data, and fails closed when a
prompt is broken, when rows error, or when a required metric is not produced; compare tells a
clearly worse variant from an identical one."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from eval.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Results and the response cache outside the repository, shared by this module's runs."""
    base = tmp_path_factory.mktemp("eval")
    return {
        "EVAL_RESULTS_DIR": str(base / "results"),
        "EVAL_CACHE_PATH": str(base / "cache.sqlite"),
    }


@pytest.fixture(scope="module")
def broken_prompts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of prompts/ where every prompt has a 'broken' variant: its delimited data blocks
    (sources, text, categories) lose their delimiters, so the model no longer sees the data."""
    prompts = tmp_path_factory.mktemp("prompts")
    for source in (ROOT / "prompts").rglob("*.yaml"):
        target = prompts / source.relative_to(ROOT / "prompts")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    block = re.compile(r"----- ([A-Z ]+) -----\n(\{\{\$\w+\}\})\n----- END \1 -----")
    broken = 0
    for default in sorted(prompts.glob("*/default.yaml")):
        spec = yaml.safe_load(default.read_text(encoding="utf-8"))
        template, count = block.subn(r"Data: \2", spec["template"])
        broken += count
        spec["template"] = template
        spec["version"] = "0.0.1-broken"
        (default.parent / "broken.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert broken, "no delimited data block found to break"
    return prompts


def make(target: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (fixed argv)
        ["make", "--no-print-directory", target],  # noqa: S607 (make from PATH, as a person runs it)
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def latest(results: str) -> Path:
    return max(Path(results).iterdir(), key=lambda p: p.stat().st_mtime)


def test_make_eval_passes_on_the_sample_data_and_writes_the_record(
    artifacts: dict[str, str],
) -> None:
    proc = make("eval", artifacts)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "## Eval gate: PASSED" in proc.stdout
    run = latest(artifacts["EVAL_RESULTS_DIR"])
    config = json.loads((run / "config.json").read_text())
    summary = json.loads((run / "summary.json").read_text())
    rows = [json.loads(line) for line in (run / "eval_results.jsonl").read_text().splitlines()]
    assert config["datasets"] and all(
        d["sha256"].startswith("sha256:") for d in config["datasets"].values()
    )
    assert config["grounding_manifest_sha256"].startswith("sha256:") and config["seed"] == 12345
    assert summary["passed"] is True and all(c["passed"] for c in summary["checks"])
    suite = next(iter(summary["suites"].values()))
    assert len(rows) == suite["n_items"] >= suite["n_declared"]
    assert all(r["error"] is None and r["metrics"] for r in rows)


def test_broken_prompt_makes_make_eval_fail(
    artifacts: dict[str, str], broken_prompts: Path
) -> None:
    env = {**artifacts, "APP_PROMPTS_PATH": str(broken_prompts), "APP_PROMPT_VARIANT": "broken"}
    proc = make("eval", env)
    assert proc.returncode != 0
    assert "## Eval gate: FAILED" in proc.stdout


def test_errored_rows_fail_the_gate_closed(artifacts: dict[str, str]) -> None:
    # the app rejects questions longer than 30 characters: those items error instead of scoring
    proc = make("eval", {**artifacts, "APP_MAX_QUESTION_CHARS": "30", "APP_MAX_TEXT_CHARS": "30"})
    assert proc.returncode != 0, proc.stdout[-2000:]
    assert "| errors | error_rate |" in proc.stdout


def test_a_metric_the_run_does_not_produce_fails_closed(
    artifacts: dict[str, str], tmp_path: Path, monkeypatch
) -> None:
    for key, value in artifacts.items():
        monkeypatch.setenv(key, value)
    thresholds = yaml.safe_load((ROOT / "evals" / "thresholds.yaml").read_text())
    suite = thresholds["suites"][0]
    thresholds[suite]["floors"]["faithfulness"] = 0.5  # no scorer produces it
    path = tmp_path / "thresholds.yaml"
    path.write_text(yaml.safe_dump(thresholds))
    assert main(["run", "--thresholds", str(path)]) == 1
    summary = json.loads((latest(artifacts["EVAL_RESULTS_DIR"]) / "summary.json").read_text())
    assert {"kind": "missing", "metric": "faithfulness", "passed": False}.items() <= next(
        c for c in summary["checks"] if c["metric"] == "faithfulness"
    ).items()


def compare(a: str, b: str, artifacts: dict[str, str], monkeypatch) -> dict:
    for key, value in artifacts.items():
        monkeypatch.setenv(key, value)
    assert main(["compare", a, b, "--suite", "rag_chat"]) == 0
    return json.loads((latest(artifacts["EVAL_RESULTS_DIR"]) / "compare.json").read_text())


def test_compare_calls_a_clearly_worse_variant_worse(
    artifacts, broken_prompts, monkeypatch
) -> None:
    result = compare(
        "default", f"prompts_path={broken_prompts},prompt_variant=broken", artifacts, monkeypatch
    )
    metrics = {m["metric"]: m for m in result["metrics"]}
    for name in ("rougeL", "citation_recall"):
        assert metrics[name]["verdict"] == "worse"
        assert metrics[name]["ci_high"] < 0  # the 95% CI excludes 0
        assert metrics[name]["sign_p"] < 0.05


def test_compare_of_identical_variants_says_not_different(artifacts, monkeypatch) -> None:
    result = compare("default", "default", artifacts, monkeypatch)
    assert result["metrics"] and all(m["verdict"] == "not different" for m in result["metrics"])
    assert result["overall"] == {"rag_chat": "not different"}


def test_bad_variant_is_a_usage_error(capsys) -> None:
    assert main(["run", "--variant", "no-such-variant"]) == 2
    assert "unknown variant 'no-such-variant'" in capsys.readouterr().err
    assert main(["run", "--variant", "no_such_setting=1"]) == 2
    assert "unknown setting(s) no_such_setting" in capsys.readouterr().err
