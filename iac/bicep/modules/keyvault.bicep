// Key Vault: RBAC authorisation (no access policies), soft delete + purge protection.
param location string
param tags object
param resourceToken string
@description('Identities that read secrets (Key Vault Secrets User).')
param secretsUserPrincipalIds array

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${resourceToken}'
  location: location
  tags: tags
{%- if iac_profile == 'dev' %}
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
    enablePurgeProtection: true
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

resource secretsUsers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in secretsUserPrincipalIds: {
  name: guid(vault.id, principalId, secretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
