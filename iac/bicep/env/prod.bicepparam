// The prod environment: `az deployment sub create --location <region> --template-file infra/main.bicep
// --parameters infra/env/prod.bicepparam`. `make preflight` checks these values before anyone provisions.
using '../main.bicep'

param environmentName = '{{ project_slug | replace('_', '-') }}-prod'
param location = '{{ azure_location }}'
param githubRepository = '{{ owner }}/{{ project_slug | replace('_', '-') }}'

param chatModelName = 'gpt-4o-mini'
param chatModelVersion = '2024-07-18'
param chatDeploymentSku = 'GlobalStandard'
param chatDeploymentCapacity = 50

param embeddingModelName = 'text-embedding-3-small'
param embeddingModelVersion = '1'
param embeddingDeploymentSku = 'GlobalStandard'
param embeddingDeploymentCapacity = 30
