// Prod network: the Container Apps environment runs in a VNet and reaches every data-plane
// service through private endpoints (modules/private-endpoint.bicep).
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

output appSubnetId string = vnet.properties.subnets[0].id
output privateEndpointSubnetId string = vnet.properties.subnets[1].id
{%- if gateway == 'apim' %}
output apimSubnetId string = vnet.properties.subnets[2].id
{%- endif %}
output vnetId string = vnet.id
