/** Fixed decimals without `-0.00`; an em dash for missing values. */
export function fixed(value: number | null | undefined, digits: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const s = value.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** Percent with one decimal from a fraction (0.123 → `12.3%`). */
export function percent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${fixed(fraction * 100, digits)}%`;
}

/** Nine significant digits: enough for any measurement, stable against last-bit differences between runtimes. */
export function stable(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Number(value.toPrecision(9));
}

/** A p-value for humans: `p<0.001` or `p=0.034`. */
export function pValue(p: number): string {
  if (!Number.isFinite(p)) return 'p=—';
  if (p < 0.001) return 'p<0.001';
  return `p=${p.toFixed(3)}`;
}
