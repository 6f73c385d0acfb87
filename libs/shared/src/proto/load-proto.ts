import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/agent.js';

export type { ProtoGrpcType } from './generated/agent.js';

/** The agent's proto file, relative to the proto root directory. */
export const AGENT_PROTO_FILE = 'rigbench/v1/agent.proto';

/**
 * proto-loader options matching the flags the checked-in types were generated with
 * (`--keepCase --longs String --enums String --defaults --oneofs`); changing one without the other makes the
 * generated types lie.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** The proto root directory could not be found. */
export class ProtoNotFoundError extends Error {
  override name = 'ProtoNotFoundError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Finds the repository's `proto/` directory by walking up from this module, so the same code works from
 * `libs/shared/src/proto/` (jest, tsx) and `libs/shared/dist/proto/` (built).
 */
export function findProtoDir(startDir: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(startDir);
  for (;;) {
    const candidate = join(dir, 'proto');
    if (existsSync(join(candidate, AGENT_PROTO_FILE))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new ProtoNotFoundError(
        `cannot find proto/${AGENT_PROTO_FILE} in ${startDir} or any parent directory; ` +
          'the repository root must contain the proto/ directory',
      );
    }
    dir = parent;
  }
}

/** Loads `rigbench/v1/agent.proto` as a proto-loader package definition. */
export function loadAgentPackageDefinition(protoDir: string = findProtoDir()): protoLoader.PackageDefinition {
  return protoLoader.loadSync(AGENT_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir] });
}

/** Loads the agent proto as typed gRPC constructors: `loadAgentProto().rigbench.v1.AgentService`. */
export function loadAgentProto(protoDir?: string): ProtoGrpcType {
  return grpc.loadPackageDefinition(loadAgentPackageDefinition(protoDir)) as unknown as ProtoGrpcType;
}
