// Key Vault: RBAC authorisation (no access policies), soft delete; purge protection in prod (in
// dev it would block `azd down --purge` + `azd up` with the same name for 90 days). The app reads
// no secret today, so nobody gets a role here: grant Key Vault Secrets User when one is added.
param location string
param tags object
param resourceToken string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
{%- if iac_profile == 'dev' %}
  // checkov:skip=CKV_AZURE_110: dev has no purge protection so that `azd down --purge` and a new `azd up` can reuse the name; prod enables it
  // checkov:skip=CKV_AZURE_42: dev has no purge protection (soft delete stays on) so the vault can be purged between dev cycles; prod enables it
  // checkov:skip=CKV_AZURE_109: dev has no VNet, so the firewall allows all networks; every request still needs Entra RBAC
  // checkov:skip=CKV_AZURE_189: dev has no private endpoint, so public access stays on; the prod profile disables it
{%- endif %}
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
{%- if iac_profile == 'prod' %}
    enablePurgeProtection: true
{%- endif %}
{%- if iac_profile == 'prod' %}
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
    }
{%- else %}
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
{%- endif %}
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
