# Azure DevOps: what the Azure Pipelines in .azure-pipelines/ need beyond the targets every
# delivery system shares (lint, test, eval, image-build, canary-*, monitor, index-refresh,
# template-update). The REST calls authenticate with the job's own access token.
CHECKOV ?= $(UV) tool run --from checkov==3.3.30 checkov
RENOVATE_VERSION ?= 44.121.2
MARKER ?=
TITLE ?=
BODY ?=

.PHONY: lint-pipelines pr-comment monitor-work-item dependency-updates azure-devops-connections

lint-pipelines: | $(UV) ## checkov (azure_pipelines) on .azure-pipelines/
	$(CHECKOV) --framework azure_pipelines -d .azure-pipelines --skip-download --quiet --compact

pr-comment: ## one comment per MARKER on the pull request: make pr-comment MARKER=eval-gate BODY=file
	@test -n "$(MARKER)" -a -n "$(BODY)" || { echo "usage: make pr-comment MARKER=<name> BODY=<file> [TITLE=<heading>]" >&2; exit 2; }
	$(PYTHON) -m deploy.azure_devops pr-comment --marker '$(MARKER)' --title '$(TITLE)' --body-file '$(BODY)'

monitor-work-item: ## open or update the regression work item with reports/monitor.md
	$(PYTHON) -m deploy.azure_devops work-item --report reports/monitor.md

dependency-updates: ## Renovate (renovate.json) on this Azure Repos repository: update pull requests
	npx --yes renovate@$(RENOVATE_VERSION)

AZDO_ORG_URL ?=
AZDO_PROJECT ?=
# service connection=identity pairs: genaiops-<duty> for each identity of deploy/contract.py
CONNECTIONS ?=
azure-devops-connections: ## once, after provisioning: the service connections, trusted by the identities
	@test -n "$(AZDO_ORG_URL)" -a -n "$(AZDO_PROJECT)" -a -n "$(AZURE_RESOURCE_GROUP)" -a -n "$(CONNECTIONS)" || { echo "usage: make azure-devops-connections AZDO_ORG_URL=https://dev.azure.com/<org> AZDO_PROJECT=<project> AZURE_RESOURCE_GROUP=<rg> CONNECTIONS='genaiops-deploy=<identity> genaiops-provision=<identity> ...'" >&2; exit 2; }
	$(PYTHON) -m deploy.azure_devops connect --organization-url '$(AZDO_ORG_URL)' \
		--project '$(AZDO_PROJECT)' --resource-group '$(AZURE_RESOURCE_GROUP)' \
		$(foreach pair,$(CONNECTIONS),--connection '$(pair)')
