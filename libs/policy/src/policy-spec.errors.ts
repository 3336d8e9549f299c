export interface PolicySpecIssue {
  path: string;
  message: string;
}

/** A policy spec that does not match its type's schema; the message names every offending path. */
export class PolicySpecError extends Error {
  override readonly name = 'PolicySpecError';

  constructor(readonly issues: PolicySpecIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}
