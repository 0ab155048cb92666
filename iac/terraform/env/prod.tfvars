# The prod environment: `make provision ENV=prod` (terraform -chdir=infra apply -var-file=env/prod.tfvars,
# with api_audience and github_repository from the environment: TF_VAR_api_audience, TF_VAR_github_repository).
# `make preflight` checks these values before anyone provisions.
environment_name = "{{ project_slug | replace('_', '-') }}-prod"
location         = "{{ azure_location }}"

chat_model_name          = "gpt-5.4-mini"
chat_model_version       = "2026-03-17"
chat_deployment_sku      = "GlobalStandard"
chat_deployment_capacity = 50

embedding_model_name          = "text-embedding-3-small"
embedding_model_version       = "1"
embedding_deployment_sku      = "GlobalStandard"
embedding_deployment_capacity = 30
{%- if iac_profile == 'prod' %}
{%- set pairs = {
  'australiaeast': 'australiasoutheast', 'canadacentral': 'canadaeast', 'canadaeast': 'canadacentral',
  'centralus': 'eastus2', 'eastus': 'westus', 'eastus2': 'centralus', 'francecentral': 'francesouth',
  'germanywestcentral': 'germanynorth', 'japaneast': 'japanwest', 'northcentralus': 'southcentralus',
  'northeurope': 'westeurope', 'norwayeast': 'norwaywest', 'southcentralus': 'northcentralus',
  'swedencentral': 'swedensouth', 'switzerlandnorth': 'switzerlandwest', 'uksouth': 'ukwest',
  'westeurope': 'northeurope', 'westus': 'eastus', 'westus3': 'eastus',
} %}

# Geo-replica of the container registry: the region paired with {{ azure_location }}.
registry_replica_location = "{{ pairs.get(azure_location, 'SET-A-SECOND-REGION') }}"
{%- endif %}
