// Validate Azure Pipelines YAML files the way the Azure Pipelines editor does: the
// azure-pipelines-language-service (npm) with the published schema (service-schema.json).
// Usage: node azp_validate.js SCHEMA.json FILE... ; prints one JSON object per file:
// AZP {"file": ..., "diagnostics": [{"line": n, "severity": n, "message": ...}]}
// (the library logs to stdout too: only lines starting with "AZP " are results)
// NODE_PATH must name the node_modules holding the language service.
"use strict";
const fs = require("fs");
const path = require("path");
const ls = require("azure-pipelines-language-service");
const { TextDocument } = require("vscode-languageserver-types");

async function main() {
  const [schemaPath, ...files] = process.argv.slice(2);
  if (!schemaPath || files.length === 0) {
    console.error("usage: node azp_validate.js SCHEMA.json FILE...");
    process.exit(2);
  }
  const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
  const uri = "file:///azure-pipelines/service-schema.json";
  const service = ls.getLanguageService(() => Promise.resolve(schema), [], null);
  service.configure({ validate: true, schemas: [{ uri, fileMatch: ["*"], schema }] });
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    const document = TextDocument.create("file://" + path.resolve(file), "yaml", 1, text);
    const parsed = ls.parse(text);
    const diagnostics = await service.doValidation(document, parsed);
    const out = diagnostics.map((d) => ({
      line: d.range.start.line + 1,
      severity: d.severity,
      message: d.message,
    }));
    process.stdout.write("AZP " + JSON.stringify({ file, diagnostics: out }) + "\n");
  }
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
