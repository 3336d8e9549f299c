/**
 * A value from outside (a GraphQL argument, an input field) that breaks one of the input rules.
 * It names the field once; the reason never repeats the value, which may be huge or hostile.
 * The API's one exception filter maps it to BAD_USER_INPUT with the field in the extensions.
 */
export class InputValidationError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'InputValidationError';
  }
}

export function refuse(field: string, reason: string): never {
  throw new InputValidationError(field, reason);
}
