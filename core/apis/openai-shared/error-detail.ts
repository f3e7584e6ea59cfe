import { asObject, asString } from "../../json/loose.ts";

/**
 * A short operator-facing summary of an OpenAI error object, e.g. `rate_limit_exceeded: Slow
 * down`. Accepts `{error: {...}}` wrappers and bare objects with `code`/`type`/`message`.
 */
export function openaiErrorDetail(value: unknown): string {
  const outer = asObject(value);
  const error = asObject(outer?.error) ?? outer;
  const label = asString(error?.code) ?? asString(error?.type) ?? "error";
  const message = asString(error?.message);
  return message ? `${label}: ${message}` : label;
}
