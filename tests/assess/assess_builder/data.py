"""Fixture files for the data evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """Grounding corpus, ingestion with chunking, manifest, deletion, retrieval eval."""
    data = lv["data"]
    ev = lv["evaluation"]
    write(
        root,
        "src/app/search.py",
        'def search(store, query: str) -> list[str]:\n    """Vector search over the index."""\n    '
        "return store.similarity_search(query, k=5)\n",
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
    if data >= 4 and ev >= 2:  # a retrieval eval with a metric is Defined evaluation evidence
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
    if data >= 4 and ev >= 2:
        mk["data"].append(
            "eval-retrieval: ## recall of the new index\n\t$(UV) run python -m "
            "dataops.retrieval_eval\n"
        )
