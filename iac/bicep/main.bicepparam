// Parameters for `azd provision` / `azd up`: azd exports the environment's values
// (.azure/<env>/.env) as environment variables. Per-environment pins live in env/*.bicepparam.
using 'main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dev')
param location = readEnvironmentVariable('AZURE_LOCATION', '{{ azure_location }}')
// owner/name of the GitHub repository: `make azure-setup` stores the git remote's in the azd env
param githubRepository = readEnvironmentVariable('GITHUB_REPOSITORY', '{{ owner }}/{{ project_slug | replace('_', '-') }}')
param appImage = readEnvironmentVariable('SERVICE_API_IMAGE_NAME', '')
param appExists = bool(readEnvironmentVariable('SERVICE_API_RESOURCE_EXISTS', 'false'))
param apiAudience = readEnvironmentVariable('AZURE_API_AUDIENCE', '')
