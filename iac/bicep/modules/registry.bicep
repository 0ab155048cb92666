// Container registry: no admin user, no anonymous pull; the app pulls with its identity (AcrPull)
// and the deploy identity pushes (AcrPush).
param location string
param tags object
param resourceToken string
param pullPrincipalId string
param pushPrincipalId string

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var acrPush = '8311e382-0749-4cb8-b61a-304f252e45ec'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'cr${resourceToken}'
  location: location
  tags: tags
{%- if iac_profile == 'prod' %}
  // checkov:skip=CKV_AZURE_166: quarantine blocks every pull until an external scanner releases the image; images are gated in CI before the push instead
  sku: {
    name: 'Premium'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Disabled'
    networkRuleBypassOptions: 'AzureServices'
    zoneRedundancy: 'Enabled'
    dataEndpointEnabled: true
    policies: {
      retentionPolicy: {
        days: 30
        status: 'enabled'
      }
      exportPolicy: {
        status: 'disabled'
      }
    }
  }
{%- else %}
  // checkov:skip=CKV_AZURE_139: dev registry is public (no VNet in the dev profile); access still needs Entra RBAC
  // checkov:skip=CKV_AZURE_163: image scanning needs the Premium SKU; the dev profile uses Basic
  // checkov:skip=CKV_AZURE_166: image quarantine needs an external scanner to release images; dev uses Basic
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
{%- endif %}
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullPrincipalId, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource push 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pushPrincipalId, acrPush)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPush)
    principalId: pushPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output id string = registry.id
output name string = registry.name
output loginServer string = registry.properties.loginServer
