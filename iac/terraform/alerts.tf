# Alerts and the dashboard: the signals the canary gate and the monitor read, on production.
# Each scheduled-query rule runs a KQL file from monitoring/, written from deploy/queries.py
# SIGNALS (their one source; the workbook and Bicep load the same files, and the generated repo's
# tests run them over the app's real telemetry), as the alerts
# identity (Monitoring Reader on App Insights: deploy/contract.py). /ready is probed by a standard
# availability test with a metric alert. Every alert notifies one action group: e-mail when
# alert_email is set, no receiver otherwise.
locals {
  alert_rules = {
    "error-rate" = {
      description = "Share of HTTP 5xx responses per revision (infra/monitoring/error_rate.kql)"
      query       = file("${path.module}/monitoring/error_rate.kql")
      measure     = "error_rate"
      aggregation = "Maximum"
      operator    = "GreaterThan"
      threshold   = var.alert_max_error_rate
      severity    = 1
      frequency   = "PT5M"
      window      = "PT15M"
      time_range  = "PT15M"
      by_revision = true
    }
    "latency-p95" = {
      description = "p95 request latency per revision (infra/monitoring/latency_p95.kql)"
      query       = file("${path.module}/monitoring/latency_p95.kql")
      measure     = "p95_ms"
      aggregation = "Maximum"
      operator    = "GreaterThan"
      threshold   = var.alert_max_p95_ms
      severity    = 2
      frequency   = "PT5M"
      window      = "PT15M"
      time_range  = "PT15M"
      by_revision = true
    }
    "token-spend" = {
      description = "Model tokens per hour (infra/monitoring/token_spend.kql)"
      query       = file("${path.module}/monitoring/token_spend.kql")
      measure     = "tokens"
      aggregation = "Total"
      operator    = "GreaterThan"
      threshold   = var.alert_max_tokens_per_hour
      severity    = 2
      frequency   = "PT15M"
      window      = "PT1H"
      time_range  = "PT1H"
      by_revision = false
    }
    "eval-drift" = {
      description = "Online eval score of the last hour below the day before (infra/monitoring/eval_drift.kql)"
      query       = file("${path.module}/monitoring/eval_drift.kql")
      measure     = "drop"
      aggregation = "Maximum"
      operator    = "GreaterThan"
      threshold   = var.alert_max_eval_drop
      severity    = 2
      frequency   = "PT1H"
      window      = "PT1H"
      time_range  = "P1D"
      by_revision = false
    }
    "feedback-score" = {
      description = "Share of positive user ratings per hour (infra/monitoring/feedback_score.kql)"
      query       = file("${path.module}/monitoring/feedback_score.kql")
      measure     = "positive_rate"
      aggregation = "Average"
      operator    = "LessThan"
      threshold   = var.alert_min_positive_rate
      severity    = 3
      frequency   = "PT1H"
      window      = "PT6H"
      time_range  = "PT6H"
      by_revision = true
    }
  }
  # The workbook: every signal per revision over the chosen time range, one chart each, the
  # same KQL files the alerts run (Azure Monitor workbook JSON, Notebook/1.0).
  workbook_charts = [
    { title = "Error rate (5xx share) per revision", query = file("${path.module}/monitoring/error_rate.kql"), visualization = "timechart" },
    { title = "p95 latency (ms) per revision", query = file("${path.module}/monitoring/latency_p95.kql"), visualization = "timechart" },
    { title = "Model tokens per hour per revision", query = file("${path.module}/monitoring/token_spend.kql"), visualization = "timechart" },
    { title = "Online eval score per revision", query = file("${path.module}/monitoring/eval_score.kql"), visualization = "timechart" },
    { title = "Online eval score: drop of the last hour against the day before", query = file("${path.module}/monitoring/eval_drift.kql"), visualization = "table" },
    { title = "Positive feedback share per revision", query = file("${path.module}/monitoring/feedback_score.kql"), visualization = "timechart" },
    { title = "Availability of /ready (%) per location", query = file("${path.module}/monitoring/availability.kql"), visualization = "timechart" },
  ]
}

