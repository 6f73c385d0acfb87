import type { Fingerprint } from '@rigbench/shared';
import type { RunDataset } from './run-dataset.js';
import { backendLabel } from './group-descriptor.js';

/** Flattens a fingerprint into `path → value` (`gpus[0].name`, `model.sha256`, `cpuCores.logical`, …). */
export function flattenFingerprint(fp: Fingerprint): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object') {
      if (Array.isArray(value)) {
        if (value.length === 0) out.set(path, '[]');
        value.forEach((v, i) => walk(v, `${path}[${i}]`));
      } else {
        for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
      }
      return;
    }
    out.set(path, value === null || value === undefined ? 'null' : String(value));
  };
  walk(fp, '');
  return out;
}

/** One value of a fingerprint field and where it was seen. */
export interface FingerprintValue {
  value: string;
  /** Number of cases (per agent and run) with this value. */
  cases: number;
  /** `backend model` pairs that had it. */
  where: string[];
  /** Run labels (or ids) that had it. */
  runs: string[];
}

export interface FingerprintSummary {
  /** Cases that started and recorded a fingerprint. */
  cases: number;
  /** Fields with one value in every case. */
  same: { field: string; value: string }[];
  /** Fields with more than one value (or missing in some cases). */
  varied: { field: string; values: FingerprintValue[] }[];
}

/** What was the same for every case and what varied, across all given runs. */
export function summarizeFingerprints(datasets: readonly RunDataset[]): FingerprintSummary {
  const fields = new Map<string, Map<string, { cases: number; where: Set<string>; runs: Set<string> }>>();
  let cases = 0;
  for (const ds of datasets) {
    const run = ds.run.label ?? ds.run.runId;
    for (const c of ds.cases) {
      if (!c.fingerprint) continue;
      cases++;
      const where = `${backendLabel(c.benchCase, c.fingerprint)} ${c.benchCase.model.id}`;
      for (const [field, value] of flattenFingerprint(c.fingerprint)) {
        let values = fields.get(field);
        if (!values) fields.set(field, (values = new Map()));
        let v = values.get(value);
        if (!v) values.set(value, (v = { cases: 0, where: new Set(), runs: new Set() }));
        v.cases++;
        v.where.add(where);
        v.runs.add(run);
      }
    }
  }
  const same: FingerprintSummary['same'] = [];
  const varied: FingerprintSummary['varied'] = [];
  for (const [field, values] of fields) {
    const entries = [...values.entries()];
    if (entries.length === 1 && entries[0]![1].cases === cases) same.push({ field, value: entries[0]![0] });
    else
      varied.push({
        field,
        values: entries.map(([value, v]) => ({
          value,
          cases: v.cases,
          where: [...v.where],
          runs: [...v.runs],
        })),
      });
  }
  return { cases, same, varied };
}
