// Azure OpenAI: keyless (local auth off), managed identity, pinned model versions and capacity.
param location string
param tags object
param resourceToken string
param chatModelName string
param chatModelVersion string
param chatDeploymentSku string
param chatDeploymentCapacity int
param embeddingModelName string
param embeddingModelVersion string
param embeddingDeploymentSku string
param embeddingDeploymentCapacity int
@description('Role assignments on this resource: [{ principalId, roleId }] (deploy/contract.py).')
param roleAssignments array = []

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'oai-${resourceToken}'
  location: location
  tags: tags
  kind: 'OpenAI'
{%- if iac_profile == 'dev' %}
  // checkov:skip=CKV_AZURE_134: dev has no VNet, so the endpoint is public; keys are disabled and every call needs an Entra token
{%- endif %}
  sku: {
    name: 'S0'
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    customSubDomainName: 'oai-${resourceToken}'
    disableLocalAuth: true
{%- if iac_profile == 'prod' %}
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      defaultAction: 'Deny'
    }
{%- else %}
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
    }
{%- endif %}
    // Data-loss prevention: the account may call out only to the workload's search service.
    restrictOutboundNetworkAccess: true
    allowedFqdnList: [
      'srch-${resourceToken}.search.windows.net'
    ]
  }
}

resource chat 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: 'chat'
  sku: {
    name: chatDeploymentSku
    capacity: chatDeploymentCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: chatModelName
      version: chatModelVersion
    }
    versionUpgradeOption: 'NoAutoUpgrade'
    raiPolicyName: 'Microsoft.DefaultV2'
  }
}

// Deployments of one account must be created one after the other.
resource embedding 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {
  parent: account
  name: 'embedding'
  sku: {
    name: embeddingDeploymentSku
    capacity: embeddingDeploymentCapacity
  }
  properties: {
    model: {
      format: 'OpenAI'
      name: embeddingModelName
      version: embeddingModelVersion
    }
    versionUpgradeOption: 'NoAutoUpgrade'
  }
  dependsOn: [chat]
}

resource grants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in roleAssignments: {
  name: guid(account.id, grant.principalId, grant.roleId)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    principalId: grant.principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = account.id
output name string = account.name
output endpoint string = account.properties.endpoint
output principalId string = account.identity.principalId
output chatDeploymentName string = chat.name
output embeddingDeploymentName string = embedding.name
