import { compileValidator, sampleSchema, type Sample } from '@rigbench/shared';
import type Database from 'better-sqlite3';
import type { z } from 'zod';

/**
 * The `samples` table's columns, derived from the one sample schema (`sampleSchema` in @rigbench/shared): the
 * CREATE, INSERT and SELECT column lists and the row ↔ {@link Sample} mapping all come from {@link SAMPLE_FIELDS},
 * so no statement lists columns by hand and no code keeps a column position by hand.
 *
 * How a field becomes columns:
 * - a number, string, enum or boolean is one column: `snake_case(field)`, `INTEGER` for integers and booleans,
 *   `REAL` for other numbers, `TEXT` otherwise; `NOT NULL` unless the field is nullable or optional;
 * - an object of such values (`vram`, `interTokenLatency`) is one column per member, `<prefix>_<member>`, all
 *   nullable when the object is; the object reads back as null when its first column is null;
 * - anything else (`energy`) is one JSON column, `<field>_json`.
 * An optional field stored as NULL reads back absent, as it was sent.
 *
 * A new sample field needs its column in a store migration (`store-schema.ts`: `ALTER TABLE samples ADD COLUMN …`):
 * {@link checkSampleColumns} refuses a store without it, naming the statement, and `sample-columns.test.ts`
 * compares the migrated table with this map.
 */

/** SQLite storage class of a column. */
export type ColumnType = 'INTEGER' | 'REAL' | 'TEXT';

/** One column of the `samples` table. */
export interface SampleColumn {
  name: string;
  type: ColumnType;
  notNull: boolean;
}

/** How one sample field is stored. */
export type SampleField =
  | { kind: 'value'; field: string; optional: boolean; boolean: boolean; column: SampleColumn }
  | { kind: 'group'; field: string; optional: boolean; members: Array<{ key: string; column: SampleColumn }> }
  | { kind: 'json'; field: string; optional: boolean; column: SampleColumn };

/**
 * Column prefixes chosen before this map existed (the first migration); every other name is derived. Renaming a
 * shipped column would need a migration and buys nothing.
 */
const COLUMN_PREFIXES: Readonly<Record<string, string>> = { interTokenLatency: 'itl' };

/** zod's definition of a schema (`schema._zod.def`), as far as this map reads it. */
interface ZodDef {
  type: string;
  innerType?: z.core.$ZodType;
  shape?: Record<string, z.core.$ZodType>;
  checks?: Array<{ _zod: { def: { check: string; format?: string } } }>;
}

// zod's definition types are wider than the subset read here; what is not understood becomes a JSON column.
const defOf = (schema: z.core.$ZodType): ZodDef => schema._zod.def as ZodDef;

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Strips optional/nullable wrappers: the inner definition and whether NULL may be stored. */
function unwrap(def: ZodDef): { def: ZodDef; optional: boolean; nullable: boolean } {
  let optional = false;
  let nullable = false;
  let inner = def;
  for (;;) {
    if (inner.type === 'optional') optional = true;
    else if (inner.type === 'nullable') nullable = true;
    else return { def: inner, optional, nullable };
    inner = defOf(inner.innerType!);
  }
}

/** The column type of a scalar definition, or null when it is not a scalar. */
function scalarType(def: ZodDef): ColumnType | null {
  switch (def.type) {
    case 'number':
      return (def.checks ?? []).some((c) => c._zod.def.format === 'safeint') ? 'INTEGER' : 'REAL';
    case 'boolean':
      return 'INTEGER';
    case 'string':
    case 'enum':
    case 'literal':
      return 'TEXT';
    default:
      return null;
  }
}

