// Container registry: no admin user, no anonymous pull; the app pulls with its identity (AcrPull)
// and the deploy identity builds with ACR Tasks (`az acr build`: Container Registry Tasks
// Contributor). In prod the registry is private, so builds run on a dedicated agent pool in the VNet.
param location string
param tags object
param resourceToken string
@description('Role assignments on this resource: [{ principalId, roleId }] (deploy/contract.py).')
param roleAssignments array = []
{%- if iac_profile == 'prod' %}
@description('Subnet of the ACR Tasks agent pool (builds inside the VNet).')
param buildSubnetId string
{%- endif %}

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

{%- if iac_profile == 'prod' %}
// Builds of the private registry run here (az acr build --agent-pool); ACR Tasks agent pools are
// a preview feature of the Premium SKU.
resource agentPool 'Microsoft.ContainerRegistry/registries/agentPools@2019-06-01-preview' = {
  parent: registry
  name: 'build'
  location: location
  tags: tags
  properties: {
    count: 1
    tier: 'S1'
    os: 'Linux'
    virtualNetworkSubnetResourceId: buildSubnetId
  }
}

{%- endif %}
resource grants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in roleAssignments: {
  name: guid(registry.id, grant.principalId, grant.roleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    principalId: grant.principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = registry.id
output name string = registry.name
output loginServer string = registry.properties.loginServer
{%- if iac_profile == 'prod' %}
output agentPoolName string = agentPool.name
{%- else %}
output agentPoolName string = ''
{%- endif %}
