# {{ project_name }}: the workload's Azure resources (profile: {{ iac_profile }}, gateway: {{ gateway }}).
# Plain azurerm resources (no registry modules) so checkov sees every setting: `make iac-scan`.
terraform {
  required_version = ">= 1.6"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.81"
    }
{%- if gateway == 'apim' %}
    # Only for what azurerm cannot express: the API Management backend pool, logger and diagnostics.
    azapi = {
      source  = "Azure/azapi"
      version = "~> 2.0"
    }
{%- endif %}
  }
  # State is local by default (azd keeps it under .azure/<env>/infra). For a team, configure a
  # remote backend, e.g. backend "azurerm" {} with `terraform init -backend-config=...`.
}

provider "azurerm" {
  features {}
  # Shared keys are disabled on the storage account: use Entra ID for its data plane too.
  storage_use_azuread = true
}
