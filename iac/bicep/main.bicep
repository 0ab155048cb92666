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
param chatModelName string = 'gpt-5.4-mini'
param chatModelVersion string = '2026-03-17'
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
@description('True once the app exists: re-provisioning then keeps its image and traffic split (azd sets it; `make provision` detects it).')
param appExists bool = false
@description('Revision suffix (e.g. g<sha7>-r<attempt>); the app reports CONTAINER_APP_REVISION as service.version.')
param revisionSuffix string = ''

@minLength(1)
@description('Audience (Application ID URI) of the API\'s Entra app registration: the app accepts only tokens for it (`make azure-entra-app` creates one).')
param apiAudience string
@description('Client ids of further callers the app accepts (e.g. a front end); the deploy and monitor identities are always allowed.')
param apiCallerClientIds array = []

@description('E-mail that receives the alerts (modules/alerts.bicep); empty: the action group has no receiver.')
param alertEmail string = ''
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
{%- else %}

@description('Requests per minute each caller may make (the app enforces it; with a gateway, the gateway limits tokens).')
param appRateLimitPerMinute int = 60
{%- endif %}

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  workload: '{{ project_slug }}'
  owner: '{{ owner }}'
}

// Built-in roles, in one place. Who gets which role, and why, is the permission table in
// deploy/contract.py (docs/runbook.md); tests/ check that this file grants exactly that.
var roles = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  acrTasksContributor: 'fb382eab-e894-4461-af04-94435c366c3f'
  containerAppsContributor: '358470bc-b998-42bd-ab17-a7e34c199c0f'
  containerAppsOperator: 'f3bd1b5c-91fa-40e7-afe7-0c11d331232c'
  monitoringReader: '43d0d8ad-25c7-4714-9337-8ba259a9fe05'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  openAiUser: '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
  cognitiveServicesUser: 'a97b65f3-24c7-4388-baec-2e87135dc908'
  searchIndexDataReader: '1407120a-92aa-4202-b7e9-c0e197c71c8f'
  searchIndexDataContributor: '8ebe5a00-799e-43f5-93ac-243d3dce84a7'
  searchServiceContributor: '7ca78c08-252a-4471-8644-bb5ff32d4ba0'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
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

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    roleAssignments: [
      { principalId: identities.outputs.appPrincipalId, roleId: roles.monitoringMetricsPublisher }
      { principalId: identities.outputs.deployPrincipalId, roleId: roles.monitoringReader }
      { principalId: identities.outputs.monitorPrincipalId, roleId: roles.monitoringReader }
      { principalId: identities.outputs.alertsPrincipalId, roleId: roles.monitoringReader }
    ]
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
{%- if iac_profile == 'prod' %}
    buildSubnetId: network.outputs.buildSubnetId
{%- endif %}
    roleAssignments: [
      { principalId: identities.outputs.appPrincipalId, roleId: roles.acrPull }
      { principalId: identities.outputs.deployPrincipalId, roleId: roles.acrTasksContributor }
    ]
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
{%- if gateway == 'apim' %}
    // With the gateway, only API Management calls Azure OpenAI (modules/apim.bicep grants it).
    roleAssignments: []
{%- else %}
    roleAssignments: [
      { principalId: identities.outputs.appPrincipalId, roleId: roles.openAiUser }
      { principalId: identities.outputs.evalPrincipalId, roleId: roles.openAiUser }
{%- if use_case_needs_search %}
      { principalId: identities.outputs.indexPrincipalId, roleId: roles.openAiUser }
{%- endif %}
    ]
{%- endif %}
  }
}

module contentSafety 'modules/content-safety.bicep' = {
  name: 'content-safety'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    roleAssignments: [
      { principalId: identities.outputs.appPrincipalId, roleId: roles.cognitiveServicesUser }
    ]
  }
}
{%- if use_case_needs_search %}

