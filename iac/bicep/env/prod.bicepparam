// The prod environment: `make provision ENV=prod` (it runs `az deployment sub create --location <region>
// --template-file infra/main.bicep --parameters infra/env/prod.bicepparam` with the values below).
// `make preflight` checks these values before anyone provisions.
using '../main.bicep'

param environmentName = '{{ project_slug | replace('_', '-') }}-prod'
param location = '{{ azure_location }}'
param githubRepository = readEnvironmentVariable('GITHUB_REPOSITORY', '{{ owner }}/{{ project_slug | replace('_', '-') }}')
param apiAudience = readEnvironmentVariable('AZURE_API_AUDIENCE', '')
// Re-provisioning must keep the deployed image and traffic: this defaults to true, so a first-ever
// provision has to say SERVICE_API_RESOURCE_EXISTS=false (`make provision` detects it). A wrong
// `true` fails the deployment (the app is not found); a wrong `false` would reset production.
param appExists = bool(readEnvironmentVariable('SERVICE_API_RESOURCE_EXISTS', 'true'))

param chatModelName = 'gpt-5.4-mini'
param chatModelVersion = '2026-03-17'
param chatDeploymentSku = 'GlobalStandard'
param chatDeploymentCapacity = 50

param embeddingModelName = 'text-embedding-3-small'
param embeddingModelVersion = '1'
param embeddingDeploymentSku = 'GlobalStandard'
param embeddingDeploymentCapacity = 30
