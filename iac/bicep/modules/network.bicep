// Prod network: the Container Apps environment runs in a VNet and reaches every data-plane
// service through private endpoints (modules/private-endpoint.bicep); image builds run on an ACR
// Tasks agent pool in snet-build, so the private registry never opens to the internet.
param location string
param tags object
param resourceToken string

resource appNsg 'Microsoft.Network/networkSecurityGroups@2023-11-01' = {
  name: 'nsg-app-${resourceToken}'
  location: location
  tags: tags
}

resource endpointsNsg 'Microsoft.Network/networkSecurityGroups@2023-11-01' = {
  name: 'nsg-pe-${resourceToken}'
  location: location
  tags: tags
}

resource buildNsg 'Microsoft.Network/networkSecurityGroups@2023-11-01' = {
  name: 'nsg-build-${resourceToken}'
  location: location
  tags: tags
}
{%- if gateway == 'apim' %}

resource apimNsg 'Microsoft.Network/networkSecurityGroups@2023-11-01' = {
  name: 'nsg-apim-${resourceToken}'
  location: location
  tags: tags
}
{%- endif %}

resource vnet 'Microsoft.Network/virtualNetworks@2023-11-01' = {
  name: 'vnet-${resourceToken}'
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: ['10.40.0.0/16']
    }
    subnets: [
      {
        name: 'snet-app'
        properties: {
          addressPrefix: '10.40.0.0/23'
          networkSecurityGroup: { id: appNsg.id }
          delegations: [
            {
              name: 'containerapps'
              properties: { serviceName: 'Microsoft.App/environments' }
            }
          ]
        }
      }
      {
        name: 'snet-private-endpoints'
        properties: {
          addressPrefix: '10.40.2.0/24'
          networkSecurityGroup: { id: endpointsNsg.id }
        }
      }
      {
        name: 'snet-build'
        properties: {
          addressPrefix: '10.40.4.0/24'
          networkSecurityGroup: { id: buildNsg.id }
        }
      }
{%- if gateway == 'apim' %}
      {
        name: 'snet-apim'
        properties: {
          addressPrefix: '10.40.3.0/24'
          networkSecurityGroup: { id: apimNsg.id }
          delegations: [
            {
              name: 'apim'
              properties: { serviceName: 'Microsoft.Web/serverFarms' }
            }
          ]
        }
      }
{%- endif %}
    ]
  }
}

output appSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-app')
output privateEndpointSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-private-endpoints')
output buildSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-build')
{%- if gateway == 'apim' %}
output apimSubnetId string = resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'snet-apim')
{%- endif %}
output vnetId string = vnet.id
