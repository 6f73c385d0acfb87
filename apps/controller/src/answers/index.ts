/** The answers a set of runs gives: per axis and agent, which side is better, by how much, how sure. */
export { buildAnswers, ALL_PROMPTS, type Answer, type AnswerOptions } from './build-answers.js';
export { answerText, replicationText, signedPercent } from './answer-text.js';
export { ANSWER_AXES, AXIS_NAMES, type AnswerAxis } from './case-axes.js';
export {
  ANSWER_METRICS,
  buildRoundCells,
  roundKey,
  type AnswerMetric,
  type RoundCell,
} from './round-cells.js';
