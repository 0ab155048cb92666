# Container Apps environment + the app: multiple-revision mode (canary by traffic weights and
# label URLs), health probes, user-assigned identity for every Azure call, HTTPS only.
locals {
  # Until the first `azd deploy` / deploy workflow, a public sample runs. Port and probes are the
  # real app's from the start (`az containerapp update --image` keeps them), so the first real
  # revision becomes healthy; the sample itself listens on 80 and stays unready, serving nothing.
  placeholder_image = "mcr.microsoft.com/azuredocs/containerapps-helloworld:latest"
  app_port          = 8000
  health_path       = "/health"
  # What the app reads (src/{{ project_slug }}/settings.py, APP_* variables) and what it talks to:
  # the settings <-> IaC contract test (tests/iac) checks these names against the Settings class.
  app_settings = {
    APP_PROVIDER                     = "azure_openai"
    APP_AZURE_OPENAI_ENDPOINT        = local.openai_endpoint_for_app
    APP_AZURE_OPENAI_CHAT_DEPLOYMENT = azurerm_cognitive_deployment.chat.name
    # retrieval: Azure AI Search (rag_chat, summarization); classification has no index
{%- if use_case_needs_search %}
    APP_AZURE_OPENAI_EMBEDDING_DEPLOYMENT     = azurerm_cognitive_deployment.embedding.name
    APP_SEARCH_BACKEND                        = "azure_ai_search"
    APP_AZURE_SEARCH_ENDPOINT                 = "https://${azurerm_search_service.main.name}.search.windows.net"
    APP_AZURE_SEARCH_INDEX                    = "grounding-docs"
{%- else %}
    # queries are embedded like the index in the image (local embeddings)
    APP_EMBEDDING_PROVIDER                    = "local"
{%- endif %}
    APP_AUTH_MODE                             = "entra"
    APP_ENTRA_TENANT_ID                       = data.azurerm_client_config.current.tenant_id
    APP_ENTRA_AUDIENCE                        = var.api_audience
    APP_ENTRA_ALLOWED_CLIENT_IDS              = jsonencode(concat([azurerm_user_assigned_identity.deploy.client_id, azurerm_user_assigned_identity.monitor.client_id], var.api_caller_client_ids))
    APP_ENTRA_REQUIRED_SCOPES                 = "[]"
    APP_ENTRA_REQUIRED_ROLES                  = "[\"Workload.Invoke\"]"
    APP_GUARD                                 = "azure_content_safety"
    APP_CONTENT_SAFETY_ENDPOINT               = azurerm_cognitive_account.content_safety.endpoint
    APP_TELEMETRY_EXPORTER                    = "azure_monitor"
    APP_STORE_BACKEND                         = "azure_tables"
    APP_AZURE_TABLES_ENDPOINT                 = azurerm_storage_account.main.primary_table_endpoint
{%- if gateway != 'apim' %}
    APP_RATE_LIMIT_PER_MINUTE                 = tostring(var.app_rate_limit_per_minute)
{%- endif %}
    AZURE_CLIENT_ID                           = azurerm_user_assigned_identity.app.client_id
    APPLICATIONINSIGHTS_CONNECTION_STRING     = azurerm_application_insights.main.connection_string
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "Authorization=AAD;ClientId=${azurerm_user_assigned_identity.app.client_id}"
    OTEL_SERVICE_NAME                         = "api"
    # service.version comes from CONTAINER_APP_REVISION, which Container Apps injects per revision.
    OTEL_RESOURCE_ATTRIBUTES = "deployment.environment=${var.environment_name}"
  }
}

resource "azurerm_container_app_environment" "main" {
  name                = "cae-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  # Logs flow through Azure Monitor diagnostic settings: no workspace shared key is needed.
  logs_destination = "azure-monitor"
  tags             = local.tags
{%- if iac_profile == 'prod' %}

  infrastructure_subnet_id       = azurerm_subnet.app.id
  internal_load_balancer_enabled = false
  zone_redundancy_enabled        = true
{%- else %}

  zone_redundancy_enabled = false
{%- endif %}

  workload_profile {
    name                  = "Consumption"
    workload_profile_type = "Consumption"
  }
}

resource "azurerm_monitor_diagnostic_setting" "environment" {
  name                       = "to-log-analytics"
  target_resource_id         = azurerm_container_app_environment.main.id
  log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id

  enabled_log {
    category_group = "allLogs"
  }
}

resource "azurerm_container_app" "api" {
  name                         = "ca-api-${local.token}"
  container_app_environment_id = azurerm_container_app_environment.main.id
  resource_group_name          = azurerm_resource_group.main.name
  revision_mode                = "Multiple"
  max_inactive_revisions       = 10
  workload_profile_name        = "Consumption"
  tags                         = merge(local.tags, { azd-service-name = "api" })
{%- if iac_profile == 'prod' %}

  depends_on = [azurerm_private_endpoint.endpoints]
{%- endif %}

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.app.id]
  }

  registry {
    server   = azurerm_container_registry.main.login_server
    identity = azurerm_user_assigned_identity.app.id
  }

  ingress {
    external_enabled           = true
    target_port                = local.app_port
    transport                  = "auto"
    allow_insecure_connections = false

    traffic_weight {
      latest_revision = true
      percentage      = 100
    }
  }

  template {
{%- if iac_profile == 'prod' %}
    min_replicas = 2
{%- else %}
    min_replicas = 0
{%- endif %}
    max_replicas = 10

    container {
      name   = "api"
      image  = var.app_image == "" ? local.placeholder_image : var.app_image
      cpu    = 0.5
      memory = "1Gi"

      dynamic "env" {
        for_each = local.app_settings
        content {
          name  = env.key
          value = env.value
        }
      }

      startup_probe {
        transport               = "HTTP"
        path                    = local.health_path
        port                    = local.app_port
        interval_seconds        = 5
        failure_count_threshold = 30
      }

      liveness_probe {
        transport               = "HTTP"
        path                    = local.health_path
        port                    = local.app_port
        interval_seconds        = 15
        failure_count_threshold = 3
      }

      readiness_probe {
        transport               = "HTTP"
        path                    = local.health_path
        port                    = local.app_port
        interval_seconds        = 10
        failure_count_threshold = 3
      }
    }
  }

  # The deploy workflow owns images and traffic (canary): re-applying must not undo a rollout,
  # and a change of settings creates a revision with the running image.
  lifecycle {
    ignore_changes = [
      ingress[0].traffic_weight,
      template[0].container[0].image,
      template[0].revision_suffix,
    ]
  }
}
