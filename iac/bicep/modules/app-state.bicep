// Reads the live app (when it exists) so that re-provisioning keeps the image and the traffic
// split the deploy workflow set: the canary owns traffic, not the IaC.
param name string
param exists bool

resource existingApp 'Microsoft.App/containerApps@2024-03-01' existing = if (exists) {
  name: name
}

output image string = exists ? existingApp.properties.template.containers[0].image : ''
output traffic array = exists ? existingApp.properties.configuration.ingress.traffic : []
