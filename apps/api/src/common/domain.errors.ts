import { isUuid } from '@flotilla/validation';

/**
 * Domain errors carry a code; one filter maps each code to a GraphQL error with that code in
 * extensions. Services never throw HTTP exceptions.
 */
export enum ErrorCode {
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  BadUserInput = 'BAD_USER_INPUT',
  Conflict = 'CONFLICT',
  RateLimited = 'RATE_LIMITED',
  FailedPrecondition = 'FAILED_PRECONDITION',
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, e.g. "input.apiServerUrl". */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** How an id appears in a message: a malformed one is not echoed (it may be huge or hostile). */
export const idInMessage = (id: string) => (isUuid(id) ? id : '(malformed)');

/** A malformed id is not found like any other; it is not echoed (it may be huge or hostile). */
export const notFound = (what: string, id: string) => new DomainError(ErrorCode.NotFound, isUuid(id) ? `${what} ${id} not found` : `${what} not found`);
export const badInput = (field: string, message: string) => new DomainError(ErrorCode.BadUserInput, `${field}: ${message}`, field);
export const conflict = (field: string, message: string) => new DomainError(ErrorCode.Conflict, message, field);
