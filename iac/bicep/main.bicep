// {{ project_name }}: the workload's Azure resources (profile: {{ iac_profile }}, gateway: {{ gateway }}).
// azd-compatible: `azd up` provisions this file with main.bicepparam, then deploys the `api` service.
// Plain resources only (no registry modules) so checkov sees every setting: `make iac-scan`.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment (azd: AZURE_ENV_NAME); part of every resource name.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (azd: AZURE_LOCATION).')
param location string

@description('GitHub repository (owner/name) whose workflows may log in through OIDC.')
param githubRepository string

@description('Chat model: name, version and capacity are pinned here, never "latest".')
param chatModelName string = 'gpt-4o-mini'
param chatModelVersion string = '2024-07-18'
@allowed(['Standard', 'GlobalStandard', 'DataZoneStandard'])
param chatDeploymentSku string = 'GlobalStandard'
@minValue(1)
@description('Capacity in units of 1,000 tokens per minute.')
param chatDeploymentCapacity int = 10

@description('Embedding model used for retrieval.')
param embeddingModelName string = 'text-embedding-3-small'
param embeddingModelVersion string = '1'
@allowed(['Standard', 'GlobalStandard', 'DataZoneStandard'])
param embeddingDeploymentSku string = 'GlobalStandard'
@minValue(1)
param embeddingDeploymentCapacity int = 10

@description('Container image of the app; empty on the first provision (a placeholder runs until `azd deploy`).')
param appImage string = ''
@description('azd sets this to true once the app exists, so re-provisioning keeps its image and traffic split.')
param appExists bool = false
@description('Revision suffix (e.g. g<sha7>-r<attempt>); the app reports CONTAINER_APP_REVISION as service.version.')
param revisionSuffix string = ''
{%- if gateway == 'apim' %}

@description('Tokens per minute each calling identity may use through the gateway.')
param gatewayTokensPerMinute int = 20000
@description('Publisher e-mail shown by API Management.')
param apimPublisherEmail string = 'platform@example.com'
@description('Opt-in semantic cache: host name of an Azure Managed Redis with RediSearch (empty = off).')
param semanticCacheRedisHost string = ''
@secure()
@description('Access key of that Redis (only read when semanticCacheRedisHost is set).')
param semanticCacheRedisKey string = ''
{%- endif %}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  workload: '{{ project_slug }}'
  owner: '{{ owner }}'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    // Monitoring Metrics Publisher: telemetry is sent with Entra tokens (local auth is off).
    publisherPrincipalIds: [identities.outputs.appPrincipalId]
    // Monitoring Reader: the deploy workflow's canary gates query App Insights.
    readerPrincipalIds: [identities.outputs.deployPrincipalId]
  }
}

module identities 'modules/identities.bicep' = {
  name: 'identities'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    githubRepository: githubRepository
  }
}
{%- if iac_profile == 'prod' %}

module network 'modules/network.bicep' = {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
  }
}
{%- endif %}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    pullPrincipalId: identities.outputs.appPrincipalId
    pushPrincipalId: identities.outputs.deployPrincipalId
  }
}

module openai 'modules/openai.bicep' = {
  name: 'openai'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    chatModelName: chatModelName
    chatModelVersion: chatModelVersion
    chatDeploymentSku: chatDeploymentSku
    chatDeploymentCapacity: chatDeploymentCapacity
    embeddingModelName: embeddingModelName
    embeddingModelVersion: embeddingModelVersion
    embeddingDeploymentSku: embeddingDeploymentSku
    embeddingDeploymentCapacity: embeddingDeploymentCapacity
    // With the gateway, only API Management (and the eval identity) call Azure OpenAI directly.
    userPrincipalIds: [
{%- if gateway != 'apim' %}
      identities.outputs.appPrincipalId
{%- endif %}
      identities.outputs.evalPrincipalId
    ]
  }
}

module search 'modules/search.bicep' = {
  name: 'search'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    readerPrincipalIds: [identities.outputs.appPrincipalId, identities.outputs.evalPrincipalId]
    indexWriterPrincipalIds: [identities.outputs.deployPrincipalId]
  }
}

module keyvault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    secretsUserPrincipalIds: [identities.outputs.appPrincipalId]
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    documentReaderPrincipalIds: [identities.outputs.appPrincipalId, identities.outputs.deployPrincipalId]
    evalWriterPrincipalIds: [identities.outputs.evalPrincipalId]
  }
}
{%- if iac_profile == 'prod' %}

