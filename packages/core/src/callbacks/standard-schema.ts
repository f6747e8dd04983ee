import { InvalidInputError } from '../errors.js';
import type { JsonValue } from '../model/json.js';

/**
 * The Standard Schema v1 interface (https://standardschema.dev), declared
 * here so core depends on no schema library: zod, valibot, arktype and
 * others implement it. `Input` is what `enqueue` takes and what is stored;
 * `Output` is what the callback sees as `this.metadata`.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** A Standard Schema validation result: a value, or the issues. */
export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardSchemaIssue> };

/** One problem a Standard Schema found. */
export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The input type of a Standard Schema. */
export type SchemaInput<S> = S extends StandardSchemaV1<infer I, infer _O> ? I : never;
/** The output type of a Standard Schema. */
export type SchemaOutput<S> = S extends StandardSchemaV1<infer _I, infer O> ? O : never;

/** One metadata problem, with its path as text (`items[2].sku`; `''` for the root). */
export interface MetadataIssue {
  path: string;
  message: string;
}

/** The most issues an error message lists (all are on `issues`). */
const ISSUES_IN_MESSAGE = 10;

/**
 * Metadata that the callback's `static schema` refuses: raised by
 * `enqueue` (nothing is written) and stored as the error of a job whose
 * stored metadata no longer validates (it fails without running).
 */
export class MetadataValidationError extends InvalidInputError {
  /** Every issue the schema reported, in its order. */
  readonly issues: readonly MetadataIssue[];

  constructor(field: string, callbackName: string, issues: readonly MetadataIssue[]) {
    const listed = issues
      .slice(0, ISSUES_IN_MESSAGE)
      .map((i) => `${i.path === '' ? '(root)' : i.path}: ${i.message}`)
      .join('; ');
    const more = issues.length > ISSUES_IN_MESSAGE ? `; and ${issues.length - ISSUES_IN_MESSAGE} more` : '';
    super(field, `does not match ${callbackName}.schema: ${listed}${more}`);
    this.name = 'MetadataValidationError';
    this.issues = issues;
  }
}

/** True when `value` looks like a Standard Schema v1 object. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const std = (value as { '~standard'?: { version?: unknown; validate?: unknown } } | null)?.['~standard'];
  return !!std && std.version === 1 && typeof std.validate === 'function';
}

/**
 * Validates `metadata` against `schema`: the output value, or a
 * {@link MetadataValidationError} naming `field` and every issue's path.
 * A schema that throws is reported the same way (one issue at the root).
 */
export async function validateMetadata(
  schema: StandardSchemaV1,
  metadata: JsonValue,
  field: string,
  callbackName: string,
): Promise<unknown> {
  let result: StandardSchemaResult<unknown>;
  try {
    result = await schema['~standard'].validate(metadata);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new MetadataValidationError(field, callbackName, [
      { path: '', message: `the schema threw: ${message}` },
    ]);
  }
  if (!result.issues) return result.value;
  throw new MetadataValidationError(
    field,
    callbackName,
    result.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
  );
}

function formatPath(path: StandardSchemaIssue['path']): string {
  let text = '';
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text;
}
