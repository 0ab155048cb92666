// User-assigned identities: the app at runtime, and one per workflow duty for GitHub Actions
// through OIDC (federated credentials, no secrets). Who gets which role is deploy/contract.py.
param location string
param tags object
param resourceToken string
@description('owner/name of the GitHub repository whose workflows may log in.')
param githubRepository string

var issuer = 'https://token.actions.githubusercontent.com'
var audiences = ['api://AzureADTokenExchange']

resource app 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-app-${resourceToken}'
  location: location
  tags: tags
}

// The scheduled-query alert rules (modules/alerts.bicep) run their KQL as this identity.
resource alerts 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-alerts-${resourceToken}'
  location: location
  tags: tags
}

// deploy.yml canary job (environment prod): image build, revisions, traffic, gates.
resource deploy 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-deploy-${resourceToken}'
  location: location
  tags: tags
}

resource deployCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: deploy
  name: 'github-environment-prod'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:environment:prod'
    audiences: audiences
  }
}

// deploy.yml provision job (environment prod); its subscription roles are granted once by a
// subscription owner (`make azure-bootstrap`), not by this file.
resource provision 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-provision-${resourceToken}'
  location: location
  tags: tags
}

resource provisionCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: provision
  name: 'github-environment-prod'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:environment:prod'
    audiences: audiences
  }
}

// infra-preview.yml on pull requests: what-if only (read + whatIf, granted by the bootstrap).
resource preview 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-preview-${resourceToken}'
  location: location
  tags: tags
}

resource previewCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: preview
  name: 'github-pull-request'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:pull_request'
    audiences: audiences
  }
}

// ci.yml eval job on same-repository pull requests (forks get no token): calls the chat model.
resource eval 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-eval-${resourceToken}'
  location: location
  tags: tags
}

resource evalCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: eval
  name: 'github-pull-request'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:pull_request'
    audiences: audiences
  }
}

// monitor.yml, scheduled on main: reads telemetry, calls the live app.
resource monitor 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-monitor-${resourceToken}'
  location: location
  tags: tags
}

resource monitorCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: monitor
  name: 'github-main'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:ref:refs/heads/main'
    audiences: audiences
  }
}
{%- if use_case_needs_search %}

// refresh-index.yml (environment prod): builds a new index, evaluates it, moves the alias.
resource index 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-index-${resourceToken}'
  location: location
  tags: tags
}

resource indexCredential 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: index
  name: 'github-environment-prod'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:environment:prod'
    audiences: audiences
  }
}
{%- endif %}

output appIdentityId string = app.id
output appPrincipalId string = app.properties.principalId
output appClientId string = app.properties.clientId
output alertsIdentityId string = alerts.id
output alertsPrincipalId string = alerts.properties.principalId
output deployPrincipalId string = deploy.properties.principalId
output deployClientId string = deploy.properties.clientId
output provisionPrincipalId string = provision.properties.principalId
output provisionClientId string = provision.properties.clientId
output previewPrincipalId string = preview.properties.principalId
output previewClientId string = preview.properties.clientId
output evalPrincipalId string = eval.properties.principalId
output evalClientId string = eval.properties.clientId
output monitorPrincipalId string = monitor.properties.principalId
output monitorClientId string = monitor.properties.clientId
{%- if use_case_needs_search %}
output indexPrincipalId string = index.properties.principalId
output indexClientId string = index.properties.clientId
{%- endif %}