// Private endpoints: in prod every data-plane service is reachable only from the VNet.
var privateServices = [
  { name: 'openai', id: openai.outputs.id, groupId: 'account', zone: 'privatelink.openai.azure.com' }
  { name: 'search', id: search.outputs.id, groupId: 'searchService', zone: 'privatelink.search.windows.net' }
  { name: 'vault', id: keyvault.outputs.id, groupId: 'vault', zone: 'privatelink.vaultcore.azure.net' }
  { name: 'blob', id: storage.outputs.id, groupId: 'blob', zone: 'privatelink.blob.core.windows.net' }
  { name: 'registry', id: registry.outputs.id, groupId: 'registry', zone: 'privatelink.azurecr.io' }
{%- if gateway == 'apim' %}
  { name: 'gateway', id: gateway.outputs.id, groupId: 'Gateway', zone: 'privatelink.azure-api.net' }
{%- endif %}
]

module privateEndpoints 'modules/private-endpoint.bicep' = [for service in privateServices: {
  name: 'pe-${service.name}'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'pe-${service.name}-${resourceToken}'
    vnetId: network.outputs.vnetId
    subnetId: network.outputs.privateEndpointSubnetId
    serviceId: service.id
    groupId: service.groupId
    zoneName: service.zone
  }
}]
{%- endif %}
{%- if gateway == 'apim' %}

module gateway 'modules/apim.bicep' = {
  name: 'gateway'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    publisherEmail: apimPublisherEmail
    openAiEndpoint: openai.outputs.endpoint
    openAiName: openai.outputs.name
    embeddingDeploymentName: openai.outputs.embeddingDeploymentName
    appInsightsName: monitoring.outputs.appInsightsName
    tokensPerMinute: gatewayTokensPerMinute
    clientAppIds: [identities.outputs.appClientId, identities.outputs.evalClientId]
    semanticCacheRedisHost: semanticCacheRedisHost
    semanticCacheRedisKey: semanticCacheRedisKey
{%- if iac_profile == 'prod' %}
    subnetId: network.outputs.apimSubnetId
{%- endif %}
  }
}
{%- endif %}

module app 'modules/app.bicep' = {
  name: 'app'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    identityId: identities.outputs.appIdentityId
    identityClientId: identities.outputs.appClientId
    deployPrincipalId: identities.outputs.deployPrincipalId
    registryServer: registry.outputs.loginServer
    image: appImage
    appExists: appExists
    revisionSuffix: revisionSuffix
    environmentName: environmentName
{%- if iac_profile == 'prod' %}
    infrastructureSubnetId: network.outputs.appSubnetId
{%- endif %}
    settings: {
{%- if gateway == 'apim' %}
      AZURE_OPENAI_ENDPOINT: gateway.outputs.gatewayUrl
{%- else %}
      AZURE_OPENAI_ENDPOINT: openai.outputs.endpoint
{%- endif %}
      AZURE_OPENAI_CHAT_DEPLOYMENT: openai.outputs.chatDeploymentName
      AZURE_OPENAI_EMBEDDING_DEPLOYMENT: openai.outputs.embeddingDeploymentName
      AZURE_SEARCH_ENDPOINT: search.outputs.endpoint
      AZURE_STORAGE_BLOB_ENDPOINT: storage.outputs.blobEndpoint
      AZURE_KEY_VAULT_URI: keyvault.outputs.uri
    }
  }
  dependsOn: [
{%- if iac_profile == 'prod' %}
    privateEndpoints
{%- endif %}
    monitoring
  ]
}


// Outputs: azd stores them in .azure/<env>/.env; the app and the workflows read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = app.outputs.environmentName
output AZURE_CONTAINER_APPS_DEFAULT_DOMAIN string = app.outputs.defaultDomain
output AZURE_CONTAINER_APP_NAME string = app.outputs.name
output SERVICE_API_NAME string = app.outputs.name
output SERVICE_API_URI string = app.outputs.uri
output SERVICE_API_IMAGE_NAME string = app.outputs.image
{%- if gateway == 'apim' %}
output AZURE_OPENAI_ENDPOINT string = gateway.outputs.gatewayUrl
output AZURE_OPENAI_DIRECT_ENDPOINT string = openai.outputs.endpoint
output AZURE_APIM_NAME string = gateway.outputs.name
{%- else %}
output AZURE_OPENAI_ENDPOINT string = openai.outputs.endpoint
{%- endif %}
output AZURE_OPENAI_NAME string = openai.outputs.name
output AZURE_OPENAI_CHAT_DEPLOYMENT string = openai.outputs.chatDeploymentName
output AZURE_OPENAI_EMBEDDING_DEPLOYMENT string = openai.outputs.embeddingDeploymentName
output AZURE_SEARCH_ENDPOINT string = search.outputs.endpoint
output AZURE_SEARCH_NAME string = search.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_KEY_VAULT_URI string = keyvault.outputs.uri
output AZURE_KEY_VAULT_NAME string = keyvault.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.logAnalyticsWorkspaceId
output AZURE_CLIENT_ID_APP string = identities.outputs.appClientId
output AZURE_CLIENT_ID_DEPLOY string = identities.outputs.deployClientId
output AZURE_CLIENT_ID_EVAL string = identities.outputs.evalClientId
