# User-assigned identities: the app at runtime, and two for GitHub Actions through OIDC
# (federated credentials, no secrets): deploy (only jobs in the `prod` environment) and eval.
locals {
  github_issuer   = "https://token.actions.githubusercontent.com"
  github_audience = ["api://AzureADTokenExchange"]
}

resource "azurerm_user_assigned_identity" "app" {
  name                = "id-app-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_user_assigned_identity" "deploy" {
  name                = "id-deploy-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_user_assigned_identity" "eval" {
  name                = "id-eval-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

# Deploy: only a job that declares `environment: prod` gets this subject.
resource "azurerm_federated_identity_credential" "deploy_prod" {
  name                = "github-environment-prod"
  resource_group_name = azurerm_resource_group.main.name
  parent_id           = azurerm_user_assigned_identity.deploy.id
  issuer              = local.github_issuer
  audience            = local.github_audience
  subject             = "repo:${var.github_repository}:environment:prod"
}

# Eval: pull requests from the repository itself (forks get no token) and the main branch.
# Azure rejects concurrent writes of credentials on one identity, hence depends_on.
resource "azurerm_federated_identity_credential" "eval_pull_request" {
  name                = "github-pull-request"
  resource_group_name = azurerm_resource_group.main.name
  parent_id           = azurerm_user_assigned_identity.eval.id
  issuer              = local.github_issuer
  audience            = local.github_audience
  subject             = "repo:${var.github_repository}:pull_request"
}

resource "azurerm_federated_identity_credential" "eval_main" {
  name                = "github-main"
  resource_group_name = azurerm_resource_group.main.name
  parent_id           = azurerm_user_assigned_identity.eval.id
  issuer              = local.github_issuer
  audience            = local.github_audience
  subject             = "repo:${var.github_repository}:ref:refs/heads/main"
  depends_on          = [azurerm_federated_identity_credential.eval_pull_request]
}
