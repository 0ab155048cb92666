# Key Vault: RBAC authorisation (no access policies), soft delete; purge protection in prod (in
# dev it would block `azd down --purge` + `azd up` with the same name for 90 days). The app reads
# no secret today, so nobody gets a role here: grant Key Vault Secrets User when one is added.
resource "azurerm_key_vault" "main" {
  name                       = "kv-${local.token}"
  location                   = azurerm_resource_group.main.location
  resource_group_name        = azurerm_resource_group.main.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  soft_delete_retention_days = 90
  tags                       = local.tags
{%- if iac_profile == 'prod' %}

  purge_protection_enabled      = true
  public_network_access_enabled = false

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
{%- else %}

  #checkov:skip=CKV_AZURE_110:dev has no purge protection so that `azd down --purge` and a new `azd up` can reuse the name; prod enables it
  #checkov:skip=CKV_AZURE_42:dev has no purge protection (soft delete stays on) so the vault can be purged between dev cycles; prod enables it
  purge_protection_enabled = false
  #checkov:skip=CKV_AZURE_109:dev has no VNet, so the firewall allows all networks; every request still needs Entra RBAC
  #checkov:skip=CKV_AZURE_189:dev has no private endpoint, so public access stays on; the prod profile disables it
  #checkov:skip=CKV2_AZURE_32:dev has no VNet and no private endpoints; the prod profile renders one for the vault
  public_network_access_enabled = true

  network_acls {
    default_action = "Allow"
    bypass         = "AzureServices"
  }
{%- endif %}
}
