import DataLoader from 'dataloader';

/**
 * Per-request DataLoaders, kept on the GraphQL context object so they die with the request and
 * never serve one organization's rows to another.
 */
export function requestLoader<K, V>(context: object, name: string, batch: (keys: readonly K[]) => Promise<Array<V | null>>): DataLoader<K, V | null> {
  const bag = ((context as { loaders?: Map<string, DataLoader<any, any>> }).loaders ??= new Map());
  let loader = bag.get(name) as DataLoader<K, V | null> | undefined;
  if (!loader) {
    loader = new DataLoader<K, V | null>(batch, { maxBatchSize: 500 });
    bag.set(name, loader);
  }
  return loader;
}
