/**
 * A content hash of a validated plan, so a run can record exactly which plan produced it and two runs can be
 * told apart (or matched) regardless of YAML formatting, comments or key order.
 */
import { createHash } from 'node:crypto';
import type { BenchPlan } from './plan-model.js';

/** JSON with object keys sorted at every level and `undefined` members dropped; list order is kept. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
}

/** sha256 (lowercase hex, 64 characters) of the plan's canonical JSON. */
export function canonicalPlanHash(plan: BenchPlan): string {
  return createHash('sha256').update(canonicalJson(plan), 'utf8').digest('hex');
}
