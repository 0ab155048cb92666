# User-assigned identities: the app at runtime, and one per workflow duty for GitHub Actions
# through OIDC (federated credentials, no secrets). Who gets which role: deploy/contract.py.
locals {
  github_issuer   = "https://token.actions.githubusercontent.com"
  github_audience = ["api://AzureADTokenExchange"]
}

# The container app at runtime.
resource "azurerm_user_assigned_identity" "app" {
  name                = "id-app-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

# The scheduled-query alert rules (alerts.tf) run their KQL as this identity.
resource "azurerm_user_assigned_identity" "alerts" {
  name                = "id-alerts-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

# deploy.yml canary job (environment prod): image build, revisions, traffic, gates.
resource "azurerm_user_assigned_identity" "deploy" {
  name                = "id-deploy-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "deploy" {
  name                      = "github-environment-prod"
  user_assigned_identity_id = azurerm_user_assigned_identity.deploy.id
  issuer                    = local.github_issuer
  audience                  = local.github_audience
  subject                   = "repo:${var.github_repository}:environment:prod"
}

# deploy.yml provision job (environment prod); its subscription roles are granted once by a
# subscription owner (`make azure-bootstrap`), not here.
resource "azurerm_user_assigned_identity" "provision" {
  name                = "id-provision-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "provision" {
  name                      = "github-environment-prod"
  user_assigned_identity_id = azurerm_user_assigned_identity.provision.id
  issuer                    = local.github_issuer
  audience                  = local.github_audience
  subject                   = "repo:${var.github_repository}:environment:prod"
}

# infra-preview.yml on pull requests: terraform plan only (read, granted by the bootstrap).
resource "azurerm_user_assigned_identity" "preview" {
  name                = "id-preview-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "preview" {
  name                      = "github-pull-request"
  user_assigned_identity_id = azurerm_user_assigned_identity.preview.id
  issuer                    = local.github_issuer
  audience                  = local.github_audience
  subject                   = "repo:${var.github_repository}:pull_request"
}

# ci.yml eval job on same-repository pull requests (forks get no token): calls the chat model.
resource "azurerm_user_assigned_identity" "eval" {
  name                = "id-eval-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "eval" {
  name                      = "github-pull-request"
  user_assigned_identity_id = azurerm_user_assigned_identity.eval.id
  issuer                    = local.github_issuer
  audience                  = local.github_audience
  subject                   = "repo:${var.github_repository}:pull_request"
}

# monitor.yml, scheduled on main: reads telemetry, calls the live app.
resource "azurerm_user_assigned_identity" "monitor" {
  name                = "id-monitor-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "monitor" {
  name                      = "github-main"
  user_assigned_identity_id = azurerm_user_assigned_identity.monitor.id
  issuer                    = local.github_issuer
  audience                  = local.github_audience
  subject                   = "repo:${var.github_repository}:ref:refs/heads/main"
}
{%- if use_case_needs_search %}

# refresh-index.yml (environment prod): builds a new index, evaluates it, moves the alias.
resource "azurerm_user_assigned_identity" "index" {
  name                = "id-index-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_federated_identity_credential" "index" {
  name                      = "github-environment-prod"
  user_assigned_identity_id = azurerm_user_assigned_identity.index.id
  issuer                    = local.github_issuer
  audience                  = local.github_audience
  subject                   = "repo:${var.github_repository}:environment:prod"
}
{%- endif %}
