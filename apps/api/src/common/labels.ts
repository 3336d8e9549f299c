import { kubeLabels } from '@flotilla/validation';

/** A cluster's labels, checked by the one label rule (at most 64, Kubernetes syntax, keys like "constructor" are plain keys). */
export function validateLabels(labels: Array<{ key: string; value: string }> | null | undefined, field: string): Record<string, string> {
  return kubeLabels(labels, field);
}

export function labelsToList(labels: Record<string, string>): Array<{ key: string; value: string }> {
  return Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: labels[key] }));
}
