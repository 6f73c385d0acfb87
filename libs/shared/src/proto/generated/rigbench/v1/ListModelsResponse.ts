// Original file: proto/rigbench/v1/agent.proto

import type { ModelFile as _rigbench_v1_ModelFile, ModelFile__Output as _rigbench_v1_ModelFile__Output } from '../../rigbench/v1/ModelFile.js';

export interface ListModelsResponse {
  /**
   * Absolute path of the models directory on the agent.
   */
  'models_dir'?: (string);
  'models'?: (_rigbench_v1_ModelFile)[];
}

export interface ListModelsResponse__Output {
  /**
   * Absolute path of the models directory on the agent.
   */
  'models_dir': (string);
  'models': (_rigbench_v1_ModelFile__Output)[];
}