module search 'modules/search.bicep' = {
  name: 'search'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    roleAssignments: [
      { principalId: identities.outputs.appPrincipalId, roleId: roles.searchIndexDataReader }
      { principalId: identities.outputs.indexPrincipalId, roleId: roles.searchServiceContributor }
      { principalId: identities.outputs.indexPrincipalId, roleId: roles.searchIndexDataContributor }
    ]
  }
}
{%- endif %}

module keyvault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
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
    // feedback, requests, sessions: the app's state (APP_STORE_BACKEND=azure_tables)
    tableRoleAssignment: { principalId: identities.outputs.appPrincipalId, roleId: roles.storageTableDataContributor }
  }
}
{%- if iac_profile == 'prod' %}

// Private endpoints: in prod every data-plane service is reachable only from the VNet.
var privateServices = [
  { name: 'openai', id: openai.outputs.id, groupId: 'account', zone: 'privatelink.openai.azure.com' }
  { name: 'safety', id: contentSafety.outputs.id, groupId: 'account', zone: 'privatelink.cognitiveservices.azure.com' }
{%- if use_case_needs_search %}
  { name: 'search', id: search.outputs.id, groupId: 'searchService', zone: 'privatelink.search.windows.net' }
{%- endif %}
  { name: 'vault', id: keyvault.outputs.id, groupId: 'vault', zone: 'privatelink.vaultcore.azure.net' }
  { name: 'blob', id: storage.outputs.id, groupId: 'blob', zone: 'privatelink.blob.core.windows.net' }
  { name: 'table', id: storage.outputs.id, groupId: 'table', zone: 'privatelink.table.core.windows.net' }
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
    // the identities that may call the models through the gateway (deploy/contract.py)
    clientAppIds: [
      identities.outputs.appClientId
      identities.outputs.evalClientId
{%- if use_case_needs_search %}
      identities.outputs.indexClientId
{%- endif %}
    ]
    semanticCacheRedisHost: semanticCacheRedisHost
    semanticCacheRedisKey: semanticCacheRedisKey
{%- if iac_profile == 'prod' %}
    subnetId: network.outputs.apimSubnetId
{%- endif %}
  }
}
{%- endif %}

// What the app reads (src/{{ project_slug }}/settings.py, APP_* variables) and what it talks to:
// the settings <-> IaC contract test (tests/iac) checks these names against the Settings class.
var appSettings = {
  APP_PROVIDER: 'azure_openai'
{%- if gateway == 'apim' %}
  APP_AZURE_OPENAI_ENDPOINT: gateway.outputs.gatewayUrl
{%- else %}
  APP_AZURE_OPENAI_ENDPOINT: openai.outputs.endpoint
{%- endif %}
  APP_AZURE_OPENAI_CHAT_DEPLOYMENT: openai.outputs.chatDeploymentName
{%- if use_case_needs_search %}
  APP_AZURE_OPENAI_EMBEDDING_DEPLOYMENT: openai.outputs.embeddingDeploymentName
  APP_SEARCH_BACKEND: 'azure_ai_search'
  APP_AZURE_SEARCH_ENDPOINT: search.outputs.endpoint
  APP_AZURE_SEARCH_INDEX: 'grounding-docs'
{%- else %}
  // classification uses no search index: queries are embedded like the index in the image
  APP_EMBEDDING_PROVIDER: 'local'
{%- endif %}
  APP_AUTH_MODE: 'entra'
  APP_ENTRA_TENANT_ID: tenant().tenantId
  APP_ENTRA_AUDIENCE: apiAudience
  APP_ENTRA_ALLOWED_CLIENT_IDS: string(concat([identities.outputs.deployClientId, identities.outputs.monitorClientId], apiCallerClientIds))
  APP_ENTRA_REQUIRED_SCOPES: '[]'
  APP_ENTRA_REQUIRED_ROLES: '["Workload.Invoke"]'
  APP_GUARD: 'azure_content_safety'
  APP_CONTENT_SAFETY_ENDPOINT: contentSafety.outputs.endpoint
  APP_TELEMETRY_EXPORTER: 'azure_monitor'
  APP_STORE_BACKEND: 'azure_tables'
  APP_AZURE_TABLES_ENDPOINT: storage.outputs.tableEndpoint
{%- if gateway != 'apim' %}
  APP_RATE_LIMIT_PER_MINUTE: string(appRateLimitPerMinute)
{%- endif %}
  AZURE_CLIENT_ID: identities.outputs.appClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identities.outputs.appClientId}'
  OTEL_SERVICE_NAME: 'api'
  // service.version comes from CONTAINER_APP_REVISION, which Container Apps injects per revision.
  OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=${environmentName}'
}

