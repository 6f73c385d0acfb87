import { compareByRounds, type BetweenRoundEstimate, type RoundSample } from '@rigbench/shared';
import { holmAdjust } from '../compare/regressions.js';
import { METRICS } from '../report/report-metrics.js';
import type { RunDataset } from '../report/run-dataset.js';
import {
  ANSWER_AXES,
  AXIS_NAMES,
  appliesTo,
  impliedBy,
  keysMatch,
  matchKey,
  type AnswerAxis,
} from './case-axes.js';
import { answerText } from './answer-text.js';
import { ALL_PROMPTS, type Answer, type AnswerOptions } from './answer-types.js';
import { ANSWER_METRICS, buildRoundCells, type AnswerMetric, type RoundCell } from './round-cells.js';

// Importers of the answer types through this module keep working; new code imports answer-types.ts.
export { ALL_PROMPTS, type Answer, type AnswerOptions };

interface Side {
  name: string;
  /** The axis value (several sides share one when a fingerprint changed: they are never compared). */
  value: string;
  /** test → cell */
  tests: Map<string, RoundCell>;
}

/** Sum of logs per values array: a configuration is ranked in many contexts, its values summed once. */
const logSums = new WeakMap<object, number>();

function geometricMean(rounds: readonly RoundSample[]): number {
  let s = 0;
  let n = 0;
  for (const r of rounds) {
    let sum = logSums.get(r.values as object);
    if (sum === undefined) {
      sum = 0;
      for (let i = 0; i < r.values.length; i++) sum += Math.log(r.values[i]!);
      logSums.set(r.values as object, sum);
    }
    s += sum;
    n += r.values.length;
  }
  return n === 0 ? NaN : Math.exp(s / n);
}

/** Contexts of one axis on one agent: sets of cells that agree on everything but the axis (and what it implies). */
function contexts(cells: readonly RoundCell[], axis: AnswerAxis): RoundCell[][] {
  const keyed = cells.map((c) => ({ c, key: matchKey(c.axes, axis) }));
  const anchors = [...new Set(keyed.map((k) => k.key))];
  const concrete = anchors.filter((k) => !k.includes('*'));
  const out = new Map<string, RoundCell[]>();
  for (const anchor of concrete.length > 0 ? concrete : anchors) {
    const members = keyed.filter((k) => keysMatch(anchor, k.key)).map((k) => k.c);
    const id = members
      .map((m) => cells.indexOf(m))
      .sort((a, b) => a - b)
      .join(',');
    if (!out.has(id)) out.set(id, members);
  }
  return [...out.values()];
}

function sidesOf(members: readonly RoundCell[], axis: AnswerAxis): Side[] {
  const sides = new Map<string, Side>();
  for (const c of members) {
    const name = c.variant ? `${c.axes[axis]} [${c.variant}]` : c.axes[axis];
    let side = sides.get(name);
    if (!side) sides.set(name, (side = { name, value: c.axes[axis], tests: new Map() }));
    side.tests.set(c.test, c);
  }
  return [...sides.values()];
}

/** Other axes that vary among the agent's cells but are fixed in this context: the short context name. */
function contextName(
  members: readonly RoundCell[],
  axis: AnswerAxis,
  varying: readonly AnswerAxis[],
): string {
  const first = members[0]!;
  return varying
    .filter((a) => a !== axis && !impliedBy(axis).includes(a))
    .map((a) => (a === 'model' ? first.axes.model : `${AXIS_NAMES[a]} ${first.axes[a]}`))
    .join(', ');
}

function heldFixed(members: readonly RoundCell[], axis: AnswerAxis): string[] {
  const first = members[0]!;
  const out: string[] = [];
  for (const a of ANSWER_AXES) {
    if (a === axis) continue;
    const values = new Set(members.map((m) => m.axes[a]));
    if (values.size === 1) out.push(`${AXIS_NAMES[a]} ${first.axes[a]}`);
    else if (impliedBy(axis).includes(a))
      out.push(`${AXIS_NAMES[a]} as the ${AXIS_NAMES[axis]} implies (${[...values].join(' / ')})`);
  }
  return out;
}

interface Draft extends Omit<Answer, 'pAdjusted' | 'verdict' | 'reason' | 'text'> {
  estimate: BetweenRoundEstimate;
}

function compareSides(
  a: Side,
  b: Side,
  tests: readonly string[],
  metric: AnswerMetric,
  confidence: number,
): { estimate: BetweenRoundEstimate; strata: BetweenRoundEstimate[] } | null {
  const usable = tests.filter(
    (t) =>
      (a.tests.get(t)?.rounds[metric].length ?? 0) > 0 && (b.tests.get(t)?.rounds[metric].length ?? 0) > 0,
  );
  if (usable.length === 0) return null;
  const r = compareByRounds(
    usable.map((t) => a.tests.get(t)!.rounds[metric]),
    usable.map((t) => b.tests.get(t)!.rounds[metric]),
    { confidence },
  );
  return { estimate: r.overall, strata: r.strata };
}

