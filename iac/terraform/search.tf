# Azure AI Search: keys disabled (Entra RBAC only), system identity.
resource "azurerm_search_service" "main" {
  name                         = "srch-${local.token}"
  location                     = azurerm_resource_group.main.location
  resource_group_name          = azurerm_resource_group.main.name
  partition_count              = 1
  local_authentication_enabled = false
  semantic_search_sku          = "free"
  tags                         = local.tags
{%- if iac_profile == 'prod' %}

  sku                           = "standard"
  replica_count                 = 3
  public_network_access_enabled = false
{%- else %}

  #checkov:skip=CKV_AZURE_124:dev has no private endpoint, so the service is public; keys are disabled and every call needs Entra RBAC
  #checkov:skip=CKV_AZURE_208:dev runs one replica (no read/write SLA) to save cost; the prod profile renders 3
  #checkov:skip=CKV_AZURE_209:dev runs one replica (no read SLA) to save cost; the prod profile renders 3
  sku                           = "basic"
  replica_count                 = 1
  public_network_access_enabled = true
{%- endif %}

  identity {
    type = "SystemAssigned"
  }
}
