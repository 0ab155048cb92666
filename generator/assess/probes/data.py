"""Grounding data & DataOps: corpus → ingestion as code with chunking config → automated,
versioned ingestion → gated refresh and deletion."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from generator.assess.datasets import PLACEHOLDER
from generator.assess.facts import entrypoints
from generator.assess.probes import probe
from generator.assess.probes._util import fail, hit_ok, meaningful_lines, na, ok, run_ok

if TYPE_CHECKING:
    from generator.assess.chains import Leaf
    from generator.assess.facts import Facts
    from generator.assess.findings import Finding

# retrieval by the clients and calls that do it (a word such as "retrieval" in an evaluation
# tool's metric names is not retrieval code)
RETRIEVAL = re.compile(
    r"\bSearchClient\b|azure\.search\.documents|chromadb|\bfaiss\b|qdrant|pgvector|pinecone|"
    r"weaviate|pymilvus|opensearch|VectorStore\w*|vector_store|as_retriever\(|similarity_search|"
    r"sqlite_vec|\bfts5\b|embeddings\.create\(|\.embed_documents\(|KnowledgeBase|"
    r"retrieve_and_generate|RetrievalQA|\bingest\w*\s*\(|text_splitter|chunk_size"
)
# code that builds or queries an index over documents (not the word "retrieve" in a comment)
RETRIEVAL_CODE = re.compile(
    r"SearchIndex(?:er)?Client|VectorStoreIndex|from_documents\(|add_documents\(|"
    r"upload_documents\(|\.upsert\(|create_index\(|similarity_search|as_retriever\(|"
    r"pgvector|Vector\(\d+\)|KnowledgeBase|chromadb\.|FAISS\.|qdrant_client"
)
CORPUS_DIRS = (
    "data/docs",
    "data/corpus",
    "data/grounding",
    "data/documents",
    "data/knowledge",
    "corpus",
    "knowledge",
    "grounding",
)
INDEX_CONFIG = re.compile(
    r"\b(index_name|search_endpoint|vector_store|collection_name|search_index)\b\s*[:=]\s*\S"
)
INGEST_TARGET = re.compile(
    r"^(ingest|index|build-index|reindex|re-index|refresh-index|index-refresh|load-data)$", re.I
)
INGEST_NAME = re.compile(
    r"(^|[-_./])(ingest\w*|reindex|refresh[-_]index|build[-_]index)([-_./]|$)", re.I
)
CHUNK_CONFIG = re.compile(
    r"(?<!iter_content\()(?<!batch_)\bchunk[_-]?(size|overlap|tokens|chars|length)\w*\s*"
    r"(:\s*[\w\[\], ]+\s*)?[=:]\s*(?:int\()?\s*\d+|"
    r"chunk[_-]?(size|overlap)[\"']\s*,\s*[\"']?\d+|"  # os.getenv("CHUNK_SIZE", "1024")
    r"\b(maximum_page_length|page_overlap_length|overlapPercentage|max_chunk_tokens)\s*[=:]\s*\d+",
    re.I,
)
HASHING = re.compile(r"sha256|sha1|md5|blake2|hashlib|content_hash|xxhash", re.I)
# removing the chunks of a deleted document, not deleting a whole index or a chat thread
DELETE = re.compile(
    r"def\s+(delete|remove|purge|forget|prune)_?\w*(doc|chunk|source|file|page|record|vector|"
    r"embedding)\w*|DELETE\s+FROM\s+\w*(chunk|doc|embedding|vector|page)\w*|"
    r"\.delete_documents\(|\.remove_documents\(|\.delete\(\s*(ids|where|filter)\s*=",
    re.I,
)


DOC_EXTS = (".md", ".txt", ".pdf", ".docx", ".html", ".csv", ".json", ".jsonl", ".rst", ".pptx")
_CORPUS_DIR = re.compile(
    r"(^|/)(data|docs?|documents|corpus|knowledge|grounding|files|manuals?|sample[-_]?(data|docs|"
    r"documents))/",
    re.I,
)
# a file named for what it holds: seed data, documents, products, a knowledge base
_CORPUS_NAME = re.compile(
    r"(^|/)[^/]*(seed|documents?|products?|corpus|knowledge|articles|faqs?|manuals?)[^/]*"
    r"\.(json|jsonl|csv|md|txt|pdf)$",
    re.I,
)
_NOT_CORPUS = re.compile(
    r"(^|/)(tests?|fixtures?|node_modules|\.github|eval\w*|results?|outputs?|site-packages)/|"
    r"(^|/)(README|CHANGELOG|LICENSE|CONTRIBUTING|SECURITY|CODE_OF_CONDUCT)[^/]*$|"
    r"(package|tsconfig|package-lock)\.json$",
    re.I,
)


# API descriptions name properties (`index_name`, `max_chunk_size_tokens`), they set nothing
_API_SCHEMA = re.compile(r"openapi|swagger|schema|\.api\.|(^|/)specs?/", re.I)


def corpus_files(facts: Facts) -> list[str]:
    """Documents in data-like folders at any depth (the root ``docs/`` is the project's own
    documentation, not a corpus; ``data/docs`` is)."""
    out = []
    docs = facts.repo.glob("**/*.{" + ",".join(e[1:] for e in DOC_EXTS) + "}")
    for rel in docs:
        if rel.startswith(("docs/", "doc/")) and not rel.startswith(("docs/data/",)):
            continue
        if _NOT_CORPUS.search(rel) or not (_CORPUS_DIR.search(rel) or _CORPUS_NAME.search(rel)):
            continue
        out.append(rel)
        if len(out) >= 400:
            break
    return sorted(out)


def applicable(facts: Facts) -> str | None:
    """None when retrieval is present, else the reason the dimension does not apply."""
    if any(facts.repo.under(d) for d in CORPUS_DIRS):
        return None
    if facts.repo.grep(RETRIEVAL, facts.app_code, first_only=True, max_hits=1):
        return None
    if entrypoints(facts, INGEST_TARGET):
        return None
    return "no retrieval or ingestion code, index configuration or grounding corpus found"


def _na(facts: Facts, pid: str) -> list[Finding] | None:
    reason = applicable(facts)
    return [na(pid, reason)] if reason else None


def is_ingest(leaf: Leaf) -> bool:
    return any(
        INGEST_NAME.search(h.text)
        for h in leaf.hops
        if h.kind in ("make", "module", "package-script")
    ) or bool(INGEST_NAME.search(leaf.text))


@probe("data.corpus")
def corpus(facts: Facts) -> list[Finding]:
    pid = "data.corpus"
    if (skip := _na(facts, pid)) is not None:
        return skip
    real: list[str] = []
    rows: list[str] = []
    known = list(dict.fromkeys([r for d in CORPUS_DIRS for r in facts.repo.under(d)]))

    def candidates() -> Iterator[str]:  # the usual folders first; a wider search only if needed
        yield from known[:400]
        if facts.genai is not None or known:
            yield from (c for c in corpus_files(facts) if c not in known)

    for rel in candidates():
        if rel.endswith((".pdf", ".docx", ".pptx")):
            if facts.repo.size(rel) > 1024:
                real.append(rel)
            continue
        text = facts.repo.text(rel) or ""
        body = "".join(text.split())
        if (
            rel.endswith((".csv", ".jsonl", ".json"))
            and len(body) >= 200
            and (text.count("\n") >= 10 or text.count('"') >= 40)
        ):
            real.append(rel)  # rows of documents (a products table, a seed file)
            rows.append(rel)
        elif len(body) >= 200 and not PLACEHOLDER.match(text.strip()[:200]):
            real.append(rel)
        if len(real) >= 3:
            break
    if len(real) >= 3:
        return [ok(pid, f"{len(real)} grounding documents (e.g. {real[0]})", real[0])]
    if rows:
        return [ok(pid, f"{rows[0]} holds the grounding records", rows[0])]
    code = facts.repo.grep(RETRIEVAL_CODE, facts.app_code, first_only=True, max_hits=1)
    if real and code:
        return [
            ok(pid, f"grounding document {real[0]}", real[0]),
            hit_ok(pid, "indexed by", code[0]),
        ]
    cfg = [
        p
        for p in facts.repo.glob("**/*.{yaml,yml,json,toml}") + facts.repo.glob("**/.env.example")
        if "/workflows/" not in p and not _API_SCHEMA.search(p)
    ][:500]
    hits = facts.repo.grep(INDEX_CONFIG, cfg, first_only=True, max_hits=1)
    if hits:
        return [hit_ok(pid, "retrieval index configured", hits[0])]
    return [
        fail(pid, f"only {len(real)} non-trivial grounding document(s) and no index configuration")
    ]


def ingest_leaves(facts: Facts) -> list[Leaf]:
    out = []
    for leaf in entrypoints(facts, INGEST_TARGET):
        files, text = facts.chain_context(leaf)
        code = sum(meaningful_lines(facts.repo.text(f)) for f in files if f.endswith(".py"))
        if code >= 10 and re.search(r"chunk", text, re.I):
            out.append(leaf)
    return out


@probe("data.ingest.entrypoint")
def ingest_entrypoint(facts: Facts) -> list[Finding]:
    pid = "data.ingest.entrypoint"
    if (skip := _na(facts, pid)) is not None:
        return skip
    leaves = ingest_leaves(facts)
    if leaves:
        leaf = leaves[0]
        return [
            ok(
                pid,
                f"`{leaf.hops[1].text if len(leaf.hops) > 1 else leaf.text}` runs "
                f"`{leaf.text[:80]}`",
                leaf.hops[-1].path or None,
                leaf.hops[-1].line or None,
            )
        ]
    return [fail(pid, "no ingest entrypoint that reaches chunking code")]


@probe("data.chunking.config")
def chunking_config(facts: Facts) -> list[Finding]:
    pid = "data.chunking.config"
    if (skip := _na(facts, pid)) is not None:
        return skip
    cfg = [
        p
        for p in facts.repo.glob("**/*.{yaml,yml,toml,json,env,example}")
        if "/workflows/" not in p and not _API_SCHEMA.search(p)
    ][:500]
    # the first setting that sizes chunks of documents, not a download or a batch
    first = next(
        (
            h
            for h in facts.repo.hits(CHUNK_CONFIG, facts.app_code + cfg)
            if not re.search(r"iter_content|embedding|batch|stream|read\(", h.snippet, re.I)
        ),
        None,
    )
    hits = [first] if first else []
    if hits:
        return [hit_ok(pid, "chunking parameters", hits[0])]
    return [fail(pid, "no numeric chunk_size / chunk_overlap in settings or config")]


@probe("data.ingest.automated")
def ingest_automated(facts: Facts) -> list[Finding]:
    pid = "data.ingest.automated"
    if (skip := _na(facts, pid)) is not None:
        return skip
    runs = list(facts.workflows.select(is_ingest, {"schedule", "workflow_dispatch", "push"}))
    gated = [r for r in runs if r.gate]
    if gated:
        return [run_ok(pid, "ingestion automated", gated[0])]
    if runs:
        return [
            fail(pid, f"ingestion step cannot fail: {r.why_not}", r.workflow.path, r.step.line)
            for r in runs[:3]
        ]
    return [fail(pid, "no workflow runs the ingestion")]


@probe("data.version.manifest")
def version_manifest(facts: Facts) -> list[Finding]:
    pid = "data.version.manifest"
    if (skip := _na(facts, pid)) is not None:
        return skip
    dvc = facts.repo.glob("**/*.dvc") + facts.repo.glob("**/dvc.yaml")
    if dvc:
        return [ok(pid, "data versioned with DVC", dvc[0])]
    for leaf in ingest_leaves(facts):
        files, text = facts.chain_context(leaf)
        if re.search(r"manifest", text, re.I) and HASHING.search(text):
            where = next(
                (f for f in sorted(files) if "manifest" in (facts.repo.text(f) or "")), None
            )
            return [ok(pid, "ingestion writes a manifest with content hashes", where)]
    for rel in facts.repo.glob("**/*manifest*.json"):
        if HASHING.search(facts.repo.text(rel) or ""):
            return [ok(pid, "committed data manifest with hashes", rel)]
    return [fail(pid, "grounding data is not versioned (no DVC, no manifest with content hashes)")]


@probe("data.refresh.gated")
def refresh_gated(facts: Facts) -> list[Finding]:
    pid = "data.refresh.gated"
    if (skip := _na(facts, pid)) is not None:
        return skip
    runs = facts.workflows.runs
    for ing in runs:
        if not (ing.gate and is_ingest(ing.leaf)):
            continue
        for ev in runs:
            if (
                ev.workflow is ing.workflow
                and ev.gate
                and facts.is_eval(ev.leaf)
                and (
                    (ev.job is ing.job and ev.step.index > ing.step.index)
                    or ing.job.id in ev.job.needs
                )
            ):
                return [run_ok(pid, "retrieval eval after ingestion", ev)]
        _files, text = facts.chain_context(ing.leaf)
        if re.search(r"recall|evaluat", text, re.I) and re.search(r"alias|promot|swap", text, re.I):
            return [run_ok(pid, "refresh evaluates the new index before switching", ing)]
    return [fail(pid, "no index refresh is gated by a retrieval evaluation")]


@probe("data.deletion")
def deletion(facts: Facts) -> list[Finding]:
    pid = "data.deletion"
    if (skip := _na(facts, pid)) is not None:
        return skip
    files = [p for p in facts.app_code if re.search(r"ingest|store|retriev|index|search", p, re.I)]
    hits = facts.repo.grep(DELETE, files, first_only=True, max_hits=1)
    if hits:
        return [hit_ok(pid, "deletion path", hits[0])]
    return [fail(pid, "ingestion and store code never delete the chunks of removed documents")]
