import { InvalidArgumentError } from 'commander';
import { isLabelValue, labelKeyProblem } from '@flotilla/validation';

export interface Label {
  key: string;
  value: string;
}

/** Parses `key=value` (value may be empty) by the label rule the API applies; throws commander's InvalidArgumentError (exit 2). */
export function parseLabel(text: string): Label {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`label ${JSON.stringify(text)} must look like key=value`);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const problem = labelKeyProblem(key);
  if (problem) throw new InvalidArgumentError(`label key ${JSON.stringify(key)} ${problem}`);
  if (!isLabelValue(value)) {
    throw new InvalidArgumentError(
      `label value ${JSON.stringify(value)} is not valid: up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric`,
    );
  }
  return { key, value };
}

/** Commander option parser for a repeatable `--label k=v`; a key given twice is an error. */
export function collectLabel(text: string, previous: Label[] = []): Label[] {
  const label = parseLabel(text);
  if (previous.some((l) => l.key === label.key)) throw new InvalidArgumentError(`label ${label.key} given more than once`);
  return [...previous, label];
}
