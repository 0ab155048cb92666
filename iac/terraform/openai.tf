# Azure OpenAI: keyless (local auth off), managed identity, pinned model versions and capacity.
resource "azurerm_cognitive_account" "openai" {
  name                  = "oai-${local.token}"
  location              = azurerm_resource_group.main.location
  resource_group_name   = azurerm_resource_group.main.name
  kind                  = "OpenAI"
  sku_name              = "S0"
  custom_subdomain_name = "oai-${local.token}"
  local_auth_enabled    = false
  tags                  = local.tags
  #checkov:skip=CKV2_AZURE_22:Microsoft-managed keys; a customer-managed key needs a key created through the vault's data plane and its own rotation process
{%- if iac_profile == 'prod' %}

  public_network_access_enabled = false
{%- else %}

  #checkov:skip=CKV_AZURE_134:dev has no VNet, so the endpoint is public; keys are disabled and every call needs an Entra token
  public_network_access_enabled = true
{%- endif %}

  # Data-loss prevention: the account may call out only to the workload's search service.
  outbound_network_access_restricted = true
  fqdns                              = ["srch-${local.token}.search.windows.net"]

  identity {
    type = "SystemAssigned"
  }

  network_acls {
{%- if iac_profile == 'prod' %}
    default_action = "Deny"
{%- else %}
    default_action = "Allow"
{%- endif %}
  }
}

resource "azurerm_cognitive_deployment" "chat" {
  name                   = "chat"
  cognitive_account_id   = azurerm_cognitive_account.openai.id
  version_upgrade_option = "NoAutoUpgrade"
  rai_policy_name        = "Microsoft.DefaultV2"

  model {
    format  = "OpenAI"
    name    = var.chat_model_name
    version = var.chat_model_version
  }

  sku {
    name     = var.chat_deployment_sku
    capacity = var.chat_deployment_capacity
  }
}

# Deployments of one account must be created one after the other.
resource "azurerm_cognitive_deployment" "embedding" {
  name                   = "embedding"
  cognitive_account_id   = azurerm_cognitive_account.openai.id
  version_upgrade_option = "NoAutoUpgrade"
  depends_on             = [azurerm_cognitive_deployment.chat]

  model {
    format  = "OpenAI"
    name    = var.embedding_model_name
    version = var.embedding_model_version
  }

  sku {
    name     = var.embedding_deployment_sku
    capacity = var.embedding_deployment_capacity
  }
}
