import { celEnv, isCelError, parse, plan, type CelValue } from '@bufbuild/cel';

/**
 * CEL as ValidatingAdmissionPolicy uses it, on @bufbuild/cel (a CEL-spec conformant evaluator in
 * TypeScript, checked against @bufbuild/cel-spec's conformance data in cel-conformance.test.ts).
 * Pure: compile once per expression, evaluate per object with `object`, `oldObject`, `request`
 * and `variables` bound.
 */

/** Where an expression failed to compile, in the words and position the parser gives. */
export class CelCompileError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

export type CelBindings = { object: unknown; oldObject: unknown; request: unknown; variables?: Record<string, unknown> };

export interface CelProgram {
  readonly expression: string;
  /** A CEL value, or an Error for a runtime error (no such key, no matching overload…). */
  run(bindings: CelBindings): CelValue | Error;
}

const env = celEnv();
/** Compiled programs by expression text: a scan evaluates the same few expressions on every object of every cluster. */
const compiled = new Map<string, CelProgram>();
const MAX_CACHED = 2000;

/** Parses and plans an expression; throws CelCompileError naming line and column. */
export function compileCel(expression: string): CelProgram {
  const cached = compiled.get(expression);
  if (cached) return cached;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(expression);
  } catch (err) {
    const e = err as { rawMessage?: string; message?: string; location?: { start?: { line: number; column: number } } };
    const start = e.location?.start ?? { line: 1, column: 1 };
    throw new CelCompileError(start.line, start.column, e.rawMessage ?? String(e.message ?? err));
  }
  const evaluate = plan(env, parsed);
  const program: CelProgram = {
    expression,
    run: (bindings) => {
      try {
        const result = evaluate(bindings as never);
        return isCelError(result) ? new Error(upstreamWording(result.message)) : result;
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    },
  };
  if (compiled.size >= MAX_CACHED) compiled.clear();
  compiled.set(expression, program);
  return program;
}

/** The API server (cel-go) says "no such key" where @bufbuild/cel says "field not found". */
function upstreamWording(message: string): string {
  return message.replace(/^field not found: /, 'no such key: ');
}

/**
 * JSON as the API server hands it to CEL: integers are CEL ints (int64), not doubles, so
 * `object.spec.replicas + 1` and `== 3` behave as they do in Kubernetes.
 */
export function toCelInput(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCelInput);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCelInput(v);
    return out;
  }
  return value;
}