/** Derives the storage of every field of an object schema (exported for the tests; the store uses SAMPLE_FIELDS). */
export function deriveSampleFields(shape: Readonly<Record<string, z.core.$ZodType>>): SampleField[] {
  return Object.entries(shape).map(([field, schema]): SampleField => {
    const { def, optional, nullable } = unwrap(defOf(schema));
    const prefix = COLUMN_PREFIXES[field] ?? snake(field);
    const notNull = !optional && !nullable;
    const type = scalarType(def);
    if (type !== null) {
      return {
        kind: 'value',
        field,
        optional,
        boolean: def.type === 'boolean',
        column: { name: prefix, type, notNull },
      };
    }
    if (def.type === 'object') {
      const members = Object.entries(def.shape ?? {}).map(([key, member]) => {
        const inner = unwrap(defOf(member));
        return { key, type: scalarType(inner.def), nullable: inner.optional || inner.nullable };
      });
      if (members.length > 0 && members.every((m) => m.type !== null && !m.nullable)) {
        return {
          kind: 'group',
          field,
          optional,
          members: members.map((m) => ({
            key: m.key,
            column: { name: `${prefix}_${snake(m.key)}`, type: m.type!, notNull },
          })),
        };
      }
    }
    return { kind: 'json', field, optional, column: { name: `${prefix}_json`, type: 'TEXT', notNull } };
  });
}

/** How every sample field is stored, in schema order (the order of the table's columns). */
export const SAMPLE_FIELDS: readonly SampleField[] = deriveSampleFields(sampleSchema.shape);

/** Every column of the sample fields, in table order (after the key columns `ra` and `seq`). */
export const SAMPLE_COLUMNS: readonly SampleColumn[] = SAMPLE_FIELDS.flatMap((f) =>
  f.kind === 'group' ? f.members.map((m) => m.column) : [f.column],
);

const columnSql = (c: SampleColumn): string => `${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}`;

/**
 * The `samples` table as this build would create it. Shipped migrations are never edited, so this is not run: the
 * tests compare it with the table the migrations build, which proves the map and the migrations agree.
 */
export function createSamplesTableSql(): string {
  const columns = [
    'ra INTEGER NOT NULL REFERENCES run_agents (id)',
    'seq INTEGER NOT NULL',
    ...SAMPLE_COLUMNS.map(columnSql),
    'PRIMARY KEY (ra, seq)',
  ];
  return `CREATE TABLE samples (\n  ${columns.join(',\n  ')}\n) WITHOUT ROWID`;
}

/** The statement a migration needs to add `column` to an existing `samples` table (old rows read NULL). */
export const addSampleColumnSql = (column: SampleColumn): string =>
  `ALTER TABLE samples ADD COLUMN ${column.name} ${column.type};`;

/** `INSERT OR IGNORE` of one sample; bind {@link sampleRowValues} (`ra`, `seq`, then every sample column). */
export const INSERT_SAMPLE_SQL = `INSERT OR IGNORE INTO samples (ra, seq, ${SAMPLE_COLUMNS.map((c) => c.name).join(', ')})
  VALUES (${['?', '?', ...SAMPLE_COLUMNS.map(() => '?')].join(', ')})`;

/** The sample columns as a SELECT list, qualified with the samples table alias `alias`. */
export const sampleSelectList = (alias: string): string =>
  SAMPLE_COLUMNS.map((c) => `${alias}.${c.name}`).join(', ');

/** A sample field has no column after the migrations: a migration is missing from this build. */
export class SampleColumnMissingError extends Error {
  override name = 'SampleColumnMissingError';
  constructor(missing: readonly SampleColumn[], options?: ErrorOptions) {
    super(
      `the samples table lacks column(s) ${missing.map((c) => c.name).join(', ')} of the sample schema; append ` +
        `a migration to MIGRATIONS in apps/controller/src/store/store-schema.ts: ${missing.map(addSampleColumnSql).join(' ')}`,
      options,
    );
  }
}

/** Throws {@link SampleColumnMissingError} when a sample column is missing from the migrated `samples` table. */
export function checkSampleColumns(db: Database.Database): void {
  const have = new Set((db.pragma('table_info(samples)') as Array<{ name: string }>).map((c) => c.name));
  const missing = SAMPLE_COLUMNS.filter((c) => !have.has(c.name));
  if (missing.length > 0) throw new SampleColumnMissingError(missing);
}

type SqlValue = number | string | null;

const key = (name: string): string => JSON.stringify(name);

