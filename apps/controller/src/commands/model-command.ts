import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import {
  SYNTH_PRESETS,
  SYNTH_TENSOR_TYPES,
  synthesizeGguf,
  type SynthPresetName,
  type SynthTensorType,
} from '@rigbench/shared';
import type { ActionBinder } from '../cli/action-binder.js';
import { ExitCode } from '../cli/exit-codes.js';

const oneOf =
  <T extends string>(name: string, values: readonly T[]) =>
  (value: string): T => {
    if (!(values as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}`);
    }
    return value as T;
  };

const seedArg = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new InvalidArgumentError('seed must be an integer 0..4294967295');
  return n;
};

export function registerModelCommands(program: Command, bind: ActionBinder): void {
  const model = program.command('model').description('model files');
  model
    .command('synth')
    .description('write a synthetic GGUF model (random weights, real llama architecture) for tests and demos')
    .requiredOption('--out <file>', 'output .gguf file')
    .option(
      '--preset <name>',
      `size preset: ${Object.keys(SYNTH_PRESETS).join(', ')}`,
      oneOf('preset', Object.keys(SYNTH_PRESETS) as SynthPresetName[]),
      'tiny' as SynthPresetName,
    )
    .option('--seed <n>', 'PRNG seed; the same seed gives a byte-identical file', seedArg)
    .option(
      '--type <type>',
      `weight type: ${SYNTH_TENSOR_TYPES.join(', ')}`,
      oneOf('type', SYNTH_TENSOR_TYPES),
    )
    .option('--json', 'print what was written as JSON')
    .action(
      bind(
        async (
          ctx,
          opts: {
            out: string;
            preset: SynthPresetName;
            seed?: number;
            type?: SynthTensorType;
            json?: boolean;
          },
        ) => {
          const result = await synthesizeGguf({
            outFile: opts.out,
            preset: opts.preset,
            ...(opts.seed === undefined ? {} : { seed: opts.seed }),
            ...(opts.type === undefined ? {} : { type: opts.type }),
          });
          const summary = {
            path: result.path,
            preset: result.preset,
            type: result.type,
            seed: result.seed,
            sizeBytes: result.sizeBytes,
            sha256: result.sha256,
            parameterCount: result.parameterCount,
            tensorCount: result.tensorCount,
          };
          if (opts.json) ctx.output.json(summary);
          else {
            ctx.output.line(
              `wrote ${result.path}: ${result.preset} ${result.type}, ${(result.sizeBytes / 1024 ** 2).toFixed(1)} MiB, ` +
                `${result.parameterCount.toLocaleString('en-US')} parameters, seed ${result.seed}`,
            );
            ctx.output.line(`sha256 ${result.sha256}`);
          }
          return ExitCode.ok;
        },
      ),
    );
}
