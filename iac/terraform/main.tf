data "azurerm_client_config" "current" {}

locals {
  token = substr(sha1("${data.azurerm_client_config.current.subscription_id}/${var.environment_name}/${var.location}"), 0, 13)
  tags = {
    azd-env-name = var.environment_name
    workload     = "{{ project_slug }}"
    owner        = "{{ owner }}"
  }
  # Role definition names used below, in one place.
  roles = {
    openai_user        = "Cognitive Services OpenAI User"
    search_reader      = "Search Index Data Reader"
    search_writer      = "Search Index Data Contributor"
    search_contributor = "Search Service Contributor"
    blob_reader        = "Storage Blob Data Reader"
    blob_contributor   = "Storage Blob Data Contributor"
    acr_pull           = "AcrPull"
    acr_push           = "AcrPush"
    kv_secrets_user    = "Key Vault Secrets User"
    metrics_publisher  = "Monitoring Metrics Publisher"
    monitoring_reader  = "Monitoring Reader"
    contributor        = "Contributor"
  }
}

resource "azurerm_resource_group" "main" {
  name     = "rg-${var.environment_name}"
  location = var.location
  tags     = local.tags
}
