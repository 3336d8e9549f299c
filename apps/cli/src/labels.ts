import { InvalidArgumentError } from 'commander';

export interface Label {
  key: string;
  value: string;
}

// Kubernetes label syntax, so that the labels Flotilla keeps can also be put on objects.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses `key=value` (value may be empty); throws commander's InvalidArgumentError (exit 2). */
export function parseLabel(text: string): Label {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`label ${JSON.stringify(text)} must look like key=value`);
  const key = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (!NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix)))) {
    throw new InvalidArgumentError(
      `label key ${JSON.stringify(key)} is not valid: up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric, with an optional DNS prefix/`,
    );
  }
  if (value !== '' && !NAME.test(value)) {
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
