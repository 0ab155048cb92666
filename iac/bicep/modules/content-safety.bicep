// Azure AI Content Safety for the app's guard (APP_GUARD=azure_content_safety): Prompt Shields on
// user prompts and retrieved documents, harm categories on text. Keyless (local auth off).
param location string
param tags object
param resourceToken string
@description('Role assignments on this resource: [{ principalId, roleId }] (deploy/contract.py).')
param roleAssignments array = []

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: 'cs-${resourceToken}'
  location: location
  tags: tags
  kind: 'ContentSafety'
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
    customSubDomainName: 'cs-${resourceToken}'
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
  }
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
output endpoint string = account.properties.endpoint
