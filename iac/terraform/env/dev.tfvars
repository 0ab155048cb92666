# The dev environment: `make provision ENV=dev` (terraform -chdir=infra apply -var-file=env/dev.tfvars,
# with api_audience and github_repository from the environment: TF_VAR_api_audience, TF_VAR_github_repository).
# `make preflight` checks these values before anyone provisions.
environment_name = "{{ project_slug | replace('_', '-') }}-dev"
location         = "{{ azure_location }}"

chat_model_name          = "gpt-5.4-mini"
chat_model_version       = "2026-03-17"
chat_deployment_sku      = "GlobalStandard"
chat_deployment_capacity = 10

embedding_model_name          = "text-embedding-3-small"
embedding_model_version       = "1"
embedding_deployment_sku      = "GlobalStandard"
embedding_deployment_capacity = 10
