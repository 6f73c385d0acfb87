import { MAX_ROUNDS } from '@rigbench/shared';
import { pValue } from '../report/number-format.js';
import type { Answer } from './answer-types.js';

/** A factor as a signed percentage: 1.123 → `+12%`, 0.96 → `−4.0%` (one decimal below 10 %). */
export function signedPercent(factor: number): string {
  const v = (factor - 1) * 100;
  const digits = Math.abs(v) < 10 ? 1 : 0;
  const s = Math.abs(v).toFixed(digits);
  return `${v < 0 ? '−' : '+'}${s}%`;
}

/** A factor ≥ 1 as an unsigned percentage: 1.123 → `12%`. */
function percentOf(factor: number): string {
  return signedPercent(factor).slice(1);
}

/**
 * Rates: `vulkan decodes 12% faster than cuda`; latencies: `cuda's first token comes 79% sooner than vulkan's`;
 * energy: `vulkan is 12% more efficient per decoded token than cuda`.
 */
function claimOf(a: Pick<Answer, 'metric' | 'winner' | 'other' | 'speedRatio'>): string {
  if (a.metric === 'ttftSeconds')
    return `${a.winner}'s first token comes ${shorterPercent(a.speedRatio)} sooner than ${a.other}'s`;
  if (a.metric === 'decodeTokensPerJoule')
    return `${a.winner} is ${percentOf(a.speedRatio)} more efficient per decoded token than ${a.other}`;
  const verb = a.metric === 'decodeTokensPerSecond' ? 'decodes' : 'reads the prompt';
  return `${a.winner} ${verb} ${percentOf(a.speedRatio)} faster than ${a.other}`;
}

/** How much shorter a time is when the speed ratio is `factor`: 1 − 1/factor, as a signed percentage. */
function shorterSigned(factor: number): string {
  return signedPercent(2 - 1 / factor);
}
const shorterPercent = (factor: number): string => shorterSigned(factor).slice(1);

/** The interval in the claim's own terms (percent faster for rates, percent sooner for latencies). */
function ciText(a: Pick<Answer, 'metric' | 'ci'>, level: string): string {
  const f = a.metric === 'ttftSeconds' ? shorterSigned : signedPercent;
  return `${level} ${f(a.ci!.lo)}…${f(a.ci!.hi)}`;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `4 rounds × 3 repetitions`, or `cuda 4 rounds, vulkan 1 round × 3 repetitions` when the sides differ. */
export function replicationText(
  a: Pick<Answer, 'winner' | 'other' | 'roundsWinner' | 'roundsOther' | 'repetitions'>,
): string {
  const reps =
    a.repetitions.min === a.repetitions.max
      ? plural(a.repetitions.min, 'repetition')
      : `${a.repetitions.min}–${a.repetitions.max} repetitions`;
  const rounds =
    a.roundsWinner === a.roundsOther
      ? plural(a.roundsWinner, 'round')
      : `${a.winner} ${plural(a.roundsWinner, 'round')}, ${a.other} ${plural(a.roundsOther, 'round')}`;
  return `${rounds} × ${reps}`;
}

function scopePrefix(a: Pick<Answer, 'context' | 'scope' | 'agentId'>, withAgent: boolean): string {
  const parts = [withAgent ? a.agentId : '', a.context, a.scope].filter((p) => p !== '');
  return `${parts.join(', ')}: `;
}

/** What would settle a "can't tell yet". */
function settle(a: Omit<Answer, 'text'>): string {
  const short = [
    { name: a.winner, rounds: a.roundsWinner },
    { name: a.other, rounds: a.roundsOther },
  ];
  if (a.roundsNeeded === null)
    return "run at least one more round of each (the plan's `rounds: 2`, or the same plan again at another time)";
  if (a.roundsNeeded >= MAX_ROUNDS) return 'no practical number of rounds would show a difference this small';
  const more = short
    .filter((s) => s.rounds < a.roundsNeeded!)
    .map((s) => `${plural(a.roundsNeeded! - s.rounds, 'more round')} of ${s.name}`);
  return more.length === 0
    ? `${a.roundsNeeded} rounds a side should show it`
    : `run ${more.join(' and ')} (${a.roundsNeeded} a side, by the between-round spread so far)`;
}

/**
 * The answer in one sentence: `vulkan decodes 12% faster than cuda (95% CI +4…+21%, p=0.010, 4 rounds × 3
 * repetitions)`, or `can't tell yet: …` with the reason and what would settle it.
 */
export function answerText(a: Omit<Answer, 'text'>, confidence: number, withAgent = false): string {
  const claim = claimOf(a);
  const level = `${Math.round(confidence * 100)}% CI`;
  const prefix = scopePrefix(a, withAgent);
  const reps = replicationText(a);
  if (a.verdict === 'winner')
    return `${prefix}${claim} (${ciText(a, level)}, ${pValue(a.pAdjusted!)}, ${reps})`;
  if (a.reason === 'one-round') {
    const single = [a.roundsWinner < 2 ? a.winner : '', a.roundsOther < 2 ? a.other : ''].filter(
      (n) => n !== '',
    );
    const who = single.length === 2 ? 'each side has' : `${single[0]} has`;
    return (
      `${prefix}can't tell yet: ${claim} in these figures, but ${who} one round, so a session effect can't be ` +
      `told apart from a real difference (${reps}); ${settle(a)}`
    );
  }
  return (
    `${prefix}can't tell yet: ${claim}, within the between-round noise ` +
    `(${ciText(a, level)}, ${pValue(a.pAdjusted!)}, ${reps}); ${settle(a)}`
  );
}
