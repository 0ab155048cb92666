# Storage for grounding documents and eval artifacts: Entra-only (no shared keys), TLS 1.2,
# no public blobs, soft delete; roles are scoped to one container each.
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

resource "azurerm_role_assignment" "app_documents_reader" {
  scope                = azurerm_storage_container.documents.id
  role_definition_name = local.roles.blob_reader
  principal_id         = azurerm_user_assigned_identity.app.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_documents_reader" {
  scope                = azurerm_storage_container.documents.id
  role_definition_name = local.roles.blob_reader
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "eval_artifacts_writer" {
  scope                = azurerm_storage_container.eval_artifacts.id
  role_definition_name = local.roles.blob_contributor
  principal_id         = azurerm_user_assigned_identity.eval.principal_id
  principal_type       = "ServicePrincipal"
}
