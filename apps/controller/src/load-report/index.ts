/** Serving-load results as a saturation curve (throughput and p90 latency against concurrency). */
export { loadCurveSvg, loadCurveHtml, type LoadCurvePoint } from './load-curve.js';
