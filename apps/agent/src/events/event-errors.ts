/** The outbox reached its configured disk bound; the event was not written. The caller decides what to do. */
export class OutboxFullError extends Error {
  /** Disk use of the outbox when the append was refused, in bytes. */
  readonly bytes: number;
  /** The configured bound, in bytes. */
  readonly maxBytes: number;
  constructor(dir: string, bytes: number, maxBytes: number, needed: number, options?: ErrorOptions) {
    super(
      `event outbox ${dir} is full: ${bytes} of ${maxBytes} bytes used, ${needed} more needed; ` +
        'events are removed once JetStream acknowledges them (is NATS reachable?) or raise outbox.maxBytes',
      options,
    );
    this.name = 'OutboxFullError';
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/** The outbox could not write or sync a segment file. */
export class OutboxWriteError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutboxWriteError';
  }
}

/** The outbox was used after `close()`, or before it was opened. */
export class OutboxClosedError extends Error {
  constructor(dir: string, options?: ErrorOptions) {
    super(`event outbox ${dir} is closed`, options);
    this.name = 'OutboxClosedError';
  }
}

/** The publisher was used in a state that does not allow it (e.g. `publish()` before `start()`). */
export class PublisherStateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublisherStateError';
  }
}

/** JetStream refused an event (stream missing, limits, wrong stream); the publisher retries it. */
export class PublishRejectedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublishRejectedError';
  }
}

/** Another live process (or another open outbox in this process) holds the outbox directory. */
export class OutboxLockedError extends Error {
  constructor(dir: string, pid: number, options?: ErrorOptions) {
    super(
      `event outbox ${dir} is in use by process ${pid}; each agent needs its own outbox.dir ` +
        '(remove the LOCK file only if that process is gone)',
      options,
    );
    this.name = 'OutboxLockedError';
  }
}

/** An event is larger than NATS can carry (`max_payload` less headers); it was not written to the outbox. */
export class EventTooLargeError extends Error {
  /** Size of the event's JSON, in bytes. */
  readonly bytes: number;
  /** The largest event that can be sent, in bytes. */
  readonly maxBytes: number;
  constructor(type: string, bytes: number, maxBytes: number, options?: ErrorOptions) {
    super(
      `${type} event of ${bytes} bytes is larger than the ${maxBytes} bytes an event may have ` +
        "(the NATS server's max_payload less headers); it was not stored",
      options,
    );
    this.name = 'EventTooLargeError';
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}
