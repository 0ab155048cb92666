// Azure AI Search: keys disabled (Entra RBAC only), system identity.
param location string
param tags object
param resourceToken string
@description('Identities that query indexes (Search Index Data Reader).')
param readerPrincipalIds array
@description('Identities that create and fill indexes (Search Service Contributor + Index Data Contributor).')
param indexWriterPrincipalIds array

var indexDataReader = '1407120a-92aa-4202-b7e9-c0e197c71c8f'
var indexDataContributor = '8ebe5a00-799e-43f5-93ac-243d3dce84a7'
var serviceContributor = '7ca78c08-252a-4471-8644-bb5ff32d4ba0'

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

resource readers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in readerPrincipalIds: {
  name: guid(search.id, principalId, indexDataReader)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', indexDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

resource writers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in indexWriterPrincipalIds: {
  name: guid(search.id, principalId, indexDataContributor)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', indexDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

resource schemaWriters 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principalId in indexWriterPrincipalIds: {
  name: guid(search.id, principalId, serviceContributor)
  scope: search
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = search.id
output name string = search.name
output endpoint string = 'https://${search.name}.search.windows.net'
