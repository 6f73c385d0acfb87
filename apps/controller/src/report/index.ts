/** Reports over stored runs: tables, summaries and charts in md, csv, json and html. */
export type { RunDataset, RunInfo, RunStatus, RunAgent, RunCase, RunSample } from './run-dataset.js';
