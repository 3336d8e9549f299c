/**
 * The resource catalogue: built-in types plus any kind the content generator emits that the
 * built-ins do not know (registered on first sight so nothing generated is unreachable).
 */
import { BUILTIN_RESOURCES } from './builtin-resources';
import { type ResourceType, groupVersion, splitApiVersion } from './resource-type';

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export class ResourceCatalog {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byKind = new Map<string, ResourceType>();
  private readonly all: ResourceType[] = [];
  /** Bumped whenever a type is added, so discovery documents can be cached. */
  epoch = 0;

  constructor(types: ResourceType[] = BUILTIN_RESOURCES) {
    for (const t of types) this.add(t);
  }

  private add(t: ResourceType): void {
    this.all.push(t);
    this.byPath.set(`${t.group}/${t.version}/${t.resource}`, t);
    this.byKind.set(`${groupVersion(t.group, t.version)}/${t.kind}`, t);
    this.epoch++;
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  forKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /**
   * The type for an object the generator produced; unknown kinds (or known kinds in another
   * version of their group) are registered rather than dropped.
   */
  ensureKind(apiVersion: string, kind: string, namespaced: boolean): ResourceType {
    const known = this.forKind(apiVersion, kind);
    if (known) return known;
    const { group, version } = splitApiVersion(apiVersion);
    const sibling = this.all.find((t) => t.group === group && t.kind === kind);
    const plural = sibling?.resource ?? pluralize(kind.toLowerCase());
    const t: ResourceType = sibling
      ? { ...sibling, version }
      : { group, version, resource: plural, singular: kind.toLowerCase(), kind, namespaced, verbs: CRUD, subresources: ['status'], storeKey: `${group}/${plural}` };
    this.add(t);
    return t;
  }

  /** Every type served to a cluster of this kind, in catalogue order. */
  served(management: boolean): ResourceType[] {
    return management ? this.all : this.all.filter((t) => !t.managementOnly);
  }

  /** Group → versions (preferred first) for a cluster. */
  groups(management: boolean): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const t of this.served(management)) {
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    return out;
  }

  /** Every type, built-in or registered, in catalogue order. */
  types(): readonly ResourceType[] {
    return this.all;
  }

  /** Types sharing a store key (the same resource in several versions of its group). */
  byStoreKey(storeKey: string): ResourceType[] {
    return this.all.filter((t) => t.storeKey === storeKey);
  }
}

function pluralize(word: string): string {
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}
