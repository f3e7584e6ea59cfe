/** A configuration that cannot run: the message names the key and the problem. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}
