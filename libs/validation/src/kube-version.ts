import { refuse } from './input-validation.error';

/** Each of major, minor and patch is at most 9999: no release is near, and nothing downstream overflows. */
export const VERSION_PART_MAX = 9999;
export const VERSION_MAX = 128;
// vMAJOR.MINOR.PATCH with an optional pre-release or build suffix ("-rc.1", "+vmware.1", "-eks-7f9249a",
// and the TKR spelling "---vmware.1").
const VERSION = /^v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})([-+][0-9A-Za-z.+-]*)?$/;
const RELEASE = /^v?(\d{1,4})\.(\d{1,4})(?:\.(\d{1,4}))?$/;

/** A Kubernetes version as a client may ask for one ("v1.30.8", "1.30.8+vmware.1"), trimmed. */
export function kubeVersion(raw: string, field: string): string {
  const v = raw.trim();
  if (raw.length > VERSION_MAX || !VERSION.test(v)) {
    refuse(field, `must be a Kubernetes version such as "v1.30.8" or "v1.30.8+vmware.1" (each number at most ${VERSION_PART_MAX})`);
  }
  return v;
}

/** A Kubernetes release, minor precision ("1.32", "v1.32.0"), normalised to "v1.32". */
export function kubeRelease(raw: string, field: string): string {
  const m = raw.length <= VERSION_MAX ? RELEASE.exec(raw.trim()) : null;
  if (!m) refuse(field, `must be a Kubernetes release such as "1.32" or "v1.32.0" (each number at most ${VERSION_PART_MAX})`);
  return `v${Number(m[1])}.${Number(m[2])}`;
}