module app 'modules/app.bicep' = {
  name: 'app'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    identityId: identities.outputs.appIdentityId
    registryServer: registry.outputs.loginServer
    image: appImage
    appExists: appExists
    revisionSuffix: revisionSuffix
{%- if iac_profile == 'prod' %}
    infrastructureSubnetId: network.outputs.appSubnetId
{%- endif %}
    settings: appSettings
    appRoleAssignments: [
      { principalId: identities.outputs.deployPrincipalId, roleId: roles.containerAppsContributor }
    ]
    environmentRoleAssignments: [
      { principalId: identities.outputs.deployPrincipalId, roleId: roles.containerAppsOperator }
    ]
  }
  dependsOn: [
{%- if iac_profile == 'prod' %}
    privateEndpoints
{%- endif %}
    monitoring
  ]
}

// Alerts on the signals the gates read, the /ready availability test, the workbook.
module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    appInsightsId: monitoring.outputs.appInsightsId
    appInsightsName: monitoring.outputs.appInsightsName
    alertsIdentityId: identities.outputs.alertsIdentityId
    appUri: app.outputs.uri
    alertEmail: alertEmail
  }
}

// Outputs: azd stores them in .azure/<env>/.env; `make azure-setup` copies the ones the
// workflows read into GitHub variables (names in deploy/contract.py VARIABLES).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_ACR_AGENT_POOL string = registry.outputs.agentPoolName
output AZURE_CONTAINER_APPS_ENVIRONMENT_NAME string = app.outputs.environmentName
output AZURE_CONTAINER_APPS_DEFAULT_DOMAIN string = app.outputs.defaultDomain
output AZURE_CONTAINER_APP_NAME string = app.outputs.name
output SERVICE_API_NAME string = app.outputs.name
output SERVICE_API_URI string = app.outputs.uri
output SERVICE_API_IMAGE_NAME string = app.outputs.image
output AZURE_API_AUDIENCE string = apiAudience
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
output AZURE_CONTENT_SAFETY_ENDPOINT string = contentSafety.outputs.endpoint
{%- if use_case_needs_search %}
output AZURE_SEARCH_ENDPOINT string = search.outputs.endpoint
output AZURE_SEARCH_NAME string = search.outputs.name
{%- endif %}
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_KEY_VAULT_URI string = keyvault.outputs.uri
output AZURE_KEY_VAULT_NAME string = keyvault.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output AZURE_MONITOR_WORKBOOK_ID string = alerts.outputs.workbookId
output AZURE_LOG_ANALYTICS_WORKSPACE_ID string = monitoring.outputs.logAnalyticsWorkspaceId
output AZURE_APP_CLIENT_ID string = identities.outputs.appClientId
output AZURE_DEPLOY_CLIENT_ID string = identities.outputs.deployClientId
output AZURE_PROVISION_CLIENT_ID string = identities.outputs.provisionClientId
output AZURE_PREVIEW_CLIENT_ID string = identities.outputs.previewClientId
output AZURE_EVAL_CLIENT_ID string = identities.outputs.evalClientId
output AZURE_MONITOR_CLIENT_ID string = identities.outputs.monitorClientId
{%- if use_case_needs_search %}
output AZURE_INDEX_CLIENT_ID string = identities.outputs.indexClientId
{%- endif %}
output AZURE_PROVISION_PRINCIPAL_ID string = identities.outputs.provisionPrincipalId
output AZURE_PREVIEW_PRINCIPAL_ID string = identities.outputs.previewPrincipalId
