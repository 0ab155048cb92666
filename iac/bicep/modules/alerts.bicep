// Alerts and the dashboard: the signals the canary gate and the monitor read, on production.
// Each scheduled-query rule runs a KQL file from ../monitoring/, written from deploy/queries.py
// SIGNALS (their one source; the workbook and Terraform load the same files, and the generated
// repo's tests run them over the app's real telemetry), as the alerts identity (Monitoring Reader
// on App Insights: deploy/contract.py). /ready is probed by a standard availability test with a
// metric alert. Every alert notifies one action group: e-mail when alertEmail is set, no receiver
// otherwise. Thresholds: the max*/min* parameters below.
param location string
param tags object
param resourceToken string
param appInsightsId string
param appInsightsName string
@description('User-assigned identity the scheduled-query rules run their queries as.')
param alertsIdentityId string
@description('Base URL of the app (https://...); its /ready is probed from several regions.')
param appUri string
@description('E-mail that receives the alerts; empty = the action group has no receiver.')
param alertEmail string = ''

@description('Alert when a revision\'s share of 5xx responses exceeds this (5-minute bins).')
param maxErrorRate string = '0.05'
@description('Alert when a revision\'s p95 latency exceeds this many milliseconds.')
param maxP95Ms int = 8000
@description('Alert when the model tokens of one hour exceed this.')
param maxTokensPerHour int = 400000
@description('Alert when the online eval score of the last hour dropped this much below the day before.')
param maxEvalDrop string = '0.1'
@description('Alert when the share of positive ratings (>= 4 of 5) falls below this.')
param minPositiveRate string = '0.6'

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'genaiops'
    enabled: true
    emailReceivers: empty(alertEmail) ? [] : [
      {
        name: 'email'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

// One entry per KQL file: the measure column it returns, how a window's rows are aggregated,
// and when the rule fires. Rules split by revision where the query returns application_Version.
var byRevision = [
  {
    name: 'application_Version'
    operator: 'Include'
    values: ['*']
  }
]
var rules = [
  {
    name: 'error-rate'
    description: 'Share of HTTP 5xx responses per revision (infra/monitoring/error_rate.kql)'
    query: loadTextContent('../monitoring/error_rate.kql')
    measure: 'error_rate'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: json(maxErrorRate)
    severity: 1
    frequency: 'PT5M'
    window: 'PT15M'
    timeRange: 'PT15M'
    dimensions: byRevision
  }
  {
    name: 'latency-p95'
    description: 'p95 request latency per revision (infra/monitoring/latency_p95.kql)'
    query: loadTextContent('../monitoring/latency_p95.kql')
    measure: 'p95_ms'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: maxP95Ms
    severity: 2
    frequency: 'PT5M'
    window: 'PT15M'
    timeRange: 'PT15M'
    dimensions: byRevision
  }
  {
    name: 'token-spend'
    description: 'Model tokens per hour (infra/monitoring/token_spend.kql)'
    query: loadTextContent('../monitoring/token_spend.kql')
    measure: 'tokens'
    aggregation: 'Total'
    operator: 'GreaterThan'
    threshold: maxTokensPerHour
    severity: 2
    frequency: 'PT15M'
    window: 'PT1H'
    timeRange: 'PT1H'
    dimensions: []
  }
  {
    name: 'eval-drift'
    description: 'Online eval score of the last hour below the day before (infra/monitoring/eval_drift.kql)'
    query: loadTextContent('../monitoring/eval_drift.kql')
    measure: 'drop'
    aggregation: 'Maximum'
    operator: 'GreaterThan'
    threshold: json(maxEvalDrop)
    severity: 2
    frequency: 'PT1H'
    window: 'PT1H'
    timeRange: 'P1D'
    dimensions: []
  }
  {
    name: 'feedback-score'
    description: 'Share of positive user ratings per hour (infra/monitoring/feedback_score.kql)'
    query: loadTextContent('../monitoring/feedback_score.kql')
    measure: 'positive_rate'
    aggregation: 'Average'
    operator: 'LessThan'
    threshold: json(minPositiveRate)
    severity: 3
    frequency: 'PT1H'
    window: 'PT6H'
    timeRange: 'PT6H'
    dimensions: byRevision
  }
]

resource queryAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in rules: {
  name: 'alert-${rule.name}-${resourceToken}'
  location: location
  tags: tags
  kind: 'LogAlert'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${alertsIdentityId}': {}
    }
  }
  properties: {
    displayName: 'alert-${rule.name}'
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [appInsightsId]
    evaluationFrequency: rule.frequency
    windowSize: rule.window
    overrideQueryTimeRange: rule.timeRange
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: rule.aggregation
          metricMeasureColumn: rule.measure
          operator: rule.operator
          threshold: rule.threshold
          dimensions: rule.dimensions
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [actionGroup.id]
    }
  }
}]

