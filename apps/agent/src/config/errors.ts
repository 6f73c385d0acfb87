/** A configuration value is invalid; `key` is the dotted config key (e.g. `tls.key`). */
export class ConfigValueError extends TypeError {
  override name = 'ConfigValueError';
  constructor(
    readonly key: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`config ${key}: ${message}`, options);
  }
}

/** The `--config` file cannot be read or parsed. */
export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A command-line flag the agent does not know. */
export class UnknownFlagError extends Error {
  override name = 'UnknownFlagError';
  constructor(
    readonly flag: string,
    options?: ErrorOptions,
  ) {
    super(`unknown flag --${flag}; run rigbench-agent --help for the list of flags`, options);
  }
}

/** The agent would listen on a non-loopback address with no auth token and no mTLS. */
export class InsecureListenError extends Error {
  override name = 'InsecureListenError';
  constructor(address: string, options?: ErrorOptions) {
    super(
      `refusing to listen on ${address} without authentication: set auth.token (or auth.tokenFile), ` +
        'or mTLS (tls.cert, tls.key, tls.ca, tls.requireClientCert), or pass --insecure',
      options,
    );
  }
}
