"""Fixture files for the infra evidence (composed by ``assess_builder.build``)."""

from __future__ import annotations

from pathlib import Path

from assess_builder.common import Fragments, Levels, write


def add(root: Path, lv: Levels, mk: Fragments) -> None:
    """Bicep with AI resources, identities, parameters, validation and provisioning."""
    inf = lv["infra"]
    if inf >= 1:
        bicep = [
            "param location string = resourceGroup().location",
            "",
            "resource openai 'Microsoft.CognitiveServices/accounts@2024-10-01' = {",
            "  name: 'oai-handbook'",
            "  location: location",
            "  kind: 'OpenAI'",
            "  sku: { name: 'S0' }",
            "}",
            "",
        ]
        if inf >= 3:
            bicep += [
                "resource chat 'Microsoft.CognitiveServices/accounts/deployments@2024-10-01' = {",
                "  parent: openai",
                "  name: 'chat'",
                "  sku: { name: 'Standard', capacity: 10 }",
                "  properties: {",
                "    model: {",
                "      format: 'OpenAI'",
                "      name: 'gpt-4o-mini'",
                "      version: '2024-07-18'",
                "    }",
                "  }",
                "}",
                "",
                "resource appId 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {",
                "  name: 'id-app'",
                "  location: location",
                "}",
                "",
                "resource role 'Microsoft.Authorization/roleAssignments@2022-04-01' = {",
                "  name: guid(openai.id, appId.id)",
                "  scope: openai",
                "  properties: {",
                "    principalId: appId.properties.principalId",
                "    roleDefinitionId: 'x'",
                "  }",
                "}",
                "",
            ]
        write(root, "infra/main.bicep", "\n".join(bicep))
    if inf >= 2:
        write(
            root,
            "infra/main.dev.bicepparam",
            "using './main.bicep'\n\nparam location = 'swedencentral'\n",
        )
        mk["infra"].append(
            "lint-iac: ## build the Bicep\n\taz bicep build --file infra/main.bicep --stdout > "
            "/dev/null\n"
        )
    if inf >= 4:
        mk["infra"].append(
            "iac-scan: ## checkov on infra/\n\tcheckov -d infra --framework bicep --skip-download\n"
        )
        mk["infra"].append("provision: ## provision with azd\n\tazd provision --no-prompt\n")
