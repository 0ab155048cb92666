# Container registry: no admin user, no anonymous pull; the app pulls with its identity (AcrPull)
# and the deploy identity builds with ACR Tasks (`az acr build`: Container Registry Tasks
# Contributor). In prod the registry is private, so builds run on a dedicated agent pool in the VNet.
resource "azurerm_container_registry" "main" {
  name                   = "cr${local.token}"
  location               = azurerm_resource_group.main.location
  resource_group_name    = azurerm_resource_group.main.name
  admin_enabled          = false
  anonymous_pull_enabled = false
  tags                   = local.tags
{%- if iac_profile == 'prod' %}

  #checkov:skip=CKV_AZURE_166:quarantine blocks every pull until an external scanner releases the image; images are gated in CI before the push instead
  sku                           = "Premium"
  public_network_access_enabled = false
  network_rule_bypass_option    = "AzureServices"
  zone_redundancy_enabled       = true
  data_endpoint_enabled         = true
  export_policy_enabled         = false
  retention_policy_in_days      = 30
  trust_policy_enabled          = true

  georeplications {
    location                = var.registry_replica_location
    zone_redundancy_enabled = true
    tags                    = local.tags
  }
{%- else %}

  #checkov:skip=CKV_AZURE_139:dev registry is public (no VNet in the dev profile); access still needs Entra RBAC
  #checkov:skip=CKV_AZURE_163:image scanning needs the Premium SKU; the dev profile uses Basic
  #checkov:skip=CKV_AZURE_164:signed-image (trust) policy needs the Premium SKU; the dev profile uses Basic
  #checkov:skip=CKV_AZURE_165:geo-replication needs the Premium SKU and a second region; the prod profile renders it
  #checkov:skip=CKV_AZURE_166:image quarantine needs an external scanner to release images; dev uses Basic
  #checkov:skip=CKV_AZURE_167:retention of untagged manifests needs the Premium SKU; the dev profile uses Basic
  #checkov:skip=CKV_AZURE_233:zone redundancy needs the Premium SKU; the dev profile uses Basic
  #checkov:skip=CKV_AZURE_237:dedicated data endpoints need the Premium SKU; the dev profile uses Basic
  sku                           = "Basic"
  public_network_access_enabled = true
{%- endif %}
}
{%- if iac_profile == 'prod' %}

# Builds of the private registry run here (az acr build --agent-pool); ACR Tasks agent pools are
# a preview feature of the Premium SKU.
resource "azurerm_container_registry_agent_pool" "build" {
  name                      = "build"
  resource_group_name       = azurerm_resource_group.main.name
  location                  = azurerm_resource_group.main.location
  container_registry_name   = azurerm_container_registry.main.name
  instance_count            = 1
  tier                      = "S1"
  virtual_network_subnet_id = azurerm_subnet.build.id
  tags                      = local.tags
}
{%- endif %}
