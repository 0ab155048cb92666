// User-assigned identities: the app at runtime, and two for GitHub Actions through OIDC
// (federated credentials, no secrets): deploy (only jobs in the `prod` environment) and eval.
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

resource deploy 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-deploy-${resourceToken}'
  location: location
  tags: tags
}

resource eval 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-eval-${resourceToken}'
  location: location
  tags: tags
}

// Deploy: only a job that declares `environment: prod` gets this subject.
resource deployProd 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: deploy
  name: 'github-environment-prod'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:environment:prod'
    audiences: audiences
  }
}

// Eval: pull requests from the repository itself (forks get no token) and the main branch.
// Azure rejects concurrent writes of credentials on one identity, hence the dependsOn chain.
resource evalPullRequest 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: eval
  name: 'github-pull-request'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:pull_request'
    audiences: audiences
  }
}

resource evalMain 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials@2023-01-31' = {
  parent: eval
  name: 'github-main'
  properties: {
    issuer: issuer
    subject: 'repo:${githubRepository}:ref:refs/heads/main'
    audiences: audiences
  }
  dependsOn: [evalPullRequest]
}

output appIdentityId string = app.id
output appPrincipalId string = app.properties.principalId
output appClientId string = app.properties.clientId
output deployPrincipalId string = deploy.properties.principalId
output deployClientId string = deploy.properties.clientId
output evalPrincipalId string = eval.properties.principalId
output evalClientId string = eval.properties.clientId
