import { expect } from "vitest";
import { blockingMessage } from "./anthropic-wire.ts";
import { type CapturedRequest, startUpstream } from "./upstream-server.ts";

/**
 * "50 simultaneous requests against a budget that allows 10": one request body whose estimate the
 * test knows exactly, a price of $1 per million tokens (so a request's cost in micro-dollars is its
 * token count), and an upstream that answers with exactly the estimated usage, so a settled request
 * costs what it reserved and the budget is spent after exactly ten.
 */
export const BUDGET_MODEL = "budget-test-model";
export const BUDGET_BODY = JSON.stringify({
  model: BUDGET_MODEL,
  max_tokens: 100,
  messages: [{ role: "user", content: "How much budget is left?" }],
});
const INPUT_TOKENS = Math.ceil(new TextEncoder().encode(BUDGET_BODY).byteLength / 4);
/** Tokens, and micro-dollars, of one request: estimated and real alike. */
export const REQUEST_COST = INPUT_TOKENS + 100;

/** The config of a bridge whose users may make ten such requests a day. */
export const BUDGET_CONFIG = `pricing:
  ${BUDGET_MODEL}: { input: 1, output: 1 }
policies:
  default: { usd_per_day: ${(10 * REQUEST_COST) / 1e6} }
`;

/**
 * A provider that holds its answers until `release()`: the admitted requests stay in flight (their
 * reservations unsettled) while the refused ones come back.
 */
export async function heldBudgetUpstream() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const usage = { input_tokens: INPUT_TOKENS, output_tokens: 100 };
  const upstream = await startUpstream((request: CapturedRequest) => ({
    chunks: [{ until: released, data: JSON.stringify(blockingMessage({ model: BUDGET_MODEL, usage })) }],
    headers: { "content-type": "application/json" },
    ...(request.url.includes("/v1/messages") ? {} : { status: 404 }),
  }));
  return { upstream, release };
}

/**
 * Sends 50 requests at once, spread over `urls` (bridges), releases the upstream once the refusals
 * are in, and returns every status. The upstream must have been reached 10 times, no more.
 */
export async function fiftyAgainstTen(
  urls: readonly string[],
  key: string,
  held: Awaited<ReturnType<typeof heldBudgetUpstream>>,
): Promise<number[]> {
  let refused = 0;
  let releaseWhenRefused!: () => void;
  const allRefused = new Promise<void>((resolve) => {
    releaseWhenRefused = resolve;
  });
  const statuses = Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const response = await fetch(`${urls[i % urls.length]}/anthropic/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: BUDGET_BODY,
      });
      await response.arrayBuffer();
      if (response.status === 429 && ++refused === 40) releaseWhenRefused();
      return response.status;
    }),
  );
  // Refusals answer without the upstream; if more than 10 were admitted this waits for the timeout.
  await Promise.race([allRefused, new Promise((resolve) => setTimeout(resolve, 15_000))]);
  held.release();
  const all = await statuses;
  expect(held.upstream.requests.filter((r) => r.url.includes("/v1/messages"))).toHaveLength(10);
  return all;
}