function draftFor(
  agentId: string,
  axis: AnswerAxis,
  metric: AnswerMetric,
  scope: string,
  context: string,
  fixed: string[],
  ranking: Answer['ranking'],
  a: Side,
  b: Side,
  est: BetweenRoundEstimate,
): Draft {
  // est is b / a; latencies are better when lower.
  const lowerBetter = METRICS[metric].better === 'lower';
  const bOverA = lowerBetter ? 1 / est.ratio : est.ratio;
  const ciBA = est.ci ? (lowerBetter ? { lo: 1 / est.ci.hi, hi: 1 / est.ci.lo } : est.ci) : null;
  const bWins = bOverA >= 1;
  return {
    agentId,
    axis,
    metric,
    scope,
    context,
    heldFixed: fixed,
    ranking,
    winner: bWins ? b.name : a.name,
    other: bWins ? a.name : b.name,
    speedRatio: bWins ? bOverA : 1 / bOverA,
    ci: ciBA ? (bWins ? ciBA : { lo: 1 / ciBA.hi, hi: 1 / ciBA.lo }) : null,
    p: est.p,
    roundsWinner: bWins ? est.roundsB : est.roundsA,
    roundsOther: bWins ? est.roundsA : est.roundsB,
    repetitions: est.repetitions,
    betweenRoundSd: est.betweenRoundSd,
    withinRoundSd: est.withinRoundSd,
    warmupOutliers: est.warmupOutliers,
    roundsNeeded: est.roundsNeeded,
    estimate: est,
  };
}

/**
 * The answers the runs give: for every axis they vary, on every agent, the sides ranked on decode t/s, TTFT and
 * prompt t/s, over all prompts and per prompt; the best side against each other one, with the round as the unit
 * of replication (see compareByRounds), p-values Holm-adjusted over the whole list.
 */
export function buildAnswers(datasets: readonly RunDataset[], options: AnswerOptions = {}): Answer[] {
  const alpha = options.alpha ?? 0.05;
  const confidence = options.confidence ?? 0.95;
  const cells = buildRoundCells(datasets);
  const agents = [...new Set(cells.map((c) => c.agentId))];
  const drafts: Draft[] = [];
  for (const agentId of agents) {
    const mine = cells.filter((c) => c.agentId === agentId);
    const varying = ANSWER_AXES.filter((a) => new Set(mine.map((c) => c.axes[a])).size > 1);
    for (const axis of varying) {
      if (options.axes && !options.axes.includes(axis)) continue;
      const applicable = mine.filter((c) => appliesTo(axis, c.axes));
      for (const members of contexts(applicable, axis)) {
        const sides = sidesOf(members, axis);
        if (new Set(sides.map((x) => x.value)).size < 2) continue;
        const context = contextName(members, axis, varying);
        const fixed = heldFixed(members, axis);
        const tests = [...new Set(members.map((m) => m.test))];
        for (const metric of ANSWER_METRICS) {
          const scopes = tests.length > 1 ? [ALL_PROMPTS, ...tests] : tests;
          for (const scope of scopes) {
            const inScope = scope === ALL_PROMPTS ? tests : [scope];
            const gm = (s: Side): number =>
              Math.exp(
                inScope
                  .map((t) => Math.log(geometricMean(s.tests.get(t)?.rounds[metric] ?? [])))
                  .reduce((x, y) => x + y, 0) / inScope.length,
              );
            const ranked = sides
              .map((s) => ({ s, g: gm(s) }))
              .filter((x) => Number.isFinite(x.g))
              .sort((x, y) => (METRICS[metric].better === 'lower' ? x.g - y.g : y.g - x.g));
            if (ranked.length < 2) continue;
            const ranking = ranked.map((x) => ({ side: x.s.name, geometricMean: x.g }));
            const best = ranked[0]!.s;
            for (const { s: other } of ranked.slice(1)) {
              // Same axis value, different fingerprint: that is "what changed", shown beside the numbers.
              if (other.value === best.value) continue;
              const r = compareSides(other, best, inScope, metric, confidence);
              if (!r || !Number.isFinite(r.estimate.ratio)) continue;
              drafts.push(
                draftFor(agentId, axis, metric, scope, context, fixed, ranking, other, best, r.estimate),
              );
            }
          }
        }
      }
    }
  }
  const tested = drafts.map((d, i) => [d.p, i] as const).filter((x): x is [number, number] => x[0] !== null);
  const adjusted = holmAdjust(tested.map((x) => x[0]));
  const pAdjusted = new Map(tested.map((x, j) => [x[1], adjusted[j]!]));
  return drafts.map((d, i) => {
    const { estimate: _estimate, ...rest } = d;
    const pa = pAdjusted.get(i) ?? null;
    const verdict = pa !== null && pa < alpha ? 'winner' : 'cant-tell';
    const reason = verdict === 'winner' ? null : pa === null ? 'one-round' : 'within-noise';
    const answer: Omit<Answer, 'text'> = { ...rest, pAdjusted: pa, verdict, reason };
    return { ...answer, text: answerText(answer, confidence, agents.length > 1) };
  });
}
