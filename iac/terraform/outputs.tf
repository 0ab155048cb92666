# Outputs: azd stores them in .azure/<env>/.env; the app and the workflows read them.
locals {
{%- if gateway == 'apim' %}
  openai_endpoint_for_app = azurerm_api_management.gateway.gateway_url
{%- else %}
  openai_endpoint_for_app = azurerm_cognitive_account.openai.endpoint
{%- endif %}
}

output "AZURE_LOCATION" {
  value = var.location
}

output "AZURE_TENANT_ID" {
  value = data.azurerm_client_config.current.tenant_id
}

output "AZURE_RESOURCE_GROUP" {
  value = azurerm_resource_group.main.name
}

output "AZURE_CONTAINER_REGISTRY_ENDPOINT" {
  value = azurerm_container_registry.main.login_server
}

output "AZURE_CONTAINER_REGISTRY_NAME" {
  value = azurerm_container_registry.main.name
}

output "AZURE_ACR_AGENT_POOL" {
{%- if iac_profile == 'prod' %}
  value = azurerm_container_registry_agent_pool.build.name
{%- else %}
  value = ""
{%- endif %}
}

output "AZURE_CONTAINER_APPS_ENVIRONMENT_NAME" {
  value = azurerm_container_app_environment.main.name
}

output "AZURE_CONTAINER_APPS_DEFAULT_DOMAIN" {
  value = azurerm_container_app_environment.main.default_domain
}

output "AZURE_CONTAINER_APP_NAME" {
  value = azurerm_container_app.api.name
}

output "SERVICE_API_NAME" {
  value = azurerm_container_app.api.name
}

output "SERVICE_API_URI" {
  value = "https://${azurerm_container_app.api.ingress[0].fqdn}"
}

output "AZURE_API_AUDIENCE" {
  value = var.api_audience
}

output "AZURE_OPENAI_ENDPOINT" {
  value = local.openai_endpoint_for_app
}
{%- if gateway == 'apim' %}

output "AZURE_OPENAI_DIRECT_ENDPOINT" {
  value = azurerm_cognitive_account.openai.endpoint
}

output "AZURE_APIM_NAME" {
  value = azurerm_api_management.gateway.name
}
{%- endif %}

output "AZURE_OPENAI_NAME" {
  value = azurerm_cognitive_account.openai.name
}

output "AZURE_OPENAI_CHAT_DEPLOYMENT" {
  value = azurerm_cognitive_deployment.chat.name
}

output "AZURE_OPENAI_EMBEDDING_DEPLOYMENT" {
  value = azurerm_cognitive_deployment.embedding.name
}

output "AZURE_CONTENT_SAFETY_ENDPOINT" {
  value = azurerm_cognitive_account.content_safety.endpoint
}
{%- if use_case_needs_search %}

output "AZURE_SEARCH_ENDPOINT" {
  value = "https://${azurerm_search_service.main.name}.search.windows.net"
}

output "AZURE_SEARCH_NAME" {
  value = azurerm_search_service.main.name
}
{%- endif %}

output "AZURE_STORAGE_ACCOUNT_NAME" {
  value = azurerm_storage_account.main.name
}

output "AZURE_STORAGE_TABLE_ENDPOINT" {
  value = azurerm_storage_account.main.primary_table_endpoint
}

output "AZURE_KEY_VAULT_URI" {
  value = azurerm_key_vault.main.vault_uri
}

output "AZURE_KEY_VAULT_NAME" {
  value = azurerm_key_vault.main.name
}

output "APPLICATIONINSIGHTS_NAME" {
  value = azurerm_application_insights.main.name
}

output "AZURE_MONITOR_WORKBOOK_ID" {
  value = azurerm_application_insights_workbook.signals.id
}

output "AZURE_LOG_ANALYTICS_WORKSPACE_ID" {
  value = azurerm_log_analytics_workspace.main.id
}

output "AZURE_APP_CLIENT_ID" {
  value = azurerm_user_assigned_identity.app.client_id
}

output "AZURE_DEPLOY_CLIENT_ID" {
  value = azurerm_user_assigned_identity.deploy.client_id
}

output "AZURE_PROVISION_CLIENT_ID" {
  value = azurerm_user_assigned_identity.provision.client_id
}

output "AZURE_PREVIEW_CLIENT_ID" {
  value = azurerm_user_assigned_identity.preview.client_id
}

output "AZURE_EVAL_CLIENT_ID" {
  value = azurerm_user_assigned_identity.eval.client_id
}

output "AZURE_MONITOR_CLIENT_ID" {
  value = azurerm_user_assigned_identity.monitor.client_id
}

{%- if use_case_needs_search %}
output "AZURE_INDEX_CLIENT_ID" {
  value = azurerm_user_assigned_identity.index.client_id
}

{%- endif %}
output "AZURE_PROVISION_PRINCIPAL_ID" {
  value = azurerm_user_assigned_identity.provision.principal_id
}

output "AZURE_PREVIEW_PRINCIPAL_ID" {
  value = azurerm_user_assigned_identity.preview.principal_id
}
