import type { ProviderConfig } from "../config.ts";
import type { Clock } from "../ports/clock.ts";
import { BreakerBoard, type CircuitBreaker } from "./circuit-breaker.ts";
import { KeyPool } from "./key-pool.ts";

/** What one bridge remembers about one provider instance between requests: its keys, its breakers. */
export class UpstreamState {
  readonly provider: ProviderConfig;
  readonly keys: KeyPool;
  /** Null when the instance has no circuit breaker configured. */
  readonly breakers: BreakerBoard | null;

  constructor(provider: ProviderConfig, clock: Clock) {
    this.provider = provider;
    this.keys = new KeyPool(provider.apiKeys?.length ? provider.apiKeys : [provider.apiKey], clock);
    this.breakers = provider.circuitBreaker ? new BreakerBoard(provider.circuitBreaker, clock) : null;
  }

  /** The breaker of this instance × `model`; null when the instance has none. */
  breaker(model: string): CircuitBreaker | null {
    return this.breakers?.get(model) ?? null;
  }
}
