# Azure DevOps: what the Azure Pipelines in .azure-pipelines/ need beyond the targets every
# delivery system shares (lint, test, eval, image-build, canary-*, monitor, index-refresh,
# template-update). The REST calls authenticate with the job's own access token.
CHECKOV ?= $(UV) tool run --from checkov==3.3.30 checkov
RENOVATE_VERSION ?= 44.121.2
MARKER ?=
TITLE ?=
BODY ?=

.PHONY: lint-pipelines pr-comment monitor-work-item dependency-updates

lint-pipelines: | $(UV) ## checkov (azure_pipelines) on .azure-pipelines/
	$(CHECKOV) --framework azure_pipelines -d .azure-pipelines --skip-download --quiet --compact

pr-comment: ## comment on the pull request: make pr-comment MARKER=eval-gate TITLE=... BODY=file
	@test -n "$(MARKER)" -a -n "$(BODY)" || { echo "usage: make pr-comment MARKER=<name> TITLE=<title> BODY=<file>" >&2; exit 2; }
	$(PYTHON) -m deploy.azure_devops pr-comment --marker '$(MARKER)' --title '$(TITLE)' --body-file '$(BODY)'

monitor-work-item: ## open or update the regression work item with reports/monitor.md
	$(PYTHON) -m deploy.azure_devops work-item --report reports/monitor.md

dependency-updates: ## Renovate (renovate.json) on this Azure Repos repository: update pull requests
	npx --yes renovate@$(RENOVATE_VERSION)
