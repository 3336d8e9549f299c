/** A plain Kubernetes object as listed from the API server. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [key: string]: unknown;
}

export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** Narrow an unknown value to a plain object, or undefined. */
export function asRecord(value: unknown): Record<string, any> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, any>) : undefined;
}

/** Narrow an unknown value to an array (absent or malformed → empty). */
export function asArray(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}
