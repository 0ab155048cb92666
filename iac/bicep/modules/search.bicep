// Azure AI Search: keys disabled (Entra RBAC only), system identity.
param location string
param tags object
param resourceToken string
@description('Role assignments on this resource: [{ principalId, roleId }] (deploy/contract.py).')
param roleAssignments array = []

resource search 'Microsoft.Search/searchServices@2024-06-01-preview' = {
  name: 'srch-${resourceToken}'
  location: location
  tags: tags
{%- if iac_profile == 'prod' %}
  sku: {
    name: 'standard'
  }
{%- else %}
  // checkov:skip=CKV_AZURE_208: dev runs one replica (no read/write SLA) to save cost; the prod profile renders 3
  // checkov:skip=CKV_AZURE_209: dev runs one replica (no read SLA) to save cost; the prod profile renders 3
  sku: {
    name: 'basic'
  }
{%- endif %}
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
{%- if iac_profile == 'prod' %}
    replicaCount: 3
    publicNetworkAccess: 'disabled'
{%- else %}
    replicaCount: 1
    publicNetworkAccess: 'enabled'
{%- endif %}
    partitionCount: 1
    hostingMode: 'default'
    disableLocalAuth: true
    semanticSearch: 'free'
  }
}

resource grants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in roleAssignments: {
  name: guid(search.id, grant.principalId, grant.roleId)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    principalId: grant.principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = search.id
output name string = search.name
output endpoint string = 'https://${search.name}.search.windows.net'
