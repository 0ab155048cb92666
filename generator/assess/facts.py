"""Facts shared by several probes, derived once per repository from the collected files."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any

from generator.assess import datasets as ds_mod
from generator.assess import thresholds as th_mod
from generator.assess.chains import Leaf, Resolver
from generator.assess.collect import Hit, read_inside
from generator.assess.workflows import CHANGE_EVENTS, Job, Step, StepRun, Workflow, WorkflowIndex

if TYPE_CHECKING:
    from generator.assess.collect import Repo

EVAL_TARGET = re.compile(r"^(evals?|evaluate|evaluation|eval[-_][\w-]+|[\w-]+[-_]evals?)$", re.I)
# an eval module or script by its name: `evals.run`, `evaluate.py`, also as one word of a
# snake_case name (`llmops.eval_experiments`, `common.prompt_eval`); not `retrieval`
EVAL_MODULE = re.compile(r"(^|[./_])(evals?|evaluat\w*|evaluation)([./_]|$)", re.I)
EVAL_TOOL = re.compile(
    r"^(promptfoo\s+(eval|redteam)|deepeval\s+test|pf\s+run|bt\s+eval|ragas\b|"
    r"azure-ai-evaluation|inspect\s+eval|lm_eval|giskard|adk\s+eval|azd\s+ai\s+eval|"
    r"pytest\s+(\S+/)?\S*evals?\b|mlflow\s+evaluate|openai\s+evals)",
    re.I,
)
NOT_EVAL = re.compile(r"compare|lint|install|format|clean|baseline-update", re.I)
DEPLOY = re.compile(
    r"\baz\s+containerapp\s+(update|create|up|revision|ingress)|\bazd\s+(deploy|up)\b|"
    r"\baz\s+(webapp|functionapp)\s+(deploy|deployment|up)|\baz\s+ml\s+online-(endpoint|deployment)|"
    r"\bkubectl\s+(apply|set\s+image|rollout)|\bhelm\s+(upgrade|install)\b|\baz\s+acr\s+build|"
    # other clouds and tools, by what the command does
    r"\bgcloud\s+(run|functions|app)\s+deploy\b|\bgcloud\s+builds\s+submit\b|"
    r"\bterraform\s+apply\b|\bdocker\s+push\b|\bcdk\s+deploy\b|\bsam\s+deploy\b|"
    r"\bserverless\s+deploy\b|\bpulumi\s+up\b|\baws\s+(ecs\s+update-service|lambda\s+"
    r"update-function-code|cloudformation\s+deploy|apprunner)|\bflyctl\s+deploy\b|"
    r"\bvercel\s+deploy\b|\bfirebase\s+deploy\b|\banyscale\s+service\s+(deploy|rollout)\b|"
    r"\bmodal\s+deploy\b|\bgcloud\s+ai\s+endpoints\s+deploy|\baz\s+deployment\s+\w+\s+create\b|"
    r"(^|[./])(deploy|deployment)[./]\w*(provision|deploy|release)\w*$|"
    r"^(deploy|canary|release|promote|rollout)([-_][\w-]+)?$|"
    # the module or script actually run: `deploy.canary`, `scripts/deploy.sh`, not every module
    # of a `deploy/` package (`deploy.monitor` watches production, it deploys nothing)
    r"(^|[./])(deploy|canary)(\.(sh|bash|py|ps1|js|ts|mjs))?$",
    re.I,
)
TEST_CMD = re.compile(
    r"^(pytest|py\.test|tox|nox|go\s+test|cargo\s+test|jest|vitest|mvn\s+test|"
    r"npm\s+test|unittest|hatch\s+test)\b|^(test|tests|unit|unit-tests?|check)$",
    re.I,
)
# GenAI practice: an LLM SDK or framework imported by code or declared as a dependency
_LLM_PY = (
    r"openai|anthropic|langchain\w*|llama_index|semantic_kernel|promptflow|litellm|ollama|"
    r"google\.genai|google\.generativeai|vertexai|google\.adk|dspy|haystack|autogen\w*|"
    r"crewai|mistralai|cohere|groq|pydantic_ai|azure\.ai\.(?:inference|projects|agents|"
    r"evaluation)|guidance|instructor"
)
LLM_IMPORT = re.compile(rf"^[ \t]*(?:from|import)[ \t]+(?:{_LLM_PY})\b", re.M)
LLM_JS_IMPORT = re.compile(
    r"(?:from|require\()\s*[\"'](?:openai|@azure/openai|@anthropic-ai/sdk|langchain|"
    r"@langchain/[\w-]+|ai|@ai-sdk/[\w-]+|@google/genai|@google/generative-ai|llamaindex)[\"']"
)
LLM_DEPENDENCY = re.compile(
    r"(?m)(?:^|[\[,])[ \t]*[\"']?(?:openai|anthropic|langchain[\w-]*|llama-index[\w-]*|"
    r"semantic-kernel|promptflow[\w-]*|litellm|ollama|google-genai|google-generativeai|google-cloud-aiplatform|"
    r"google-adk|dspy(?:-ai)?|haystack-ai|autogen[\w-]*|crewai|mistralai|azure-ai-inference|"
    r"azure-ai-projects|azure-ai-evaluation|@azure/openai|@anthropic-ai/sdk|@langchain/[\w-]+|"
    r"@ai-sdk/[\w-]+|@google/genai)[\"']?\s*(?:[=<>~!\[\];:,]|$)"
)
# judges that score an answer against the question (and retrieved context), not a reference
REFERENCE_FREE = re.compile(
    r"\b(?:gpt_)?(?:groundedness|relevance|coherence|fluency|faithfulness|answer_relevancy)"
    r"\w*|llm-rubric|criteria\s*=",
    re.I,
)
_COMMENT_LINE = re.compile(r"^\s*(#|//|\*|/\*|--|<!--)")
# a generator's template folders ({{cookiecutter.x}}, {% if %}) describe other repositories
_TEMPLATE_PATH = re.compile(r"\{\{|\{%|(^|/)node_modules/|\.tmpl(/|$)")
# a model endpoint reached without a framework import (boto3 Bedrock, .NET/Java/Go SDKs)
LLM_CALL = re.compile(
    r"[\"']bedrock-(?:agent-)?runtime[\"']|BedrockRuntimeClient|ChatBedrock\w*|"
    r"\bInvokeModel(?:Command|WithResponseStream)?\b|using\s+Microsoft\.SemanticKernel|"
    r"using\s+Azure\.AI\.OpenAI|dev\.langchain4j|org\.springframework\.ai|"
    r"github\.com/(?:sashabaranov/go-openai|openai/openai-go|tmc/langchaingo)"
)
LLM_PACKAGE = re.compile(
    r"Include=\"(?:Microsoft\.SemanticKernel|Azure\.AI\.OpenAI|OpenAI|Anthropic\.SDK|"
    r"Microsoft\.KernelMemory|LangChain)[\w.]*\"|<artifactId>(?:langchain4j|spring-ai)[\w-]*<|"
    r"github\.com/(?:sashabaranov/go-openai|openai/openai-go|tmc/langchaingo)"
)
# a command-line tool's eval subcommand: typer/click `@app.command()` over `def evaluate(`, a
# named `@cli.command("eval")`, argparse `add_parser("evaluate")`
CLI_EVAL = re.compile(
    r"@[\w.]+\.command\(\s*(?:name\s*=\s*)?[\"'](?P<named>eval\w*)[\"']|"
    r"@[\w.]+\.command\([^)\n]*\)\s*\n(?:[ \t]*@[^\n]*\n)*[ \t]*(?:async\s+)?def\s+"
    r"(?P<func>eval(?:uate|uation)?)\s*\(|"
    r"add_parser\(\s*[\"'](?P<sub>eval(?:uate|uation)?)[\"']"
)
TEST_PATH = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")
# the eval harness `genaiops add eval` brought (its answers file says so) is tooling around the
# app: its tracing, token counts and credentials are the harness's, not the workload's
ADDED_HARNESS = (".copier-answers.eval.yml", "eval/")


class Facts:
    """Everything probes read: the repo, resolved workflows and shared derived evidence."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.resolver = Resolver(repo)
        # keyed by the leaf's value: an id() can be reused once a temporary leaf is freed
        self._chain_cache: dict[Leaf, tuple[set[str], str]] = {}
        self._prompt_meta: dict[str, dict[str, Any]] = {}

    @cached_property
    def workflows(self) -> WorkflowIndex:
        return WorkflowIndex(self.repo, self.resolver)

    @cached_property
    def app_code(self) -> list[str]:
        answers, harness = ADDED_HARNESS
        tooling = (harness,) if self.repo.exists(answers) else ()
        return [
            p
            for p in self.repo.code_files
            if not TEST_PATH.search(p)
            and not p.startswith(("bench/", "benchmarks/", "docs/", "scripts/", *tooling))
        ]

    @cached_property
    def test_files(self) -> list[str]:
        return [
            p
            for p in self.repo.sizes
            if TEST_PATH.search(p) and p.endswith((".py", ".ts", ".js", ".go"))
        ]

    @cached_property
    def genai(self) -> str | None:
        """Where the repository shows GenAI practice ("path:line what"), or None.

        An LLM SDK or framework imported by code or declared as a dependency, or a prompt
        asset (``.prompty``, a prompt flow). This is what separates a GenAI workload (at least
        Initial) from a classical ML or empty repository (level 0).
        """
        hits = self.repo.grep(LLM_IMPORT, self.repo.code_files, first_only=True, max_hits=1)
        if hits:
            return f"{hits[0].path}:{hits[0].line} imports an LLM SDK (`{hits[0].snippet[:60]}`)"
        js = [p for p in self.repo.glob("**/*.{ts,tsx,js,mjs}") if "node_modules" not in p][:500]
        hits = self.repo.grep(LLM_JS_IMPORT, js, first_only=True, max_hits=1)
        if hits:
            return f"{hits[0].path}:{hits[0].line} imports an LLM SDK (`{hits[0].snippet[:60]}`)"
        templated = [  # a generator's templates (`app.py.jinja`, `{% if %}client.py{% endif %}`)
            p for p in self.repo.glob("**/*.jinja") if ".py" in p.rsplit("/", 1)[-1]
        ][:300]
        hits = self.repo.grep(LLM_IMPORT, templated, first_only=True, max_hits=1)
        if hits:
            return f"{hits[0].path}:{hits[0].line} imports an LLM SDK (`{hits[0].snippet[:60]}`)"
        manifests = [
            p
            for p in self.repo.glob(
                "**/{pyproject.toml,package.json,environment.yml,pyproject.toml.jinja}"
            )
            + self.repo.glob("**/requirements*.{txt,in}")
            if p.count("/") <= 3
        ][:200]
        hits = self.repo.grep(LLM_DEPENDENCY, manifests, first_only=True, max_hits=1)
        if hits:
            return f"{hits[0].path}:{hits[0].line} depends on an LLM SDK (`{hits[0].snippet[:60]}`)"
        other = [
            p
            for p in self.repo.glob("**/*.{csproj,fsproj}")
            + self.repo.glob("**/{pom.xml,go.mod,build.gradle,build.gradle.kts}")
            if p.count("/") <= 3
        ][:100]
        hits = self.repo.grep(LLM_PACKAGE, other, first_only=True, max_hits=1)
        if hits:
            return f"{hits[0].path}:{hits[0].line} depends on an LLM SDK (`{hits[0].snippet[:60]}`)"
        sources = self.repo.code_files + js + self.repo.glob("**/*.{cs,java,go}")[:500]
        hits = self.repo.grep(LLM_CALL, sources, first_only=True, max_hits=1)
        if hits:
            return (
                f"{hits[0].path}:{hits[0].line} calls a model endpoint (`{hits[0].snippet[:60]}`)"
            )
        prompts = (
            self.repo.glob("**/*.prompty")
            + self.repo.glob("**/flow.{dag,flex}.yaml")
            + self.repo.glob("**/prompts/**/*.{txt,md,yaml,yml,jinja,jinja2,j2,json}")
        )
        for rel in prompts[:50]:
            if len("".join((self.repo.text(rel) or "").split())) >= 40:
                return f"{rel} is a prompt asset"
        return None

    @cached_property
    def code_host(self) -> tuple[str | None, str]:
        """Where the repository is hosted (``github``, ``azure-repos``, ``gitlab`` or None) and
        what shows it: the git remote, else the host's own folders (``.github/``,
        ``.gitlab/``), else Azure Pipelines as the only CI (Azure Repos' own pipelines). Code
        owners, token permissions and action pinning are features of a host."""
        config = read_inside(self.repo.root, ".git/config") or ""
        for url in re.findall(r"^[ \t]*url[ \t]*=[ \t]*(\S+)", config, re.M):
            if re.search(r"(^|[@/.])(dev\.azure\.com|visualstudio\.com)[:/]", url):
                return "azure-repos", f"its git remote is {url.split('@')[-1][:80]}"
            if re.search(r"(^|[@/.])github\.com[:/]", url):
                return "github", "its git remote is on GitHub"
            if re.search(r"(^|[@/.])gitlab\.", url):
                return "gitlab", "its git remote is on GitLab"
        if self.repo.under(".github"):
            return "github", "it has a .github/ folder"
        if self.repo.exists(".gitlab-ci.yml") or self.repo.under(".gitlab"):
            return "gitlab", "it has GitLab CI files"
        systems = {w.system for w in self.workflows.workflows}
        if systems == {"azure-pipelines"}:
            return "azure-repos", "its only CI is Azure Pipelines and it has no .github/ folder"
        return None, ""

    # ----- files by role (collected once; probes only decide) ------------------------------
    @cached_property
    def prompt_files(self) -> list[str]:
        from generator.assess.prompt_assets import find_prompt_files

        return find_prompt_files(self.repo)

    def prompt_metadata(self, rel: str) -> dict[str, Any]:
        from generator.assess.prompt_assets import read_metadata

        if rel not in self._prompt_meta:
            self._prompt_meta[rel] = read_metadata(self.repo, rel)
        return self._prompt_meta[rel]

    @cached_property
    def iac_files(self) -> list[str]:
        """Infrastructure as code: Bicep, Terraform, ARM JSON, CDK apps (any cloud)."""
        files = self.repo.glob("**/*.{bicep,bicepparam,tf,tfvars}") + [
            p for p in self.repo.glob("**/*.json") if p.startswith(("infra/", "deploy/", "arm/"))
        ]
        for cdk in self.repo.glob("**/cdk.json"):
            base = cdk.rsplit("/", 1)[0] + "/" if "/" in cdk else ""
            files += [
                p
                for p in self.repo.glob(base + "{bin,lib}/**/*.{ts,py,js}")
                if "node_modules" not in p
            ]
        return [p for p in dict.fromkeys(files) if not _TEMPLATE_PATH.search(p)][:2000]

    @cached_property
    def config_files(self) -> list[str]:
        """IaC plus deployment manifests (Kubernetes, compose, Dockerfiles, azd)."""
        extra = [
            p
            for p in self.repo.glob("**/*.{yaml,yml}")
            if re.search(r"(^|/)(k8s|kubernetes|manifests?|deploy|deployment|charts?|infra)/", p)
            or re.search(r"(^|/)(docker-)?compose[^/]*\.ya?ml$|(^|/)azure\.yaml$", p)
        ]
        docker = [p for p in self.repo.glob("**/Dockerfile*") if p.count("/") <= 3]
        return list(dict.fromkeys(self.iac_files + extra[:500] + docker[:50]))

    @cached_property
    def env_files(self) -> list[str]:
        """Settings templates and declared app settings (where framework switches live)."""
        names = self.repo.glob("**/.env.{example,sample,template,dist}") + self.repo.glob(
            "**/{example.env,sample.env,azure.yaml,app.yaml,appsettings.json}"
        )
        return [p for p in names if p.count("/") <= 4][:200] + self.iac_files[:500]

    @cached_property
    def policy_files(self) -> list[str]:
        return (
            self.repo.glob("**/*policy*.xml")[:200] + self.repo.glob("**/policies/**/*.xml")[:200]
        )

    def code_grep(self, rx: re.Pattern[str], paths: list[str]) -> list[Hit]:
        """The first hit of ``rx`` that is code, not a comment (one hit at most)."""
        hit = next(
            (h for h in self.repo.hits(rx, paths) if not _COMMENT_LINE.match(h.snippet)), None
        )
        return [hit] if hit else []

    @cached_property
    def project_dirs(self) -> list[str]:
        """Folders holding a project manifest (root first): where apps and their commands live."""
        manifests = self.repo.glob("**/{pyproject.toml,package.json,Makefile,setup.py,go.mod}")
        dirs = {"" if "/" not in m else m.rsplit("/", 1)[0] for m in manifests}
        keep = [
            d
            for d in dirs
            if d.count("/") <= 3 and not _TEMPLATE_PATH.search(d + "/") and "node_modules" not in d
        ]
        return sorted(keep, key=lambda d: (d.count("/"), d))[:50]

    # ----- command classification -----------------------------------------------------------
    @staticmethod
    def is_eval(leaf: Leaf) -> bool:
        for hop in leaf.hops:
            if hop.kind == "make" and EVAL_TARGET.match(hop.text) and not NOT_EVAL.search(hop.text):
                return True
            if (
                hop.kind in ("module", "package-script")
                and EVAL_MODULE.search(hop.text)
                and not NOT_EVAL.search(hop.text)
            ):
                return True
        text = leaf.text
        if EVAL_TOOL.search(text):
            return True
        module = _python_module(leaf.argv)
        return bool(module and EVAL_MODULE.search(module) and not NOT_EVAL.search(module))

    @staticmethod
    def is_test(leaf: Leaf) -> bool:
        if any(
            h.kind == "make" and re.match(r"^(test|tests|unit|unit-tests?)$", h.text)
            for h in leaf.hops
        ):
            return True
        return bool(TEST_CMD.search(leaf.text) or (leaf.argv and leaf.argv[0].endswith("pytest")))

    @staticmethod
    def is_deploy(leaf: Leaf) -> bool:
        return any(
            DEPLOY.search(name)
            for name in leaf.names()
            if not name.startswith(("lint", "make lint"))
        )

    # ----- eval evidence --------------------------------------------------------------------
    @cached_property
    def eval_gate_candidates(self) -> list[StepRun]:
        """Eval-looking commands run on a change event as steps that can fail."""
        return [r for r in self.workflows.select(self.is_eval, CHANGE_EVENTS) if r.gate]

    @cached_property
    def eval_gates(self) -> list[StepRun]:
        """The candidates that reach real evaluation code: the one set every probe reads, so
        no two probes disagree about the same step."""
        return [r for r in self.eval_gate_candidates if self.reaches_code(r.leaf)]

    def reaches_code(self, leaf: Leaf) -> bool:
        """At least 10 meaningful lines of code on the chain, or a known evaluation tool."""
        if EVAL_TOOL.search(leaf.text):
            return True
        files, _text = self.chain_context(leaf)
        lines = 0
        for f in files:
            if f.endswith((".mk", "Makefile")):
                continue
            text = self.repo.text(f) or ""
            lines += sum(
                1 for ln in text.splitlines() if ln.strip() and not _COMMENT_LINE.match(ln)
            )
            if lines >= 10:
                return True
        return False

    @cached_property
    def eval_scripts(self) -> list[Leaf]:
        """Runnable evaluation scripts (``python evals/evaluate.py``): a main guard in a file
        whose path says it evaluates, run from the folder of its project."""
        out: list[Leaf] = []
        for rel in self.repo.code_files:
            if len(out) >= 10 or not EVAL_MODULE.search(rel.removesuffix(".py")):
                continue
            if NOT_EVAL.search(rel) or TEST_PATH.search(rel):
                continue
            text = self.repo.text(rel) or ""
            if re.search(r"^if __name__ == [\"']__main__[\"']", text, re.M):
                out.extend(self.resolver.resolve_command(f"python {rel}"))
        out.extend(self.cli_eval_commands)
        return out

    @cached_property
    def cli_eval_commands(self) -> list[Leaf]:
        """A package's command line with an eval subcommand, run as its users run it:
        ``python -m pkg evaluate`` when the package has a ``__main__``."""
        out: list[Leaf] = []
        for rel in self.app_code:
            folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
            if not folder or not rel.endswith(".py"):
                continue
            text = self.repo.text(rel) or ""
            # literal prefilter: most modules define no command line
            if "eval" not in text or ("command(" not in text and "add_parser(" not in text):
                continue
            m = CLI_EVAL.search(text)
            name = m and (m.group("named") or m.group("func") or m.group("sub"))
            package = folder.removeprefix("src/").replace("/", ".")
            if name and self.repo.exists(f"{folder}/__main__.py"):
                out.extend(self.resolver.resolve_command(f"python -m {package} {name}"))
            if len(out) >= 5:
                break
        return out

    @cached_property
    def eval_runs_any(self) -> list[StepRun]:
        return list(self.workflows.select(self.is_eval))

    def chain_context(self, leaf: Leaf) -> tuple[set[str], str]:
        """Files on a command chain (plus the package of a Python module) and their text."""
        key = leaf
        if key in self._chain_cache:
            return self._chain_cache[key]
        files = {f for f in leaf.files if f}
        for f in list(files):
            if f.endswith(".py"):
                files.update(self.package_files(f))
        parts = [" ".join(leaf.names())]
        for f in sorted(files):
            text = self.repo.text(f)
            if text:
                parts.append(text)
        result = (files, "\n".join(parts))
        self._chain_cache[key] = result
        return result

    def package_files(self, module_file: str) -> list[str]:
        """Python files of the top-level package holding ``module_file`` (bounded)."""
        parts = module_file.split("/")
        if parts[0] in ("src", "app", "lib") and len(parts) > 2:
            top = "/".join(parts[:2])
        elif len(parts) > 1:
            top = parts[0]
        else:
            return [module_file]
        return [p for p in self.repo.under(top) if p.endswith(".py")][:300]

    @cached_property
    def threshold_candidates(self) -> list[str]:
        pats = (
            "**/*threshold*.{yaml,yml,json,toml}",
            "evals/*.{yaml,yml,json,toml}",
            "eval/*.{yaml,yml,json,toml}",
            "evaluations/*.{yaml,yml,json,toml}",
            "**/promptfooconfig.{yaml,yml,json}",
            "**/*eval*config*.{yaml,yml,json,toml}",
        )
        out: list[str] = []
        for p in pats:
            out.extend(x for x in self.repo.glob(p) if x not in out and "/results/" not in x)
        return out

    def referenced(self, rel: str, text: str) -> bool:
        """Does ``text`` (a chain's text) refer to the file ``rel`` (path, name or folder)?

        A folder also counts when code builds it from parts (``Path("data") / "eval"``).
        """
        base = rel.rsplit("/", 1)[-1]
        folder = rel.rsplit("/", 1)[0] if "/" in rel else None
        if rel in text or re.search(r"(?<![\w.-])" + re.escape(base) + r"(?![\w-])", text):
            return True
        if not folder or folder.count("/") < 1:
            return False
        if re.search(re.escape(folder) + r"(?![\w-])", text):
            return True
        glue = r"[\"']?\s*\)?\s*(?:/|,)\s*\(?\s*[\"']"
        return bool(re.search(glue.join(re.escape(p) for p in folder.split("/")) + r"[\"'/]", text))

    @cached_property
    def gate_thresholds(self) -> tuple[list[th_mod.Threshold], list[str]]:
        """Thresholds read by a gated eval chain, and the config files they came from."""
        found: list[th_mod.Threshold] = []
        sources: list[str] = []
        for run in self.eval_gates:
            found.extend(th_mod.from_argv(run.leaf.argv))
            _files, text = self.chain_context(run.leaf)
            for cand in self.threshold_candidates:
                if cand in sources or not self.referenced(cand, text):
                    continue
                data = self.repo.config(cand)
                got = th_mod.from_config(data, cand) if data is not None else []
                if got:
                    sources.append(cand)
                    found.extend(got)
        return found, sources

    @cached_property
    def datasets(self) -> list[ds_mod.Dataset]:
        return ds_mod.find_datasets(self.repo)

    def good_datasets(self, minimum: int = 10) -> list[ds_mod.Dataset]:
        """Datasets with enough real records; question-only ones only where the eval code
        uses reference-free judges (groundedness, relevance, coherence ...)."""
        return [
            d
            for d in self.datasets
            if d.valid >= minimum and (not d.reference_free or self.reference_free_metrics)
        ]

    @cached_property
    def reference_free_metrics(self) -> bool:
        files = [p for p in self.repo.code_files if re.search(r"eval", p, re.I)][:300]
        return bool(self.repo.grep(REFERENCE_FREE, files, first_only=True, max_hits=1))

    # ----- deploy evidence ------------------------------------------------------------------
    @cached_property
    def deploy_runs(self) -> list[StepRun]:
        events = {
            "push",
            "workflow_dispatch",
            "workflow_run",
            "release",
            "repository_dispatch",
            "schedule",
        }
        return [
            r
            for r in self.workflows.select(self.is_deploy, events)
            if not self.is_eval(r.leaf) and not self.is_test(r.leaf)
        ]

    def make_targets(self) -> dict[str, str]:
        mk = self.resolver.makefile("")
        return {name: t.path for name, t in mk.targets.items()} if mk else {}


