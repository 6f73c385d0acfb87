/** A program the demo needs is not installed; the message names the package that provides it. */
export class DemoPrerequisiteError extends Error {
  override name = 'DemoPrerequisiteError';
}

/** A process the demo started (nats-server, an agent) exited early or never became ready. */
export class DemoProcessError extends Error {
  override name = 'DemoProcessError';
}