resource "azurerm_monitor_action_group" "main" {
  name                = "ag-${local.token}"
  resource_group_name = azurerm_resource_group.main.name
  short_name          = "genaiops"
  enabled             = true
  tags                = local.tags

  dynamic "email_receiver" {
    for_each = var.alert_email == "" ? [] : [var.alert_email]
    content {
      name                    = "email"
      email_address           = email_receiver.value
      use_common_alert_schema = true
    }
  }
}

resource "azurerm_monitor_scheduled_query_rules_alert_v2" "signal" {
  for_each                  = local.alert_rules
  name                      = "alert-${each.key}-${local.token}"
  display_name              = "alert-${each.key}"
  description               = each.value.description
  resource_group_name       = azurerm_resource_group.main.name
  location                  = azurerm_resource_group.main.location
  scopes                    = [azurerm_application_insights.main.id]
  severity                  = each.value.severity
  evaluation_frequency      = each.value.frequency
  window_duration           = each.value.window
  query_time_range_override = each.value.time_range
  auto_mitigation_enabled   = true
  enabled                   = true
  tags                      = local.tags

  criteria {
    query                   = each.value.query
    time_aggregation_method = each.value.aggregation
    metric_measure_column   = each.value.measure
    operator                = each.value.operator
    threshold               = each.value.threshold

    dynamic "dimension" {
      for_each = each.value.by_revision ? ["application_Version"] : []
      content {
        name     = dimension.value
        operator = "Include"
        values   = ["*"]
      }
    }

    failing_periods {
      minimum_failing_periods_to_trigger_alert = 1
      number_of_evaluation_periods             = 1
    }
  }

  action {
    action_groups = [azurerm_monitor_action_group.main.id]
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.alerts.id]
  }
}

# GET /ready from five regions every 5 minutes; the alert fires when two locations fail.
resource "azurerm_application_insights_standard_web_test" "ready" {
  name                    = "webtest-ready-${local.token}"
  description             = "GET /ready answers 200 (index present and fresh)"
  resource_group_name     = azurerm_resource_group.main.name
  location                = azurerm_resource_group.main.location
  application_insights_id = azurerm_application_insights.main.id
  geo_locations           = ["emea-nl-ams-azr", "emea-gb-db3-azr", "us-va-ash-azr", "us-ca-sjc-azr", "apac-sg-sin-azr"]
  frequency               = 300
  timeout                 = 30
  enabled                 = true
  retry_enabled           = true
  tags                    = local.tags

  request {
    url                              = "https://${azurerm_container_app.main.ingress[0].fqdn}/ready"
    http_verb                        = "GET"
    parse_dependent_requests_enabled = false
  }

  validation_rules {
    expected_status_code        = 200
    ssl_check_enabled           = true
    ssl_cert_remaining_lifetime = 7
  }
}

resource "azurerm_monitor_metric_alert" "ready" {
  name                = "alert-ready-${local.token}"
  resource_group_name = azurerm_resource_group.main.name
  description         = "GET /ready failed from 2 or more locations (availability test ${azurerm_application_insights_standard_web_test.ready.name})"
  scopes              = [azurerm_application_insights_standard_web_test.ready.id, azurerm_application_insights.main.id]
  severity            = 1
  frequency           = "PT1M"
  window_size         = "PT5M"
  tags                = local.tags

  application_insights_web_test_location_availability_criteria {
    web_test_id           = azurerm_application_insights_standard_web_test.ready.id
    component_id          = azurerm_application_insights.main.id
    failed_location_count = 2
  }

  action {
    action_group_id = azurerm_monitor_action_group.main.id
  }
}

resource "azurerm_application_insights_workbook" "signals" {
  name                = uuidv5("url", "${azurerm_application_insights.main.id}/workbook")
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  display_name        = "GenAI workload signals (${azurerm_application_insights.main.name})"
  source_id           = lower(azurerm_application_insights.main.id)
  category            = "workbook"
  tags                = local.tags
  data_json = jsonencode({
    version = "Notebook/1.0"
    items = [for i, chart in local.workbook_charts : {
      type = 3
      name = "signal-${i}"
      content = {
        version       = "KqlItem/1.0"
        title         = chart.title
        query         = chart.query
        size          = 0
        timeContext   = { durationMs = 86400000 }
        queryType     = 0
        resourceType  = "microsoft.insights/components"
        visualization = chart.visualization
      }
    }]
    fallbackResourceIds = [azurerm_application_insights.main.id]
  })
}
