import { stable } from '../report/number-format.js';
import { escapeXml } from '../report/svg-charts.js';
import { ALL_PROMPTS, type Answer } from './build-answers.js';

/** How the answers were reached, in one line under their heading. */
export function answersNote(answers: readonly Answer[]): string {
  const tested = answers.filter((a) => a.p !== null).length;
  return (
    "Each line: the better side, by how much (geometric means), how sure. The round (a run, or one of a plan's " +
    '`rounds:`) is the unit of replication: intervals and p come from between-round variation, repetitions only ' +
    `measure the noise inside a round; ${
      tested === 0
        ? 'no line has two rounds on both sides yet, so none is tested'
        : `p is Holm-adjusted over the ${tested} tested line${tested === 1 ? '' : 's'} of this list`
    } (docs/measurement.md).`
  );
}

/** Answers over all prompts first (they answer the question), then those per prompt. */
export function splitAnswers(answers: readonly Answer[]): { overall: Answer[]; perPrompt: Answer[] } {
  const overall = answers.filter(
    (a) =>
      a.scope === ALL_PROMPTS ||
      !answers.some(
        (b) =>
          b.scope === ALL_PROMPTS && b.axis === a.axis && b.context === a.context && b.agentId === a.agentId,
      ),
  );
  return { overall, perPrompt: answers.filter((a) => !overall.includes(a)) };
}

/** The answers as markdown lines (also printed at the end of `rigbench run`). */
export function answersMarkdown(answers: readonly Answer[]): string[] {
  if (answers.length === 0)
    return ['No axis varies in these runs with measurements on both sides, so there is nothing to rank.', ''];
  const { overall, perPrompt } = splitAnswers(answers);
  const out = [answersNote(answers), '', ...overall.map((a) => `- ${a.text}`), ''];
  if (perPrompt.length > 0) out.push('Per prompt:', '', ...perPrompt.map((a) => `- ${a.text}`), '');
  return out;
}

/** The answers as HTML: a list of the overall ones, the per-prompt ones folded underneath. */
export function answersHtml(answers: readonly Answer[]): string {
  if (answers.length === 0)
    return '<p class="answer-none">No axis varies in these runs with measurements on both sides, so there is nothing to rank.</p>';
  const li = (a: Answer): string =>
    `<li class="answer ${a.verdict === 'winner' ? 'sure' : 'unsure'}">${escapeXml(a.text)}</li>`;
  const { overall, perPrompt } = splitAnswers(answers);
  const out = [`<ul class="answers">${overall.map(li).join('')}</ul>`];
  if (perPrompt.length > 0)
    out.push(
      `<details class="per-prompt"><summary>Per prompt (${perPrompt.length})</summary>` +
        `<ul class="answers">${perPrompt.map(li).join('')}</ul></details>`,
    );
  out.push(`<p class="note">${escapeXml(answersNote(answers))}</p>`);
  return out.join('\n');
}

/** The answers for the JSON report: every figure, numbers to nine significant digits. */
export function answersJson(answers: readonly Answer[]): unknown[] {
  return answers.map((a) => ({
    ...a,
    ranking: a.ranking.map((r) => ({ side: r.side, geometricMean: stable(r.geometricMean) })),
    speedRatio: stable(a.speedRatio),
    ci: a.ci ? { lo: stable(a.ci.lo), hi: stable(a.ci.hi) } : null,
    p: a.p === null ? null : stable(a.p),
    pAdjusted: a.pAdjusted === null ? null : stable(a.pAdjusted),
    betweenRoundSd: stable(a.betweenRoundSd),
    withinRoundSd: stable(a.withinRoundSd),
  }));
}
