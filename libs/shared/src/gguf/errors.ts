/** A metadata value does not fit its declared GGUF type (e.g. a negative `uint32`, a mixed array). */
export class GgufMetadataValueError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GgufMetadataValueError';
  }
}

/** A tensor's shape or type cannot be written (e.g. a Q8_0 row length that is not a multiple of 32). */
export class GgufTensorShapeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GgufTensorShapeError';
  }
}

/** A tensor's data source produced a different number of bytes than its shape and type need. */
export class GgufTensorDataSizeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GgufTensorDataSizeError';
  }
}

/** Options of the model synthesizer are invalid (unknown preset or type, bad seed). */
export class SynthModelOptionsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SynthModelOptionsError';
  }
}
