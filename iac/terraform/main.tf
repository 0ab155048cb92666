data "azurerm_client_config" "current" {}

locals {
  token = substr(sha1("${data.azurerm_client_config.current.subscription_id}/${var.environment_name}/${var.location}"), 0, 13)
  tags = {
    azd-env-name = var.environment_name
    workload     = "{{ project_slug }}"
    owner        = "{{ owner }}"
  }
  # Built-in role names, in one place. Who gets which role, and why, is the permission table in
  # deploy/contract.py (docs/runbook.md); tests/ check that grants.tf grants exactly that.
  roles = {
    acr_pull                       = "AcrPull"
    acr_tasks_contributor          = "Container Registry Tasks Contributor"
    container_apps_contributor     = "Container Apps Contributor"
    container_apps_operator        = "Container Apps Operator"
    monitoring_reader              = "Monitoring Reader"
    metrics_publisher              = "Monitoring Metrics Publisher"
    openai_user                    = "Cognitive Services OpenAI User"
    cognitive_services_user        = "Cognitive Services User"
    search_reader                  = "Search Index Data Reader"
    search_writer                  = "Search Index Data Contributor"
    search_contributor             = "Search Service Contributor"
    storage_table_data_contributor = "Storage Table Data Contributor"
  }
}

resource "azurerm_resource_group" "main" {
  name     = "rg-${var.environment_name}"
  location = var.location
  tags     = local.tags
}
