/**
 * The short YAML spec `flotilla cluster create -f` reads, checked field by field (zod) and turned
 * into a ProvisionClusterInput. The management cluster is named (the CLI resolves its id); every
 * check against what it offers is the API's.
 */
import { parse } from 'yaml';
import { z } from 'zod';
import { CliError, EXIT_USAGE } from './cli-error';

const pool = z.object({ name: z.string(), replicas: z.number().int(), vmClass: z.string().optional() }).strict();

export const clusterSpecSchema = z
  .object({
    name: z.string(),
    managementCluster: z.string(),
    namespace: z.string().optional(),
    version: z.string(),
    controlPlane: z.object({ replicas: z.number().int() }).strict().optional(),
    vmClass: z.string().optional(),
    storageClass: z.string().optional(),
    workers: z.array(pool).min(1),
    group: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type ClusterSpecFile = z.infer<typeof clusterSpecSchema>;

export function parseClusterSpec(text: string, file: string): ClusterSpecFile {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new CliError(`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, EXIT_USAGE);
  }
  const r = clusterSpecSchema.safeParse(doc);
  if (!r.success) throw new CliError(`${file}: ${r.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ')}`, EXIT_USAGE);
  return r.data;
}

/** The API's input; the group (a name or id) is resolved by the caller. */
export function provisionInput(spec: ClusterSpecFile, managementClusterId: string, groupId: string | undefined): Record<string, unknown> {
  return {
    name: spec.name,
    managementClusterId,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    version: spec.version,
    ...(spec.controlPlane ? { controlPlaneReplicas: spec.controlPlane.replicas } : {}),
    ...(spec.vmClass ? { vmClass: spec.vmClass } : {}),
    ...(spec.storageClass ? { storageClass: spec.storageClass } : {}),
    workers: spec.workers.map((w) => ({ name: w.name, replicas: w.replicas, ...(w.vmClass ? { vmClass: w.vmClass } : {}) })),
    ...(groupId ? { groupId } : {}),
    labels: Object.entries(spec.labels ?? {}).map(([key, value]) => ({ key, value })),
  };
}
