import { z } from 'zod';
import type { AssertTrue, Equal } from '../events/type-equality.js';
import type {
  LevelSourceEnergy,
  LoadLevelEnergy,
  PhaseEnergy,
  SampleEnergy,
  SourceEnergy,
} from './energy.js';

/**
 * The wire schema of the energy figures of a sample and of a load level. The documented types live in `energy.ts`; the assertions at the
 * bottom keep the two one contract (a field added to one and not the other fails to compile).
 */

const nonNegative = z.number().nonnegative();

export const phaseEnergySchema = z.object({
  seconds: nonNegative,
  joules: nonNegative,
  meanWatts: nonNegative,
  peakWatts: nonNegative,
  readings: z.number().int().nonnegative(),
  tokensPerJoule: nonNegative.nullable(),
  tokensPerJouleAboveIdle: nonNegative.nullable(),
});

export const sourceEnergySchema = z.object({
  idleWatts: nonNegative.nullable(),
  prompt: phaseEnergySchema.nullable(),
  decode: phaseEnergySchema.nullable(),
});

export const sampleEnergySchema = z.object({
  gpu: sourceEnergySchema.nullable(),
  cpu: sourceEnergySchema.nullable(),
  promptTokensPerJoule: nonNegative.nullable(),
  decodeTokensPerJoule: nonNegative.nullable(),
});

export const levelSourceEnergySchema = z.object({
  idleWatts: nonNegative.nullable(),
  level: phaseEnergySchema.nullable(),
});

export const loadLevelEnergySchema = z.object({
  gpu: levelSourceEnergySchema.nullable(),
  cpu: levelSourceEnergySchema.nullable(),
  outputTokensPerJoule: nonNegative.nullable(),
});

/** Compile-time checks: each schema infers exactly its documented type (both ways). */
export type EnergySchemaChecks = [
  AssertTrue<Equal<z.infer<typeof phaseEnergySchema>, PhaseEnergy>>,
  AssertTrue<Equal<z.infer<typeof sourceEnergySchema>, SourceEnergy>>,
  AssertTrue<Equal<z.infer<typeof sampleEnergySchema>, SampleEnergy>>,
  AssertTrue<Equal<z.infer<typeof levelSourceEnergySchema>, LevelSourceEnergy>>,
  AssertTrue<Equal<z.infer<typeof loadLevelEnergySchema>, LoadLevelEnergy>>,
];