def _python_module(argv: tuple[str, ...]) -> str | None:
    for i, arg in enumerate(argv[:-1]):
        if arg == "-m":
            return argv[i + 1]
    for arg in argv[1:3]:
        if arg.endswith(".py"):
            return arg
    return None


def entrypoints(
    facts: Facts, target_rx: re.Pattern[str], exclude: re.Pattern[str] | None = None
) -> list[Leaf]:
    """Leaves of make targets, package scripts and console scripts whose name matches."""
    from generator.assess.shell import ShellState

    leaves: list[Leaf] = []
    for name in facts.make_targets():
        if target_rx.match(name) and not (exclude and exclude.search(name)):
            leaves.extend(
                facts.resolver.resolve_script(
                    f"make {name}", "Makefile", 0, ShellState(True, False)
                )
            )
    for name in facts.resolver.npm_scripts():
        if target_rx.match(name) and not (exclude and exclude.search(name)):
            leaves.extend(
                facts.resolver.resolve_script(
                    f"npm run {name}", "package.json", 0, ShellState(True, False)
                )
            )
    for name in facts.resolver.entry_points():
        if target_rx.search(name) and not (exclude and exclude.search(name)):
            leaves.extend(
                facts.resolver.resolve_script(name, "pyproject.toml", 0, ShellState(True, False))
            )
    return leaves


def uses_steps(
    facts: Facts,
    rx: re.Pattern[str],
    events: set[str] | frozenset[str] | None = None,
) -> list[tuple[Workflow, Job, Step, bool]]:
    """Steps using an action matching ``rx``: (workflow, job, step, can fail)."""
    from generator.assess.workflows import _fail_ok, disabled

    out = []
    for wf in facts.workflows.workflows:
        if events is not None and not (wf.effective_triggers() & events):
            continue
        for job in wf.jobs.values():
            for step in job.steps:
                if step.uses and rx.search(step.uses):
                    gate = (
                        job.why_not_gate() is None
                        and not disabled(step.cond)
                        and not _fail_ok(step.continue_on_error)
                    )
                    out.append((wf, job, step, gate))
    return out
