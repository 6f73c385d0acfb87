// Original file: proto/rigbench/v1/agent.proto


export interface Versions {
  'rigbench'?: (string);
  'node_llama_cpp'?: (string);
  /**
   * llama.cpp release bundled with node-llama-cpp, e.g. `b6000`.
   */
  'llama_cpp'?: (string);
  /**
   * Node.js version, e.g. `v22.11.0`.
   */
  'node'?: (string);
}

export interface Versions__Output {
  'rigbench': (string);
  'node_llama_cpp': (string);
  /**
   * llama.cpp release bundled with node-llama-cpp, e.g. `b6000`.
   */
  'llama_cpp': (string);
  /**
   * Node.js version, e.g. `v22.11.0`.
   */
  'node': (string);
}
