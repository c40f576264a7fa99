// Extracts the openAPIV3Schema of NvSecurityRule, NvClusterSecurityRule and NvGroupDefinition from the
// neuvector-helm chart (charts/crd/templates/crd.yaml) into test/fixtures/crd/neuvector-crd-schema.json.
// Usage: node scripts/extract-crd-schema.mjs path/to/crd.yaml  (helm template lines are dropped).
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
const text = readFileSync(process.argv[2], "utf8").split("\n").filter((l) => !l.includes("{{")).join("\n");
const out = { $comment: "openAPIV3Schema of the NeuVector CRDs, extracted from neuvector/neuvector-helm charts/crd/templates/crd.yaml at commit 900de6f4a939716f93b032ba2fa7586cfcdf9c6e (helm template lines dropped; nothing else changed)", kinds: {} };
for (const d of parseAllDocuments(text)) {
  const j = d.toJSON();
  if (!j || !j.spec) continue;
  const kind = j.spec.names.kind;
  if (!["NvSecurityRule", "NvClusterSecurityRule", "NvGroupDefinition"].includes(kind)) continue;
  out.kinds[kind] = { group: j.spec.group, scope: j.spec.scope, version: j.spec.versions[0].name, schema: j.spec.versions[0].schema.openAPIV3Schema };
}
writeFileSync("test/fixtures/crd/neuvector-crd-schema.json", JSON.stringify(out, null, 1) + "\n");
console.log(Object.keys(out.kinds), JSON.stringify(out.kinds.NvSecurityRule.schema) === JSON.stringify(out.kinds.NvClusterSecurityRule.schema));
