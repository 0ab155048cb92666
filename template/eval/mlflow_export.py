"""Optional: log an eval run to MLflow (extra ``mlflow``: mlflow-skinny + sqlite backend).

Params are the run's config (flattened), metrics are the summary's means and corpus values,
artifacts are the result files. The JSON files in evals/results/ remain the record of truth.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from eval.errors import UsageError


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(data, dict):
        out: dict[str, str] = {}
        for key, value in data.items():
            out |= _flatten(value, f"{prefix}{key}.")
        return out
    return {prefix.rstrip("."): str(data)[:500]}


def log_run(results_dir: Path, config: dict[str, Any], summary: dict[str, Any]) -> str:
    """Log one run; returns the MLflow run id. Tracking URI: MLFLOW_TRACKING_URI or local sqlite."""
    try:
        import mlflow
    except ImportError:
        raise UsageError("MLflow is not installed: uv sync --extra mlflow") from None
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        mlflow.set_tracking_uri("sqlite:///mlflow.db")
    mlflow.set_experiment(os.environ.get("EVAL_MLFLOW_EXPERIMENT", "eval"))
    with mlflow.start_run(run_name=config["run_id"]) as run:
        mlflow.log_params(_flatten({k: v for k, v in config.items() if k != "signatures"}))
        metrics: dict[str, float] = {}
        for suite, data in summary["suites"].items():
            metrics |= {f"{suite}.{m}": v["mean"] for m, v in data["metrics"].items()}
            metrics |= {f"{suite}.{m}": v for m, v in data["corpus"].items()}
            metrics[f"{suite}.error_rate"] = data["error_rate"]
        mlflow.log_metrics({k.replace("@", "_at_"): float(v) for k, v in metrics.items()})
        mlflow.set_tag("gate", "passed" if summary["passed"] else "failed")
        mlflow.log_artifacts(str(results_dir))
        return str(run.info.run_id)
