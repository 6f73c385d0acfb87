import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProtoDir, loadAgentProto, ProtoNotFoundError } from './load-proto.js';

test('load-proto - finds proto/ from the source tree and exposes every AgentService method', () => {
  expect(findProtoDir()).toMatch(/proto$/);
  const proto = loadAgentProto();
  const methods = Object.keys(proto.rigbench.v1.AgentService.service).sort();
  expect(methods).toEqual(['CancelRun', 'GetInfo', 'ListModels', 'StartRun', 'WatchRun']);
  expect(proto.rigbench.v1.AgentService.service.WatchRun.responseStream).toBe(true);
});

test('load-proto - a directory without proto/ fails with a ProtoNotFoundError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigbench-noproto-'));
  expect(() => findProtoDir(dir)).toThrow(ProtoNotFoundError);
  expect(() => findProtoDir(dir)).toThrow(/rigbench\/v1\/agent\.proto/);
});
