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
  name                         = "appi-${local.token}"
  location                     = azurerm_resource_group.main.location
  resource_group_name          = azurerm_resource_group.main.name
  workspace_id                 = azurerm_log_analytics_workspace.main.id
  application_type             = "web"
  local_authentication_enabled = false
  tags                         = local.tags
}
