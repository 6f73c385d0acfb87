/**
 * The environment an inference worker starts with: the agent's own, less its secrets. A worker runs model code
 * (llama.cpp, a GGUF's chat template) and needs none of the agent's credentials; what it cannot read, a crash
 * dump or a compromised model cannot leak.
 */

/** Agent configuration variables (`RIGBENCH_AGENT_*`) and anything whose name says it holds a credential. */
const SECRET_NAME =
  /^RIGBENCH_AGENT_|TOKEN|PASSWORD|PASSWD|SECRET|NKEY|CREDENTIAL|CREDS|_SEED$|PRIVATE_KEY|API_KEY/i;

/** True for a variable a worker must not inherit. */
export function isSecretEnvName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** `env` without the variables {@link isSecretEnvName} names. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!isSecretEnvName(name)) out[name] = value;
  return out;
}
