# Key Vault: RBAC authorisation (no access policies), soft delete + purge protection.
resource "azurerm_key_vault" "main" {
  name                       = "kv-${local.token}"
  location                   = azurerm_resource_group.main.location
  resource_group_name        = azurerm_resource_group.main.name
  tenant_id                  = data.azurerm_client_config.current.tenant_id
  sku_name                   = "standard"
  rbac_authorization_enabled = true
  soft_delete_retention_days = 90
  purge_protection_enabled   = true
  tags                       = local.tags
{%- if iac_profile == 'prod' %}

  public_network_access_enabled = false

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
{%- else %}

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

resource "azurerm_role_assignment" "app_kv_secrets_user" {
  scope                = azurerm_key_vault.main.id
  role_definition_name = local.roles.kv_secrets_user
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}
