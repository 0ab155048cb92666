variable "environment_name" {
  description = "Name of the environment (azd: AZURE_ENV_NAME); part of every resource name."
  type        = string
}

variable "location" {
  description = "Azure region of every resource (azd: AZURE_LOCATION)."
  type        = string
}

variable "github_repository" {
  description = "GitHub repository (owner/name) whose workflows may log in through OIDC."
  type        = string
}

variable "chat_model_name" {
  description = "Chat model: name, version and capacity are pinned here, never \"latest\"."
  type        = string
  default     = "gpt-5.4-mini"
}

variable "chat_model_version" {
  type    = string
  default = "2026-03-17"
}

variable "chat_deployment_sku" {
  type    = string
  default = "GlobalStandard"
  validation {
    condition     = contains(["Standard", "GlobalStandard", "DataZoneStandard"], var.chat_deployment_sku)
    error_message = "chat_deployment_sku must be Standard, GlobalStandard or DataZoneStandard."
  }
}

variable "chat_deployment_capacity" {
  description = "Capacity in units of 1,000 tokens per minute."
  type        = number
  default     = 10
}

variable "embedding_model_name" {
  description = "Embedding model used for retrieval."
  type        = string
  default     = "text-embedding-3-small"
}

variable "embedding_model_version" {
  type    = string
  default = "1"
}

variable "embedding_deployment_sku" {
  type    = string
  default = "GlobalStandard"
  validation {
    condition     = contains(["Standard", "GlobalStandard", "DataZoneStandard"], var.embedding_deployment_sku)
    error_message = "embedding_deployment_sku must be Standard, GlobalStandard or DataZoneStandard."
  }
}

variable "embedding_deployment_capacity" {
  type    = number
  default = 10
}

variable "api_audience" {
  description = "Audience (Application ID URI) of the API's Entra app registration: the app accepts only tokens for it (`make azure-entra-app` creates one)."
  type        = string
  validation {
    condition     = length(var.api_audience) > 0
    error_message = "api_audience is required: run `make azure-entra-app` or set AZURE_API_AUDIENCE."
  }
}

variable "api_caller_client_ids" {
  description = "Client ids of further callers the app accepts (e.g. a front end); the deploy and monitor identities are always allowed."
  type        = list(string)
  default     = []
}

variable "alert_email" {
  description = "E-mail that receives the alerts (alerts.tf); empty: the action group has no receiver."
  type        = string
  default     = ""
}

variable "alert_max_error_rate" {
  description = "Alert when a revision's share of 5xx responses exceeds this (5-minute bins)."
  type        = number
  default     = 0.05
}

variable "alert_max_p95_ms" {
  description = "Alert when a revision's p95 latency exceeds this many milliseconds."
  type        = number
  default     = 8000
}

variable "alert_max_tokens_per_hour" {
  description = "Alert when the model tokens of one hour exceed this."
  type        = number
  default     = 400000
}

variable "alert_max_eval_drop" {
  description = "Alert when the online eval score of the last hour dropped this much below the day before."
  type        = number
  default     = 0.1
}

variable "alert_min_positive_rate" {
  description = "Alert when the share of positive ratings (>= 4 of 5) falls below this."
  type        = number
  default     = 0.6
}

variable "app_image" {
  description = "Container image of the app; empty on the first apply (a placeholder runs until `azd deploy`)."
  type        = string
  default     = ""
}
{%- if iac_profile == 'prod' %}

variable "registry_replica_location" {
  description = "Second region of the container registry (geo-replication); must differ from location."
  type        = string
}
{%- endif %}
{%- if gateway == 'apim' %}
{%- if iac_profile == 'prod' %}

variable "apim_public_network_access_enabled" {
  description = "Public access to API Management's management plane: must be true when it is created (azurerm docs), false afterwards."
  type        = bool
  default     = false
}
{%- endif %}

variable "gateway_tokens_per_minute" {
  description = "Tokens per minute each calling identity may use through the gateway."
  type        = number
  default     = 20000
}

variable "apim_publisher_email" {
  description = "Publisher e-mail shown by API Management."
  type        = string
  default     = "platform@example.com"
}

variable "semantic_cache_redis_host" {
  description = "Opt-in semantic cache: host name of an Azure Managed Redis with RediSearch (empty = off)."
  type        = string
  default     = ""
}

variable "semantic_cache_redis_key" {
  description = "Access key of that Redis (only read when semantic_cache_redis_host is set)."
  type        = string
  default     = ""
  sensitive   = true
}
{%- else %}

variable "app_rate_limit_per_minute" {
  description = "Requests per minute each caller may make (the app enforces it; with a gateway, the gateway limits tokens)."
  type        = number
  default     = 60
}
{%- endif %}
