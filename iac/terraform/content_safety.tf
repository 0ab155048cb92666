# Azure AI Content Safety for the app's guard (APP_GUARD=azure_content_safety): Prompt Shields on
# user prompts and retrieved documents, harm categories on text. Keyless (local auth off).
resource "azurerm_cognitive_account" "content_safety" {
  name                  = "cs-${local.token}"
  location              = azurerm_resource_group.main.location
  resource_group_name   = azurerm_resource_group.main.name
  kind                  = "ContentSafety"
  sku_name              = "S0"
  custom_subdomain_name = "cs-${local.token}"
  local_auth_enabled    = false
  tags                  = local.tags
  #checkov:skip=CKV2_AZURE_22:Microsoft-managed keys; a customer-managed key needs a key created through the vault's data plane and its own rotation process
{%- if iac_profile == 'prod' %}

  public_network_access_enabled = false
{%- else %}

  #checkov:skip=CKV_AZURE_134:dev has no VNet, so the endpoint is public; keys are disabled and every call needs an Entra token
  public_network_access_enabled = true
{%- endif %}

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
