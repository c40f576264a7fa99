/**
 * Trivy JSON (`trivy image --format json`): vulnerability counts by severity per scanned image, then
 * per service through the inventory's images. Only the fields nvp reads are checked.
 */
import { readFileSync } from "node:fs";
import { NvpRuntimeError } from "../runtime/errors.js";
import { STORE_CODES, StoreError, type FlowStore, type Row } from "../runtime/store/store.js";

export interface VulnCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
}

/** Image → counts, from one or more Trivy reports. */
export function readTrivy(files: readonly string[]): Map<string, VulnCounts> {
  const out = new Map<string, VulnCounts>();
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new StoreError(STORE_CODES.vulns, `cannot read \`${file}\` as JSON: ${(e as Error).message}`, "give the output of `trivy image --format json IMAGE`");
    }
    const d = doc as { ArtifactName?: unknown; Results?: unknown };
    if (!d || typeof d.ArtifactName !== "string" || !(d.Results === undefined || Array.isArray(d.Results))) {
      throw new StoreError(STORE_CODES.vulns, `\`${file}\` is not a Trivy report: it has no \`ArtifactName\` and \`Results\``, "give the output of `trivy image --format json IMAGE`");
    }
    const c = out.get(d.ArtifactName) ?? { critical: 0, high: 0, medium: 0, low: 0 };
    for (const r of (d.Results ?? []) as { Vulnerabilities?: { Severity?: string }[] }[]) {
      for (const v of r?.Vulnerabilities ?? []) {
        const s = String(v?.Severity ?? "").toLowerCase();
        if (s === "critical" || s === "high" || s === "medium" || s === "low") c[s]++;
      }
    }
    out.set(d.ArtifactName, c);
  }
  return out;
}

/** Images match with or without a registry prefix or the `:latest` tag. */
function imageKey(image: string): string {
  const noDigest = image.split("@")[0]!;
  const withTag = /:[^/]+$/.test(noDigest) ? noDigest : `${noDigest}:latest`;
  return withTag.replace(/^(docker\.io\/)?(library\/)?/, "");
}

/** Per service (`service.namespace`): its images and their counts summed. */
export async function vulnsByService(store: FlowStore, byImage: ReadonlyMap<string, VulnCounts>): Promise<Row[]> {
  const keyed = new Map([...byImage].map(([k, v]) => [imageKey(k), v]));
  const rows = await store.query("SELECT service || '.' || namespace AS service, list(DISTINCT img) AS images FROM (SELECT service, namespace, unnest(images) AS img FROM workloads) GROUP BY 1 ORDER BY 1");
  return rows.map((r) => {
    const images = (r["images"] as string[]).sort();
    const sum: VulnCounts = { critical: 0, high: 0, medium: 0, low: 0 };
    for (const i of images) {
      const c = keyed.get(imageKey(i));
      if (c) for (const k of Object.keys(sum) as (keyof VulnCounts)[]) sum[k] += c[k];
    }
    return { service: r["service"], images: images.join(", "), ...sum };
  });
}