// GET /ready from five regions every 5 minutes; the alert fires when two locations fail.
resource readyTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: 'webtest-ready-${resourceToken}'
  location: location
  tags: union(tags, {
    'hidden-link:${appInsightsId}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: 'webtest-ready-${resourceToken}'
    Name: 'ready'
    Description: 'GET /ready answers 200 (index present and fresh)'
    Enabled: true
    Frequency: 300
    Timeout: 30
    Kind: 'standard'
    RetryEnabled: true
    Locations: [
      { Id: 'emea-nl-ams-azr' }
      { Id: 'emea-gb-db3-azr' }
      { Id: 'us-va-ash-azr' }
      { Id: 'us-ca-sjc-azr' }
      { Id: 'apac-sg-sin-azr' }
    ]
    Request: {
      RequestUrl: '${appUri}/ready'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource readyAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'alert-ready-${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    description: 'GET /ready failed from 2 or more locations (availability test ${readyTest.name})'
    severity: 1
    enabled: true
    scopes: [readyTest.id, appInsightsId]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: readyTest.id
      componentId: appInsightsId
      failedLocationCount: 2
    }
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// The workbook: every signal per revision over the chosen time range, one chart each, the same
// KQL files the alerts run (Azure Monitor workbook JSON, Notebook/1.0).
var charts = [
  { title: 'Error rate (5xx share) per revision', query: loadTextContent('../monitoring/error_rate.kql'), visualization: 'timechart' }
  { title: 'p95 latency (ms) per revision', query: loadTextContent('../monitoring/latency_p95.kql'), visualization: 'timechart' }
  { title: 'Model tokens per hour per revision', query: loadTextContent('../monitoring/token_spend.kql'), visualization: 'timechart' }
  { title: 'Online eval score per revision', query: loadTextContent('../monitoring/eval_score.kql'), visualization: 'timechart' }
  { title: 'Online eval score: drop of the last hour against the day before', query: loadTextContent('../monitoring/eval_drift.kql'), visualization: 'table' }
  { title: 'Positive feedback share per revision', query: loadTextContent('../monitoring/feedback_score.kql'), visualization: 'timechart' }
  { title: 'Availability of /ready (%) per location', query: loadTextContent('../monitoring/availability.kql'), visualization: 'timechart' }
]
var workbookContent = {
  version: 'Notebook/1.0'
  items: [for (chart, i) in charts: {
    type: 3
    name: 'signal-${i}'
    content: {
      version: 'KqlItem/1.0'
      title: chart.title
      query: chart.query
      size: 0
      timeContext: {
        durationMs: 86400000
      }
      queryType: 0
      resourceType: 'microsoft.insights/components'
      visualization: chart.visualization
    }
  }]
  fallbackResourceIds: [appInsightsId]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(appInsightsId, 'workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'GenAI workload signals (${appInsightsName})'
    category: 'workbook'
    sourceId: appInsightsId
    serializedData: string(workbookContent)
  }
}

output actionGroupId string = actionGroup.id
output workbookId string = workbook.id
output alertRuleNames array = [for (rule, i) in rules: queryAlerts[i].name]
