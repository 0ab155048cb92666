// The dev environment: `az deployment sub create --location <region> --template-file infra/main.bicep
// --parameters infra/env/dev.bicepparam`. `make preflight` checks these values before anyone provisions.
using '../main.bicep'

param environmentName = '{{ project_slug | replace('_', '-') }}-dev'
param location = '{{ azure_location }}'
param githubRepository = '{{ owner }}/{{ project_slug | replace('_', '-') }}'

param chatModelName = 'gpt-4o-mini'
param chatModelVersion = '2024-07-18'
param chatDeploymentSku = 'GlobalStandard'
param chatDeploymentCapacity = 10

param embeddingModelName = 'text-embedding-3-small'
param embeddingModelVersion = '1'
param embeddingDeploymentSku = 'GlobalStandard'
param embeddingDeploymentCapacity = 10
