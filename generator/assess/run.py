"""Assess one repository (collect → probes → evaluate) or a fleet of them in parallel."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from generator.assess.evaluate import Report


@dataclass(frozen=True)
class Options:
    ignore_annotations: bool = False
    model_dir: str | None = None
    template_root: str | None = None


def assess_repo(path: Path, options: Options | None = None) -> Report:
    """Everything for one repository; probe bugs become ``error`` findings, never tracebacks."""
    from generator import __version__
    from generator.assess.collect import Repo
    from generator.assess.config import load_config
    from generator.assess.custom import run_custom
    from generator.assess.evaluate import build_results, evaluate_dimension, overall
    from generator.assess.facts import Facts
    from generator.assess.findings import ERROR, Finding
    from generator.assess.model import load_model
    from generator.assess.probes import registry
    from generator.assess.template_defaults import scaffold_defaults

    options = options or Options()
    start = time.perf_counter()
    model = load_model(Path(options.model_dir) if options.model_dir else None)
    repo = Repo.scan(path)
    facts = Facts(repo)
    config = load_config(repo, model)
    annotations = [] if options.ignore_annotations else config.annotations
    model = model.with_probes([c.definition for c in config.custom])
    probes = registry()
    findings: dict[str, list[Finding]] = {}
    for definition in model.probes:
        try:
            if definition.custom:
                custom = next(c for c in config.custom if c.definition.id == definition.id)
                findings[definition.id] = run_custom(facts, custom)
            else:
                findings[definition.id] = probes[definition.id](facts)
        except Exception as exc:
            findings[definition.id] = [
                Finding(definition.id, ERROR, f"probe failed: {type(exc).__name__}: {exc}")
            ]
    grouped = build_results(model, list(model.probes), findings, annotations)
    dim_ann = {a.dimension: a for a in annotations if a.dimension}
    defaults = scaffold_defaults(
        repo, Path(options.template_root) if options.template_root else None
    )
    dims = []
    for dim in model.dimensions:
        result = evaluate_dimension(model, dim, grouped[dim.id], dim_ann.get(dim.id))
        result.scaffold_defaults = [p for p, _what, d in defaults if d == dim.id]
        dims.append(result)
    return Report(
        path=str(path),
        commit=repo.commit,
        tool_version=__version__,
        model_version=model.version,
        level_names=model.level_names,
        overall=overall(model, dims, facts.genai),
        dimensions=dims,
        notes=list(repo.notes),
        annotations=annotations,
        scaffold_defaults=[(p, what) for p, what, _d in defaults],
        config_path=config.path,
        files=len(repo.sizes),
        seconds=round(time.perf_counter() - start, 3),
    )


def _worker(args: tuple[str, Options]) -> Report:
    return assess_repo(Path(args[0]), args[1])


def assess_many(
    paths: list[Path],
    options: Options,
    jobs: int,
    progress: Callable[[int, int, Report], None] | None = None,
) -> list[Report]:
    """Assess repositories in parallel processes (order of ``paths`` kept in the result)."""
    if len(paths) == 1 or jobs <= 1:
        reports = []
        for i, p in enumerate(paths):
            rep = assess_repo(p, options)
            reports.append(rep)
            if progress:
                progress(i + 1, len(paths), rep)
        return reports
    results: dict[int, Report] = {}
    workers = max(1, min(jobs, len(paths), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: dict[Future[Report], int] = {
            pool.submit(_worker, (str(p), options)): i for i, p in enumerate(paths)
        }
        done_count = 0
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                idx = pending.pop(fut)
                results[idx] = fut.result()
                done_count += 1
                if progress:
                    progress(done_count, len(paths), results[idx])
    return [results[i] for i in range(len(paths))]
