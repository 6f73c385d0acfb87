/**
 * The controller logs through the shared `Logger` of @rigbench/shared (fixed messages, details in metadata).
 * This module only keeps the old import path working; new code imports from @rigbench/shared.
 */
export { silentLogger, type Logger } from '@rigbench/shared';
