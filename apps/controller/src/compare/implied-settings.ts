import {
  DESCRIPTOR_DIMENSIONS,
  descriptorKey,
  type DescriptorDimension,
  type GroupDescriptor,
} from '../report/group-descriptor.js';
import type { SideGroup } from './side-groups.js';

/** The unit key of a descriptor with devices and GPU layers left open (what the CPU backend implies). */
function openKey(d: GroupDescriptor): string {
  return descriptorKey({ ...d, devices: '*', settings: d.settings.replace(/^ngl=\S+/, 'ngl=*') }, [
    'backend',
    'test',
  ]);
}

/**
 * Backends imply settings: CPU cases run with no devices and 0 GPU layers, so they never share a unit key with a
 * GPU backend. Each CPU unit joins every GPU unit that matches it on everything else (devices and GPU layers
 * open), and is dropped on its own once it joined one.
 */
export function mergeCpuUnits(units: Map<string, Map<string, Map<string, SideGroup>>>): void {
  const first = (byValue: Map<string, Map<string, SideGroup>>): GroupDescriptor =>
    [...[...byValue.values()][0]!.values()][0]!.stats.descriptor;
  const cpuUnits = [...units].filter(([, byValue]) => [...byValue.keys()].every((v) => v === 'cpu'));
  for (const [cpuKey, cpuByValue] of cpuUnits) {
    const open = openKey(first(cpuByValue));
    let joined = false;
    for (const [key, byValue] of units) {
      if (key === cpuKey || byValue.has('cpu') || openKey(first(byValue)) !== open) continue;
      byValue.set('cpu', cpuByValue.get('cpu')!);
      joined = true;
    }
    if (joined) units.delete(cpuKey);
  }
}

/** `dimension value` for every dimension both descriptors share; implied ones named as such. */
/** Axes that live inside a descriptor's `settings` (`ngl=max ctx=4096 b=512 fa=off kv=f16`), by token prefix. */
export const SETTINGS_AXES = {
  gpuLayers: 'ngl=',
  contextSize: 'ctx=',
  batchSize: 'b=',
  flashAttention: 'fa=',
  kvCacheType: 'kv=',
} as const;
export type SettingsAxis = keyof typeof SETTINGS_AXES;

export function isSettingsAxis(by: string): by is SettingsAxis {
  return by in SETTINGS_AXES;
}

/** A settings axis' value in a descriptor (`ctx=4096`), and the descriptor with that token left open. */
export function splitSetting(
  d: GroupDescriptor,
  axis: SettingsAxis,
): { value: string; rest: GroupDescriptor } {
  const prefix = SETTINGS_AXES[axis];
  const tokens = d.settings.split(' ');
  const value = tokens.find((t) => t.startsWith(prefix)) ?? `${prefix}?`;
  return {
    value,
    rest: { ...d, settings: tokens.map((t) => (t.startsWith(prefix) ? `${prefix}*` : t)).join(' ') },
  };
}

export function fixedDimensions(
  a: GroupDescriptor,
  b: GroupDescriptor,
  compared: readonly (DescriptorDimension | SettingsAxis)[],
): string[] {
  const out: string[] = [];
  for (const dim of DESCRIPTOR_DIMENSIONS) {
    if (dim === 'test' || compared.includes(dim)) continue;
    if (dim === 'variant' && !a.variant && !b.variant) continue;
    const name = dim === 'agentId' ? 'agent' : dim;
    if (a[dim] === b[dim]) out.push(`${name} ${a[dim]}`);
    else if (dim === 'settings') {
      const sa = a.settings.split(' ');
      const sb = b.settings.split(' ');
      sa.forEach((x, i) => {
        if (compared.some((c) => isSettingsAxis(c) && x.startsWith(SETTINGS_AXES[c]))) return;
        if (x === sb[i]) out.push(x);
        else out.push(`${x.split('=')[0]} as the backend implies (${x} / ${sb[i]})`);
      });
    } else out.push(`${name} as the ${compared.join(', ')} implies (${a[dim]} / ${b[dim]})`);
  }
  return out;
}
