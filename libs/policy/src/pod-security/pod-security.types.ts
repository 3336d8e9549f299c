/** One check's verdict, as upstream's CheckResult: a short reason and an optional detail. */
export interface CheckResult {
  allowed: boolean;
  reason?: string;
  detail?: string;
}

/** Pod metadata and spec as plain JSON (fields absent = Go nil/zero). */
export type PodMeta = { name?: string; namespace?: string; annotations?: Record<string, string> } | undefined;
export type PodSpec = Record<string, any>;

export type CheckPodFn = (meta: PodMeta, spec: PodSpec) => CheckResult;

export interface VersionedCheck {
  /** First policy version (1.N, minor only) this revision applies to. */
  minimumVersion: number;
  checkPod: CheckPodFn;
  /** Baseline check IDs this restricted revision replaces at the restricted level. */
  overrides?: string[];
}

export interface PodSecurityCheck {
  id: string;
  level: 'baseline' | 'restricted';
  /** Strictly increasing minimum versions. */
  versions: VersionedCheck[];
}

export const ALLOWED: CheckResult = Object.freeze({ allowed: true });
