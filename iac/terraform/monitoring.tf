# Log Analytics + workspace-based Application Insights, both with local (key) auth off:
# telemetry is ingested with Entra tokens only (custom checkov policies CKV2_GENAIOPS_3/4).
resource "azurerm_log_analytics_workspace" "main" {
  name                         = "log-${local.token}"
  location                     = azurerm_resource_group.main.location
  resource_group_name          = azurerm_resource_group.main.name
  sku                          = "PerGB2018"
  retention_in_days            = 30
  local_authentication_enabled = false
  tags                         = local.tags
}

resource "azurerm_application_insights" "main" {
  name                          = "appi-${local.token}"
  location                      = azurerm_resource_group.main.location
  resource_group_name           = azurerm_resource_group.main.name
  workspace_id                  = azurerm_log_analytics_workspace.main.id
  application_type              = "web"
  local_authentication_disabled = true
  tags                          = local.tags
}

# The app sends telemetry with its identity; the deploy identity's canary gates read it.
resource "azurerm_role_assignment" "app_metrics_publisher" {
  scope                = azurerm_application_insights.main.id
  role_definition_name = local.roles.metrics_publisher
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_monitoring_reader" {
  scope                = azurerm_application_insights.main.id
  role_definition_name = local.roles.monitoring_reader
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}
