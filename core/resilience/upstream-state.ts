import type { ProviderConfig } from "../config.ts";
import type { Clock } from "../ports/clock.ts";
import { BreakerBoard, type CircuitBreaker } from "./circuit-breaker.ts";
import { KeyPool } from "./key-pool.ts";

/** What one bridge remembers about one provider instance between requests: its keys, its breakers. */
export class UpstreamState {
  readonly provider: ProviderConfig;
  readonly keys: KeyPool;
  readonly breakers: BreakerBoard;

  constructor(provider: ProviderConfig, clock: Clock) {
    this.provider = provider;
    this.keys = new KeyPool(provider.apiKeys?.length ? provider.apiKeys : [provider.apiKey], clock);
    this.breakers = new BreakerBoard(clock);
  }

  /** The breaker of this instance × `model`; null when the instance has none configured. */
  breaker(model: string): CircuitBreaker | null {
    const policy = this.provider.circuitBreaker;
    return policy ? this.breakers.get(this.provider.name, model, policy) : null;
  }
}
