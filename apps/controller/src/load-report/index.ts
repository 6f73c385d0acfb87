/** Serving-load results as a saturation curve (throughput and p90 latency against concurrency). */
export {
  loadCurveSvg,
  loadCurveHtml,
  LOAD_CURVE_CSS,
  LOAD_CURVE_LEGEND,
  type LoadCurvePoint,
} from './load-curve.js';
export {
  loadReportLevels,
  loadSweeps,
  curvePoints,
  loadLevelTable,
  loadJson,
  loadSectionMarkdown,
  loadSectionHtml,
  saturationLines,
  sloText,
  LOAD_NOTE,
  type LoadReportLevel,
  type LoadSweep,
} from './load-report.js';
export {
  sweepSaturation,
  saturationSentence,
  NEAR_PEAK,
  SATURATION_NOTE,
  type SaturationPoint,
  type SweepLevels,
  type SweepSaturation,
} from './saturation.js';
