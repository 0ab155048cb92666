// Storage: the app's state in tables (feedback, requests, sessions; APP_STORE_BACKEND=azure_tables)
// and blob containers for grounding documents and eval artifacts. Entra-only (no shared keys),
// TLS 1.2, no public blobs, soft delete; the app's role is scoped to its tables.
param location string
param tags object
param resourceToken string
@description('Log Analytics workspace that receives blob read/write/delete logs.')
param logAnalyticsWorkspaceId string
@description('The app\'s role on each of its tables: { principalId, roleId } (deploy/contract.py).')
param tableRoleAssignment object

var tableNames = ['feedback', 'requests', 'sessions']

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${resourceToken}'
  location: location
  tags: tags
  kind: 'StorageV2'
  // checkov:skip=CKV_AZURE_43: checkov cannot evaluate the interpolated name; 'st' + uniqueString() is always 15 lower-case letters and digits
{%- if iac_profile == 'prod' %}
  sku: {
    name: 'Standard_GZRS'
  }
{%- else %}
  // checkov:skip=CKV_AZURE_206: dev keeps one locally redundant copy (LRS) to save cost; the prod profile renders GZRS
  // checkov:skip=CKV_AZURE_35: dev has no VNet, so the firewall allows all networks; shared keys are off and every request needs Entra RBAC
  // checkov:skip=CKV_AZURE_59: dev has no private endpoint, so public network access stays on; the prod profile disables it
  sku: {
    name: 'Standard_LRS'
  }
{%- endif %}
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
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

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

// Blob reads, writes and deletes go to Log Analytics.
resource blobLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'StorageRead', enabled: true }
      { category: 'StorageWrite', enabled: true }
      { category: 'StorageDelete', enabled: true }
    ]
  }
}

resource documents 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'documents'
  properties: {
    publicAccess: 'None'
  }
}

resource evalArtifacts 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'eval-artifacts'
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

// Table reads, writes and deletes go to Log Analytics, like blob access.
resource tableLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: tableService
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'StorageRead', enabled: true }
      { category: 'StorageWrite', enabled: true }
      { category: 'StorageDelete', enabled: true }
    ]
  }
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for name in tableNames: {
  parent: tableService
  name: name
}]

resource tableGrants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (name, i) in tableNames: {
  name: guid(tables[i].id, tableRoleAssignment.principalId, tableRoleAssignment.roleId)
  scope: tables[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableRoleAssignment.roleId)
    principalId: tableRoleAssignment.principalId
    principalType: 'ServicePrincipal'
  }
}]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output tableEndpoint string = account.properties.primaryEndpoints.table
