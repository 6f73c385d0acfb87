/**
 * The events module logs through the shared `Logger` of @rigbench/shared. This module only keeps the old import
 * path working for code written against it (the outbox's helper modules); new code imports from @rigbench/shared.
 */
export { silentLogger, type Logger as EventLogger } from '@rigbench/shared';