/**
 * The body of the INSERT values function, generated from {@link SAMPLE_FIELDS}: straight-line code, as for the
 * event validator (`compileValidator`, where a walk over the schema per value measured about 15 times slower), since
 * the ingest path writes tens of thousands of samples a second.
 */
function rowValuesSource(): string {
  const values = ['ra', 'seq'];
  for (const f of SAMPLE_FIELDS) {
    const v = `s[${key(f.field)}]`;
    if (f.kind === 'value')
      values.push(f.boolean ? `(${v} == null ? null : ${v} ? 1 : 0)` : `(${v} ?? null)`);
    else if (f.kind === 'json') values.push(`(${v} == null ? null : JSON.stringify(${v}))`);
    else for (const m of f.members) values.push(`(${v} == null ? null : ${v}[${key(m.key)}])`);
  }
  return `return function sampleRowValues(ra, seq, s) {\n  return [${values.join(',\n    ')}];\n};`;
}

/**
 * The body of the row reader, generated from {@link SAMPLE_FIELDS}: `r` is a raw row (an array) whose sample
 * columns start at index `first`; positions come from the map, never from a hand-kept list.
 */
function fromRowSource(first: number): string {
  let index = first;
  const literal: string[] = [];
  const optional: string[] = [];
  for (const f of SAMPLE_FIELDS) {
    const k = key(f.field);
    if (f.kind === 'group') {
      const at = index;
      const members = f.members.map((m, i) => `${key(m.key)}: r[${at + i}]`).join(', ');
      index += f.members.length;
      // A group reads back as null when its first column is null (it is written all null or all set).
      if (f.optional) optional.push(`if (r[${at}] !== null) o[${k}] = { ${members} };`);
      else literal.push(`${k}: r[${at}] === null ? null : { ${members} }`);
      continue;
    }
    const at = index;
    index += 1;
    const value =
      f.kind === 'json'
        ? `r[${at}] === null ? null : JSON.parse(r[${at}])`
        : f.boolean
          ? `r[${at}] === null ? null : r[${at}] === 1`
          : `r[${at}]`;
    // An optional field stored as NULL was absent (or null) when sent: it reads back absent.
    if (f.optional) optional.push(`if (r[${at}] !== null) o[${k}] = ${value};`);
    else literal.push(`${k}: ${value}`);
  }
  return `return function sampleFromRow(r) {\n  const o = { ${literal.join(',\n    ')} };\n  ${optional.join('\n  ')}\n  return o;\n};`;
}

// Both are generated from the field map alone (no stored or outside text reaches the source).
const rowValues = new Function(rowValuesSource())() as (
  ra: number,
  seq: number,
  sample: Sample,
) => SqlValue[];

/** The values of one INSERT, in {@link INSERT_SAMPLE_SQL} order: `ra`, `seq`, then every sample column. */
export function sampleRowValues(ra: number, seq: number, sample: Sample): SqlValue[] {
  return rowValues(ra, seq, sample);
}

/** A stored sample row failed the sample schema: the file was edited or written by a broken build. */
export class StoredSampleInvalidError extends Error {
  override name = 'StoredSampleInvalidError';
  constructor(where: string, options?: ErrorOptions) {
    super(`stored sample ${where} does not match the sample schema; the store file may be damaged`, options);
  }
}

const isSample = compileValidator(sampleSchema);

/**
 * A reader of raw rows (better-sqlite3 `.raw()`) whose sample columns, as {@link sampleSelectList} lists them,
 * start at index `first`. Each sample is checked against the sample schema on the way out (about 0.1 µs), so a
 * damaged row is an error naming `where(row)`, not a bad figure.
 */
export function sampleRowReader(
  first: number,
  where: (row: readonly unknown[]) => string,
): (row: readonly unknown[]) => Sample {
  const read = new Function(fromRowSource(first))() as (row: readonly unknown[]) => unknown;
  return (row) => {
    const sample = read(row);
    if (!isSample(sample)) throw new StoredSampleInvalidError(where(row));
    return sample;
  };
}
