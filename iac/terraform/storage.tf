# Storage: the app's state in tables (feedback, requests, sessions; APP_STORE_BACKEND=azure_tables)
# and blob containers for grounding documents and eval artifacts. Entra-only (no shared keys),
# TLS 1.2, no public blobs, soft delete; the app's role is scoped to its tables (grants.tf).
resource "azurerm_storage_account" "main" {
  name                             = "st${local.token}"
  location                         = azurerm_resource_group.main.location
  resource_group_name              = azurerm_resource_group.main.name
  account_kind                     = "StorageV2"
  account_tier                     = "Standard"
  min_tls_version                  = "TLS1_2"
  https_traffic_only_enabled       = true
  allow_nested_items_to_be_public  = false
  shared_access_key_enabled        = false
  default_to_oauth_authentication  = true
  cross_tenant_replication_enabled = false
  local_user_enabled               = false
  tags                             = local.tags
  #checkov:skip=CKV2_AZURE_1:Microsoft-managed keys; a customer-managed key needs a key created through the vault's data plane and its own rotation process
  #checkov:skip=CKV_AZURE_33:the workload uses no queues, and queue logging can only be configured with shared keys, which are disabled
{%- if iac_profile == 'prod' %}

  account_replication_type      = "GZRS"
  public_network_access_enabled = false

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
  }
{%- else %}

  #checkov:skip=CKV_AZURE_206:dev keeps one locally redundant copy (LRS) to save cost; the prod profile renders GZRS
  #checkov:skip=CKV_AZURE_35:dev has no VNet, so the firewall allows all networks; shared keys are off and every request needs Entra RBAC
  #checkov:skip=CKV_AZURE_59:dev has no private endpoint, so public network access stays on; the prod profile disables it
  #checkov:skip=CKV2_AZURE_33:dev has no VNet and no private endpoints; the prod profile renders one for blobs
  account_replication_type      = "LRS"
  public_network_access_enabled = true

  network_rules {
    default_action = "Allow"
    bypass         = ["AzureServices"]
  }
{%- endif %}

  blob_properties {
    versioning_enabled = true

    delete_retention_policy {
      days = 7
    }

    container_delete_retention_policy {
      days = 7
    }
  }

  sas_policy {
    expiration_period = "00.01:00:00"
  }
}

resource "azurerm_storage_container" "documents" {
  #checkov:skip=CKV2_AZURE_21:blob reads are logged by the diagnostic setting blob_logs below; checkov only recognises legacy storage insights, which need the disabled shared key
  name                  = "documents"
  storage_account_id    = azurerm_storage_account.main.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "eval_artifacts" {
  #checkov:skip=CKV2_AZURE_21:blob reads are logged by the diagnostic setting blob_logs below; checkov only recognises legacy storage insights, which need the disabled shared key
  name                  = "eval-artifacts"
  storage_account_id    = azurerm_storage_account.main.id
  container_access_type = "private"
}

# Blob reads, writes and deletes go to Log Analytics (Entra-only account: no storage insights).
resource "azurerm_monitor_diagnostic_setting" "blob_logs" {
  name                       = "to-log-analytics"
  target_resource_id         = "${azurerm_storage_account.main.id}/blobServices/default"
  log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id

  enabled_log {
    category = "StorageRead"
  }

  enabled_log {
    category = "StorageWrite"
  }

  enabled_log {
    category = "StorageDelete"
  }
}

# The app's state; created through Resource Manager (storage_account_id), so no data-plane
# access is needed to provision them.
resource "azurerm_storage_table" "app" {
  #checkov:skip=CKV2_AZURE_20:table reads are logged by the diagnostic setting table_logs below; checkov only recognises legacy storage analytics logging, which needs the disabled shared key
  for_each           = toset(["feedback", "requests", "sessions"])
  name               = each.key
  storage_account_id = azurerm_storage_account.main.id
}

# Table reads, writes and deletes go to Log Analytics, like blob access.
resource "azurerm_monitor_diagnostic_setting" "table_logs" {
  name                       = "to-log-analytics"
  target_resource_id         = "${azurerm_storage_account.main.id}/tableServices/default"
  log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id

  enabled_log {
    category = "StorageRead"
  }

  enabled_log {
    category = "StorageWrite"
  }

  enabled_log {
    category = "StorageDelete"
  }
}
