/** Exit codes operators script against (DESIGN "Commands and configuration"). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** The API cannot be reached, answers without data, or refuses the token (not logged in, expired, revoked). */
export const EXIT_API = 3;

/** One place for the words `--help` and the README use. */
export const EXIT_CODES_HELP =
  'Exit codes: 0 ok; 1 failure (a refused or failed operation, a non-compliant or errored cluster, a failed check); 2 usage error; 3 cannot reach or authenticate to the API.';

/** A failure the CLI explains in one line on stderr (`error: <message>`) before exiting. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
