/** Serialisation of stored objects, reusing each record's cached JSON when the version matches. */
import type { KubeObject } from '../content/contract';
import type { StoredObject } from '../store/object-store';

export function storedJson(stored: StoredObject, apiVersion: string): string {
  if (stored.obj.apiVersion === apiVersion) return (stored.json ??= JSON.stringify(stored.obj));
  return JSON.stringify({ ...stored.obj, apiVersion });
}

export function asVersion(obj: KubeObject, apiVersion: string): KubeObject {
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}
