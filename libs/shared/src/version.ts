/** The rigbench release these packages belong to (recorded in every fingerprint). */
export const RIGBENCH_VERSION = '0.1.0';
