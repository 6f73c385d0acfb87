/** `rigbench tune`: candidate settings, the plans that measure them, the search and its output. */
export { blocksOf, candidateKey, candidatesOf, threadCandidates } from './tune-candidates.js';
export type { CandidateBlock, TuneCandidate, TuneSpace } from './tune-candidates.js';
export { caseCandidate, tuneContextSize, tunePlan, TUNE_TESTS } from './tune-plan.js';
export type { TuneWorkload } from './tune-plan.js';
export { decideRound, rankOn, TUNE_METRICS } from './tune-search.js';
export type { RankedCandidate, TuneDecision, TuneMetric, TuneSearchOptions } from './tune-search.js';
export {
  renderTuneResult,
  tuneAgentDefaultsYaml,
  tunePlanFragmentYaml,
  tuneResultJson,
  tuneWinners,
} from './tune-output.js';
export type { TuneResult } from './tune-output.js';
