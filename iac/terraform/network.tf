# Prod network: the Container Apps environment runs in a VNet and reaches every data-plane
# service through private endpoints, resolved by private DNS zones linked to the VNet; image
# builds run on an ACR Tasks agent pool in snet-build, so the registry stays private.
locals {
  private_services = {
    openai   = { id = azurerm_cognitive_account.openai.id, subresource = "account", zone = "privatelink.openai.azure.com" }
    safety   = { id = azurerm_cognitive_account.content_safety.id, subresource = "account", zone = "privatelink.cognitiveservices.azure.com" }
{%- if use_case_needs_search %}
    search   = { id = azurerm_search_service.main.id, subresource = "searchService", zone = "privatelink.search.windows.net" }
{%- endif %}
    vault    = { id = azurerm_key_vault.main.id, subresource = "vault", zone = "privatelink.vaultcore.azure.net" }
    blob     = { id = azurerm_storage_account.main.id, subresource = "blob", zone = "privatelink.blob.core.windows.net" }
    table    = { id = azurerm_storage_account.main.id, subresource = "table", zone = "privatelink.table.core.windows.net" }
    registry = { id = azurerm_container_registry.main.id, subresource = "registry", zone = "privatelink.azurecr.io" }
{%- if gateway == 'apim' %}
    gateway  = { id = azurerm_api_management.gateway.id, subresource = "Gateway", zone = "privatelink.azure-api.net" }
{%- endif %}
  }
}

resource "azurerm_virtual_network" "main" {
  name                = "vnet-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  address_space       = ["10.40.0.0/16"]
  tags                = local.tags
}

resource "azurerm_network_security_group" "app" {
  name                = "nsg-app-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_network_security_group" "endpoints" {
  name                = "nsg-pe-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_subnet" "app" {
  name                 = "snet-app"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.40.0.0/23"]

  delegation {
    name = "containerapps"
    service_delegation {
      name    = "Microsoft.App/environments"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_subnet" "endpoints" {
  name                 = "snet-private-endpoints"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.40.2.0/24"]
}

resource "azurerm_network_security_group" "build" {
  name                = "nsg-build-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_subnet" "build" {
  name                 = "snet-build"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.40.4.0/24"]
}

resource "azurerm_subnet_network_security_group_association" "build" {
  subnet_id                 = azurerm_subnet.build.id
  network_security_group_id = azurerm_network_security_group.build.id
}

resource "azurerm_subnet_network_security_group_association" "app" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.app.id
}

resource "azurerm_subnet_network_security_group_association" "endpoints" {
  subnet_id                 = azurerm_subnet.endpoints.id
  network_security_group_id = azurerm_network_security_group.endpoints.id
}
{%- if gateway == 'apim' %}

resource "azurerm_network_security_group" "apim" {
  name                = "nsg-apim-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_subnet" "apim" {
  name                 = "snet-apim"
  resource_group_name  = azurerm_resource_group.main.name
  virtual_network_name = azurerm_virtual_network.main.name
  address_prefixes     = ["10.40.3.0/24"]

  delegation {
    name = "apim"
    service_delegation {
      name    = "Microsoft.Web/serverFarms"
      actions = ["Microsoft.Network/virtualNetworks/subnets/action"]
    }
  }
}

resource "azurerm_subnet_network_security_group_association" "apim" {
  subnet_id                 = azurerm_subnet.apim.id
  network_security_group_id = azurerm_network_security_group.apim.id
}
{%- endif %}

resource "azurerm_private_dns_zone" "zones" {
  for_each            = local.private_services
  name                = each.value.zone
  resource_group_name = azurerm_resource_group.main.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "links" {
  for_each              = local.private_services
  name                  = "vnet"
  resource_group_name   = azurerm_resource_group.main.name
  private_dns_zone_name = azurerm_private_dns_zone.zones[each.key].name
  virtual_network_id    = azurerm_virtual_network.main.id
  registration_enabled  = false
  tags                  = local.tags
}

resource "azurerm_private_endpoint" "endpoints" {
  for_each            = local.private_services
  name                = "pe-${each.key}-${local.token}"
  location            = azurerm_resource_group.main.location
  resource_group_name = azurerm_resource_group.main.name
  subnet_id           = azurerm_subnet.endpoints.id
  tags                = local.tags

  private_service_connection {
    name                           = "pe-${each.key}"
    private_connection_resource_id = each.value.id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.zones[each.key].id]
  }
}
