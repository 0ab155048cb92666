// LLM gateway: API Management in front of Azure OpenAI. Backend pool with a circuit breaker,
// managed identity to the backend, token limit per calling identity, token metrics to App
// Insights, and an opt-in semantic cache.
param location string
param tags object
param resourceToken string
param publisherEmail string
param openAiEndpoint string
param openAiName string
param embeddingDeploymentName string
param appInsightsName string
param tokensPerMinute int
@description('Client ids of the managed identities allowed to call the gateway.')
param clientAppIds array
param semanticCacheRedisHost string
@secure()
param semanticCacheRedisKey string
{%- if iac_profile == 'prod' %}
@description('Subnet (delegated to Microsoft.Web/serverFarms) for outbound VNet integration.')
param subnetId string
{%- endif %}

var openAiUser = '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
var semanticCache = !empty(semanticCacheRedisHost)
var clientIdElements = [for id in clientAppIds: '<application-id>${id}</application-id>']
var clientIdsXml = join(clientIdElements, '')
var cacheLookup = '<azure-openai-semantic-cache-lookup score-threshold="0.05" embeddings-backend-id="openai-embeddings" embeddings-backend-auth="system-assigned" ignore-system-messages="true" max-message-count="10"><vary-by>@((string)context.Variables["callerId"])</vary-by></azure-openai-semantic-cache-lookup>'
var cacheStore = '<azure-openai-semantic-cache-store duration="300" />'
var policy = replace(replace(replace(replace(replace(loadTextContent('../apim-policy.xml'),
  '__TENANT_ID__', tenant().tenantId),
  '__CLIENT_APPLICATION_IDS__', clientIdsXml),
  '__TOKENS_PER_MINUTE__', string(tokensPerMinute)),
  '<!--semantic-cache-lookup-->', semanticCache ? cacheLookup : ''),
  '<!--semantic-cache-store-->', semanticCache ? cacheStore : '')

resource openAi 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: openAiName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource apim 'Microsoft.ApiManagement/service@2024-06-01-preview' = {
  name: 'apim-${resourceToken}'
  location: location
  tags: tags
{%- if iac_profile == 'prod' %}
  sku: {
    name: 'StandardV2'
    capacity: 1
  }
{%- else %}
  // checkov:skip=CKV_AZURE_107: dev has no VNet; the gateway still requires an Entra token from an allowed identity
  // checkov:skip=CKV_AZURE_174: dev has no private endpoint, so the gateway is public; the prod profile disables public access
  sku: {
    name: 'BasicV2'
    capacity: 1
  }
{%- endif %}
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: '{{ owner }}'
{%- if iac_profile == 'prod' %}
    virtualNetworkType: 'External'
    virtualNetworkConfiguration: {
      subnetResourceId: subnetId
    }
    publicNetworkAccess: 'Disabled'
{%- else %}
    publicNetworkAccess: 'Enabled'
{%- endif %}
  }
}

resource openAiBackend 'Microsoft.ApiManagement/service/backends@2024-06-01-preview' = {
  parent: apim
  name: 'openai-1'
  properties: {
    protocol: 'http'
    url: '${openAiEndpoint}openai'
    circuitBreaker: {
      rules: [
        {
          name: 'openai-breaker'
          failureCondition: {
            count: 3
            interval: 'PT1M'
            statusCodeRanges: [
              { min: 429, max: 429 }
              { min: 500, max: 599 }
            ]
          }
          tripDuration: 'PT1M'
          acceptRetryAfter: true
        }
      ]
    }
  }
}

// Add members (another region, a PTU deployment) here; priority 1 is tried first.
resource pool 'Microsoft.ApiManagement/service/backends@2024-06-01-preview' = {
  parent: apim
  name: 'openai-pool'
  properties: {
    type: 'Pool'
    pool: {
      services: [
        {
          id: openAiBackend.id
          priority: 1
          weight: 1
        }
      ]
    }
  }
}

resource api 'Microsoft.ApiManagement/service/apis@2024-06-01-preview' = {
  parent: apim
  name: 'openai'
  properties: {
    displayName: 'Azure OpenAI'
    path: 'openai'
    protocols: ['https']
    subscriptionRequired: false
  }
}

resource chatOperation 'Microsoft.ApiManagement/service/apis/operations@2024-06-01-preview' = {
  parent: api
  name: 'chat-completions'
  properties: {
    displayName: 'Chat completions'
    method: 'POST'
    urlTemplate: '/deployments/{deployment-id}/chat/completions'
    templateParameters: [
      { name: 'deployment-id', type: 'string', required: true }
    ]
  }
}

resource embeddingsOperation 'Microsoft.ApiManagement/service/apis/operations@2024-06-01-preview' = {
  parent: api
  name: 'embeddings'
  properties: {
    displayName: 'Embeddings'
    method: 'POST'
    urlTemplate: '/deployments/{deployment-id}/embeddings'
    templateParameters: [
      { name: 'deployment-id', type: 'string', required: true }
    ]
  }
}

resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2024-06-01-preview' = {
  parent: api
  name: 'policy'
  properties: {
    format: 'rawxml'
    value: policy
  }
  dependsOn: [pool, embeddingsBackend, cache]
}

// Token metrics need the App Insights logger and API diagnostics with metrics on; the logger
// authenticates with the gateway's identity (App Insights local auth is off).
resource logger 'Microsoft.ApiManagement/service/loggers@2024-06-01-preview' = {
  parent: apim
  name: 'appinsights'
  properties: {
    loggerType: 'applicationInsights'
    resourceId: appInsights.id
    credentials: {
      connectionString: appInsights.properties.ConnectionString
      identityClientId: 'SystemAssigned'
    }
  }
}

resource diagnostics 'Microsoft.ApiManagement/service/apis/diagnostics@2024-06-01-preview' = {
  parent: api
  name: 'applicationinsights'
  properties: {
    loggerId: logger.id
    alwaysLog: 'allErrors'
    metrics: true
    verbosity: 'information'
    sampling: {
      samplingType: 'fixed'
      percentage: 100
    }
  }
}

// Opt-in semantic cache (Azure Managed Redis with RediSearch) and the embeddings backend it uses.
resource embeddingsBackend 'Microsoft.ApiManagement/service/backends@2024-06-01-preview' = if (semanticCache) {
  parent: apim
  name: 'openai-embeddings'
  properties: {
    protocol: 'http'
    url: '${openAiEndpoint}openai/deployments/${embeddingDeploymentName}/embeddings'
  }
}

resource cache 'Microsoft.ApiManagement/service/caches@2024-06-01-preview' = if (semanticCache) {
  parent: apim
  name: 'default'
  properties: {
    connectionString: '${semanticCacheRedisHost}:10000,password=${semanticCacheRedisKey},ssl=True,abortConnect=False'
    useFromLocation: 'default'
    description: 'Semantic cache'
  }
}

resource backendRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(openAi.id, apim.id, openAiUser)
  scope: openAi
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', openAiUser)
    principalId: apim.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource metricsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, apim.id, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: apim.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output id string = apim.id
output name string = apim.name
output gatewayUrl string = apim.properties.gatewayUrl
