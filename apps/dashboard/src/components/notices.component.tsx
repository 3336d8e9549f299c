import type { CombinedError } from '@urql/core';
import { errorText } from '../app/graphql.client';

export function ErrorNote({ error }: { error: CombinedError | undefined }) {
  const text = errorText(error);
  return text ? (
    <p className="notice notice-error" role="alert">
      {text}
    </p>
  ) : null;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}
