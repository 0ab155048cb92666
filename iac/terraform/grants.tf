# Every role assignment of the workload, in one file: exactly the grants of the permission table
# in deploy/contract.py (docs/runbook.md), each at the narrowest scope its calls need.

# the app at runtime
resource "azurerm_role_assignment" "app_acr_pull" {
  scope                = azurerm_container_registry.main.id
  role_definition_name = local.roles.acr_pull
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}
{%- if gateway != 'apim' %}

resource "azurerm_role_assignment" "app_openai_user" {
  scope                = azurerm_cognitive_account.openai.id
  role_definition_name = local.roles.openai_user
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}
{%- endif %}
{%- if use_case_needs_search %}

resource "azurerm_role_assignment" "app_search_reader" {
  scope                = azurerm_search_service.main.id
  role_definition_name = local.roles.search_reader
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}
{%- endif %}

resource "azurerm_role_assignment" "app_tables" {
  for_each             = azurerm_storage_table.app
  scope                = each.value.resource_manager_id
  role_definition_name = local.roles.storage_table_data_contributor
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "app_content_safety_user" {
  scope                = azurerm_cognitive_account.content_safety.id
  role_definition_name = local.roles.cognitive_services_user
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "app_metrics_publisher" {
  scope                = azurerm_application_insights.main.id
  role_definition_name = local.roles.metrics_publisher
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

# deploy.yml canary job
resource "azurerm_role_assignment" "deploy_acr_tasks" {
  scope                = azurerm_container_registry.main.id
  role_definition_name = local.roles.acr_tasks_contributor
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_app_contributor" {
  scope                = azurerm_container_app.api.id
  role_definition_name = local.roles.container_apps_contributor
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

# `az containerapp update` also needs Microsoft.App/managedEnvironments/join/action here
resource "azurerm_role_assignment" "deploy_environment_operator" {
  scope                = azurerm_container_app_environment.main.id
  role_definition_name = local.roles.container_apps_operator
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_monitoring_reader" {
  scope                = azurerm_application_insights.main.id
  role_definition_name = local.roles.monitoring_reader
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

# the scheduled-query alert rules (alerts.tf)
resource "azurerm_role_assignment" "alerts_monitoring_reader" {
  scope                = azurerm_application_insights.main.id
  role_definition_name = local.roles.monitoring_reader
  principal_id         = azurerm_user_assigned_identity.alerts.principal_id
  principal_type       = "ServicePrincipal"
}

# monitor.yml
resource "azurerm_role_assignment" "monitor_monitoring_reader" {
  scope                = azurerm_application_insights.main.id
  role_definition_name = local.roles.monitoring_reader
  principal_id         = azurerm_user_assigned_identity.monitor.principal_id
  principal_type       = "ServicePrincipal"
}
{%- if gateway != 'apim' %}

# ci.yml eval job
resource "azurerm_role_assignment" "eval_openai_user" {
  scope                = azurerm_cognitive_account.openai.id
  role_definition_name = local.roles.openai_user
  principal_id         = azurerm_user_assigned_identity.eval.principal_id
  principal_type       = "ServicePrincipal"
}
{%- endif %}
{%- if use_case_needs_search %}

# refresh-index.yml
resource "azurerm_role_assignment" "index_search_contributor" {
  scope                = azurerm_search_service.main.id
  role_definition_name = local.roles.search_contributor
  principal_id         = azurerm_user_assigned_identity.index.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "index_search_writer" {
  scope                = azurerm_search_service.main.id
  role_definition_name = local.roles.search_writer
  principal_id         = azurerm_user_assigned_identity.index.principal_id
  principal_type       = "ServicePrincipal"
}
{%- if gateway != 'apim' %}

resource "azurerm_role_assignment" "index_openai_user" {
  scope                = azurerm_cognitive_account.openai.id
  role_definition_name = local.roles.openai_user
  principal_id         = azurerm_user_assigned_identity.index.principal_id
  principal_type       = "ServicePrincipal"
}
{%- endif %}
{%- endif %}
{%- if gateway == 'apim' %}

# the gateway's own identity: the only caller of Azure OpenAI, and its token metrics
resource "azurerm_role_assignment" "gateway_openai_user" {
  scope                = azurerm_cognitive_account.openai.id
  role_definition_name = local.roles.openai_user
  principal_id         = azurerm_api_management.gateway.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "gateway_metrics_publisher" {
  scope                = azurerm_application_insights.main.id
  role_definition_name = local.roles.metrics_publisher
  principal_id         = azurerm_api_management.gateway.identity[0].principal_id
  principal_type       = "ServicePrincipal"
}
{%- endif %}
