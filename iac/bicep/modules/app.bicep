// Container Apps environment + the app: multiple-revision mode (canary by traffic weights and
// label URLs), health probes, user-assigned identity for every Azure call, HTTPS only.
param location string
param tags object
param resourceToken string
param logAnalyticsWorkspaceId string
param appInsightsConnectionString string
param identityId string
param identityClientId string
@description('Deploy identity: Contributor on this app only (new revisions, traffic, labels).')
param deployPrincipalId string
param registryServer string
param image string
param appExists bool
param revisionSuffix string
param environmentName string
@description('App settings passed as environment variables (endpoints and names, never secrets).')
param settings object
{%- if iac_profile == 'prod' %}
@description('Subnet (delegated to Microsoft.App/environments) the environment runs in.')
param infrastructureSubnetId string
{%- endif %}

var appName = 'ca-api-${resourceToken}'
// Until `azd deploy` pushes the real image, a public sample listening on port 80 runs.
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
var contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c'

module state 'app-state.bicep' = {
  name: 'app-state'
  params: {
    name: appName
    exists: appExists
  }
}

var liveImage = !empty(image) ? image : state.outputs.image
var runsPlaceholder = empty(liveImage)
var port = runsPlaceholder ? 80 : 8000
var healthPath = runsPlaceholder ? '/' : '/health'
var settingsEnv = [for setting in items(settings): {
  name: setting.key
  value: setting.value
}]
var env = concat([
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD;ClientId=${identityClientId}' }
  { name: 'OTEL_SERVICE_NAME', value: 'api' }
  // service.version comes from CONTAINER_APP_REVISION, which Container Apps injects per revision.
  { name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'deployment.environment=${environmentName}' }
], settingsEnv)

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-${resourceToken}'
  location: location
  tags: tags
  properties: {
    // Logs flow through Azure Monitor diagnostic settings: no workspace shared key is needed.
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
{%- if iac_profile == 'prod' %}
    vnetConfiguration: {
      infrastructureSubnetId: infrastructureSubnetId
      internal: false
    }
    zoneRedundant: true
{%- else %}
    zoneRedundant: false
{%- endif %}
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Multiple'
      maxInactiveRevisions: 10
      ingress: {
        external: true
        targetPort: port
        transport: 'auto'
        allowInsecure: false
        traffic: appExists ? state.outputs.traffic : [
          {
            latestRevision: true
            weight: 100
          }
        ]
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      revisionSuffix: empty(revisionSuffix) ? null : revisionSuffix
      containers: [
        {
          name: 'api'
          image: runsPlaceholder ? placeholderImage : liveImage
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
          env: env
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: healthPath
                port: port
              }
              periodSeconds: 5
              failureThreshold: 30
            }
            {
              type: 'Liveness'
              httpGet: {
                path: healthPath
                port: port
              }
              periodSeconds: 15
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: healthPath
                port: port
              }
              periodSeconds: 10
              failureThreshold: 3
            }
          ]
        }
      ]
      scale: {
{%- if iac_profile == 'prod' %}
        minReplicas: 2
{%- else %}
        minReplicas: 0
{%- endif %}
        maxReplicas: 10
      }
    }
  }
}

resource deployer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(app.id, deployPrincipalId, contributor)
  scope: app
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', contributor)
    principalId: deployPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
output image string = runsPlaceholder ? placeholderImage : liveImage
output environmentName string = environment.name
output defaultDomain string = environment.properties.defaultDomain
