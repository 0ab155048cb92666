// Container Apps environment + the app: multiple-revision mode (canary by traffic weights and
// label URLs), health probes, user-assigned identity for every Azure call, HTTPS only.
param location string
param tags object
param resourceToken string
param logAnalyticsWorkspaceId string
param identityId string
param registryServer string
param image string
param appExists bool
param revisionSuffix string
@description('Environment variables of the app: APP_* settings, endpoints and names, never secrets.')
param settings object
@description('Role assignments on the app: [{ principalId, roleId }] (deploy/contract.py).')
param appRoleAssignments array = []
@description('Role assignments on the environment: [{ principalId, roleId }] (deploy/contract.py).')
param environmentRoleAssignments array = []
{%- if iac_profile == 'prod' %}
@description('Subnet (delegated to Microsoft.App/environments) the environment runs in.')
param infrastructureSubnetId string
{%- endif %}

var appName = 'ca-api-${resourceToken}'
// Until the first `azd deploy` / deploy workflow, a public sample runs. Port and probes are the
// real app's from the start (`az containerapp update --image` keeps them), so the first real
// revision becomes healthy; the sample itself listens on 80 and stays unready, serving nothing.
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
var port = 8000
var healthPath = '/health'

module state 'app-state.bicep' = {
  name: 'app-state'
  params: {
    name: appName
    exists: appExists
  }
}

// A re-provision keeps the image the deploy workflow rolled out (and, below, its traffic split).
var liveImage = !empty(image) ? image : state.outputs.image
var runsPlaceholder = empty(liveImage)
var env = [for setting in items(settings): {
  name: setting.key
  value: setting.value
}]

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

resource appGrants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in appRoleAssignments: {
  name: guid(app.id, grant.principalId, grant.roleId)
  scope: app
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    principalId: grant.principalId
    principalType: 'ServicePrincipal'
  }
}]

// `az containerapp update` also needs Microsoft.App/managedEnvironments/join/action here.
resource environmentGrants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for grant in environmentRoleAssignments: {
  name: guid(environment.id, grant.principalId, grant.roleId)
  scope: environment
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grant.roleId)
    principalId: grant.principalId
    principalType: 'ServicePrincipal'
  }
}]

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
output image string = runsPlaceholder ? placeholderImage : liveImage
output environmentName string = environment.name
output defaultDomain string = environment.properties.defaultDomain
