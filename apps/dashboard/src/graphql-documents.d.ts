/** Each named operation of a .graphql file, as its document text (see graphqlOperations in vite.config.mts). */
declare module '*.graphql' {
  const operations: Record<string, string>;
  export = operations;
}
