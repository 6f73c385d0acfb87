import cliProgress from 'cli-progress';
import { casesText, tokensPerSecondText, type AgentProgress } from './agent-progress.js';

/** Shows per-agent progress of a run. */
export interface ProgressDisplay {
  update(progress: AgentProgress): void;
  stop(): void;
}

/** One bar per agent on an interactive terminal: cases done / total, current case, last tok/s. */
export function multibarDisplay(stream: NodeJS.WritableStream): ProgressDisplay {
  const multibar = new cliProgress.MultiBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: ' {agent} [{bar}] {value}/{total} | {case} | {tps} tok/s | {status}',
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      barsize: 16,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const width = { agent: 0 };
  return {
    update(p) {
      width.agent = Math.max(width.agent, p.agentId.length);
      const payload = {
        agent: p.agentId.padEnd(width.agent),
        case: p.currentCase ?? '-',
        tps: tokensPerSecondText(p.lastTokensPerSecond),
        status: p.status,
      };
      let bar = bars.get(p.agentId);
      if (!bar) {
        bar = multibar.create(p.caseCount ?? 0, p.casesDone, payload);
        bars.set(p.agentId, bar);
      }
      if (p.caseCount !== null) bar.setTotal(p.caseCount);
      bar.update(p.casesDone, payload);
    },
    stop() {
      multibar.stop();
    },
  };
}

/** For logs and pipes: one line whenever an agent finishes a case or changes status. */
export function lineDisplay(note: (text: string) => void): ProgressDisplay {
  const last = new Map<string, string>();
  return {
    update(p) {
      const key = `${p.casesDone}|${p.status}`;
      if (last.get(p.agentId) === key) return;
      last.set(p.agentId, key);
      note(
        `${p.agentId}: ${casesText(p.casesDone, p.caseCount)} cases, ${p.currentCase ?? '-'}, ${tokensPerSecondText(p.lastTokensPerSecond)} tok/s, ${p.status}`,
      );
    },
    stop() {},
  };
}
