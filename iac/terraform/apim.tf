# LLM gateway: API Management in front of Azure OpenAI. Backend pool with a circuit breaker,
# managed identity to the backend, token limit per calling identity, token metrics to App
# Insights, and an opt-in semantic cache.
locals {
  semantic_cache = var.semantic_cache_redis_host != ""
  cache_lookup   = "<azure-openai-semantic-cache-lookup score-threshold=\"0.05\" embeddings-backend-id=\"openai-embeddings\" embeddings-backend-auth=\"system-assigned\" ignore-system-messages=\"true\" max-message-count=\"10\"><vary-by>@((string)context.Variables[\"callerId\"])</vary-by></azure-openai-semantic-cache-lookup>"
  cache_store    = "<azure-openai-semantic-cache-store duration=\"300\" />"
  client_ids_xml = join("", [for id in [azurerm_user_assigned_identity.app.client_id, azurerm_user_assigned_identity.eval.client_id] : "<application-id>${id}</application-id>"])
  gateway_policy = replace(replace(replace(replace(replace(file("${path.module}/apim-policy.xml"),
    "__TENANT_ID__", data.azurerm_client_config.current.tenant_id),
    "__CLIENT_APPLICATION_IDS__", local.client_ids_xml),
    "__TOKENS_PER_MINUTE__", tostring(var.gateway_tokens_per_minute)),
    "<!--semantic-cache-lookup-->", local.semantic_cache ? local.cache_lookup : ""),
  "<!--semantic-cache-store-->", local.semantic_cache ? local.cache_store : "")
}

resource "azurerm_api_management" "gateway" {
  name                = "apim-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  publisher_name      = "{{ owner }}"
  publisher_email     = var.apim_publisher_email
  tags                = local.tags
{%- if iac_profile == 'prod' %}

  sku_name = "StandardV2_1"
  # azurerm docs: it is required to be true on creation. `make provision` passes
  # apim_public_network_access_enabled=true on the first apply; every later apply closes it.
  public_network_access_enabled = var.apim_public_network_access_enabled
  virtual_network_type          = "External"

  virtual_network_configuration {
    subnet_id = azurerm_subnet.apim.id
  }
{%- else %}

  #checkov:skip=CKV_AZURE_107:dev has no VNet; the gateway still requires an Entra token from an allowed identity
  #checkov:skip=CKV_AZURE_174:dev has no private endpoint, so the gateway is public; the prod profile disables public access
  sku_name                      = "BasicV2_1"
  public_network_access_enabled = true
{%- endif %}

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_api_management_backend" "openai" {
  name                = "openai-1"
  resource_group_name = azurerm_resource_group.main.name
  api_management_name = azurerm_api_management.gateway.name
  protocol            = "http"
  url                 = "https://${azurerm_cognitive_account.openai.custom_subdomain_name}.openai.azure.com/openai"

  circuit_breaker_rule {
    name                       = "openai-breaker"
    trip_duration              = "PT1M"
    accept_retry_after_enabled = true

    failure_condition {
      count             = 3
      interval_duration = "PT1M"

      status_code_range {
        min = 429
        max = 429
      }

      status_code_range {
        min = 500
        max = 599
      }
    }
  }
}

# Add members (another region, a PTU deployment) here; priority 1 is tried first. azurerm's
# backend has no pool (and requires a url), so the pool is an azapi resource.
resource "azapi_resource" "pool" {
  type      = "Microsoft.ApiManagement/service/backends@2024-06-01-preview"
  name      = "openai-pool"
  parent_id = azurerm_api_management.gateway.id
  body = {
    properties = {
      description = "Azure OpenAI backend pool"
      type        = "Pool"
      pool = {
        services = [
          {
            id       = azurerm_api_management_backend.openai.id
            priority = 1
            weight   = 1
          },
        ]
      }
    }
  }
}

resource "azurerm_api_management_api" "openai" {
  name                  = "openai"
  resource_group_name   = azurerm_resource_group.main.name
  api_management_name   = azurerm_api_management.gateway.name
  revision              = "1"
  display_name          = "Azure OpenAI"
  path                  = "openai"
  protocols             = ["https"]
  subscription_required = false
}

resource "azurerm_api_management_api_operation" "chat" {
  operation_id        = "chat-completions"
  api_name            = azurerm_api_management_api.openai.name
  api_management_name = azurerm_api_management.gateway.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Chat completions"
  method              = "POST"
  url_template        = "/deployments/{deployment-id}/chat/completions"

  template_parameter {
    name     = "deployment-id"
    type     = "string"
    required = true
  }
}

resource "azurerm_api_management_api_operation" "embeddings" {
  operation_id        = "embeddings"
  api_name            = azurerm_api_management_api.openai.name
  api_management_name = azurerm_api_management.gateway.name
  resource_group_name = azurerm_resource_group.main.name
  display_name        = "Embeddings"
  method              = "POST"
  url_template        = "/deployments/{deployment-id}/embeddings"

  template_parameter {
    name     = "deployment-id"
    type     = "string"
    required = true
  }
}

resource "azurerm_api_management_api_policy" "openai" {
  api_name            = azurerm_api_management_api.openai.name
  api_management_name = azurerm_api_management.gateway.name
  resource_group_name = azurerm_resource_group.main.name
  xml_content         = local.gateway_policy
  depends_on          = [azapi_resource.pool, azurerm_api_management_backend.embeddings]
}

# Token metrics need the App Insights logger and API diagnostics with `metrics: true`. The
# logger authenticates with the gateway's identity (App Insights local auth is off); azurerm
# can express neither, so these two resources use azapi.
resource "azapi_resource" "logger" {
  type      = "Microsoft.ApiManagement/service/loggers@2024-05-01"
  name      = "appinsights"
  parent_id = azurerm_api_management.gateway.id
  body = {
    properties = {
      loggerType = "applicationInsights"
      resourceId = azurerm_application_insights.main.id
      credentials = {
        connectionString = azurerm_application_insights.main.connection_string
        identityClientId = "SystemAssigned"
      }
    }
  }
  depends_on = [azurerm_role_assignment.gateway_metrics_publisher]
}

resource "azapi_resource" "diagnostics" {
  type      = "Microsoft.ApiManagement/service/apis/diagnostics@2024-05-01"
  name      = "applicationinsights"
  parent_id = azurerm_api_management_api.openai.id
  body = {
    properties = {
      loggerId  = azapi_resource.logger.id
      alwaysLog = "allErrors"
      metrics   = true
      verbosity = "information"
      sampling = {
        samplingType = "fixed"
        percentage   = 100
      }
    }
  }
}

# Opt-in semantic cache (Azure Managed Redis with RediSearch) and the embeddings backend it uses.
resource "azurerm_api_management_backend" "embeddings" {
  count               = local.semantic_cache ? 1 : 0
  name                = "openai-embeddings"
  resource_group_name = azurerm_resource_group.main.name
  api_management_name = azurerm_api_management.gateway.name
  protocol            = "http"
  url                 = "https://${azurerm_cognitive_account.openai.custom_subdomain_name}.openai.azure.com/openai/deployments/${azurerm_cognitive_deployment.embedding.name}/embeddings"
}

resource "azurerm_api_management_redis_cache" "semantic" {
  count             = local.semantic_cache ? 1 : 0
  name              = "default"
  api_management_id = azurerm_api_management.gateway.id
  connection_string = "${var.semantic_cache_redis_host}:10000,password=${var.semantic_cache_redis_key},ssl=True,abortConnect=False"
  cache_location    = "default"
}
